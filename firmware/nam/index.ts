// Public API of the `.nam` loader: load/validate files, describe models, and the in-memory model types.

export type * from "./model.js";
export { NamFileError, type NamErrorCode } from "./errors.js";
export { KNOWN_ARCHITECTURES, NAM_LIMITS, loadNamFile, parseNamText } from "./load.js";
export { expectedWeightCount, type WeightCountConfig } from "./weight-count.js";
export {
  classifyModel,
  describeModel,
  multiplyAddsPerSample,
  prewarmSamples,
  receptiveFieldSamples,
  slimChannelsForRatio,
  slimLayerArrays,
  totalWeightCount,
  type ModelClass,
  type ModelSummary,
  type SlimWidth,
} from "./classify.js";
