// The signal-chain blocks' TypeScript face: one class per block, each owning a state struct in the
// DSP instance's memory. Constructors, configure(), reset() and meters are control side; the
// engine runs the blocks on the audio thread through the WASM exports named in each file.

export { NoiseGate, defaultNoiseGateParams, type NoiseGateParams } from "./noise-gate.js";
export { ToneEq, flatToneEqParams, type ToneEqParams } from "./tone-eq.js";
export {
  GainStage, defaultGainParams, type GainParams,
  DcBlocker, defaultDcBlockerParams, type DcBlockerParams,
  Limiter, defaultLimiterParams, type LimiterParams,
} from "./levels.js";
export {
  Convolver, ConvolverBuild, BUILD_SLICE_TAPS, MAX_IR_FRAMES, defaultPartitionFrames, partitionsPerSlice, type ConvolverOptions,
} from "./convolver.js";
export { Resampler, resampleSignal } from "./resampler.js";
