import type { NamModel } from "../nam/model.js";

/** What the trainer documents for files without `sample_rate` (nam-format.md 1.5), as the plugin does. */
export const ASSUMED_MODEL_SAMPLE_RATE = 48000;

/** Hz the model expects its input at. */
export function modelSampleRate(model: NamModel): number {
  return model.sampleRate ?? ASSUMED_MODEL_SAMPLE_RATE;
}
