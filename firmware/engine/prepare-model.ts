// Turns a model load request into the data the audio side installs: the compiled program image
// and the slot's metadata. Pure computation on the control thread (main thread or CLI).

import { compileModelImage } from "../dsp/index.js";
import type { TanhMode } from "../dsp/contract.js";
import type { ModelLoadRequest } from "./api.js";
import type { ModelSlotData } from "./protocol.js";

/** The plugin's rule: a model without a (positive) sample_rate was trained at 48 kHz. */
export const ASSUMED_MODEL_RATE_HZ = 48000;

export interface DeviceTiming {
  sampleRateHz: number;
  periodFrames: number;
}

/** The rate a model runs at: its sample_rate (rounded to whole Hz), or 48 kHz when it states none. */
export function modelRunRateHz(statedSampleRate: number | null): number {
  return statedSampleRate !== null && statedSampleRate > 0 ? Math.round(statedSampleRate) : ASSUMED_MODEL_RATE_HZ;
}

export function prepareModel(request: ModelLoadRequest, device: DeviceTiming, tanh: TanhMode): ModelSlotData {
  const modelSampleRateHz = modelRunRateHz(request.model.sampleRate);
  // Around a resampler the model sees at most ceil(period · modelRate / deviceRate) + 1 frames per
  // period; prewarm uses that block, as the plugin's resampling wrapper does.
  const maxBlockFrames = modelSampleRateHz === device.sampleRateHz
    ? device.periodFrames
    : Math.ceil((device.periodFrames * modelSampleRateHz) / device.sampleRateHz) + 1;
  const compiled = compileModelImage(request.model, { tanh, maxBlockFrames, prewarm: true, slim: request.slim });
  // A container's loudness and levels come from its top-level metadata (spec 1.6).
  const metadata = request.model.metadata;
  return {
    slot: { id: request.id, name: request.name, slim: request.slim },
    image: compiled.image,
    prewarmFrames: compiled.prewarmFrames,
    modelSampleRateHz,
    loudnessDb: metadata.loudnessDb,
    inputLevelDbu: metadata.inputLevelDbu,
  };
}
