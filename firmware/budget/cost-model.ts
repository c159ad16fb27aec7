// Predicts a model's DSP time from its shape and the calibration: within a family (A1-like
// WaveNets, A2 WaveNets, LSTMs) the time per multiply-add depends mostly on the model's size
// (narrow models fill fewer SIMD lanes), so it is interpolated between the family's calibrated
// shapes on a log scale of multiply-adds, and held at the nearest shape outside their range.
// A calibrated preset shape gets its own measured time back exactly. Pure functions.

import type { ModelClass } from "../nam/index.js";
import type { CalibrationPoint } from "./calibration.js";
import type { CostFamily } from "./reference-shapes.js";

export interface FamilyChoice {
  family: CostFamily;
  /** True when no calibrated shape resembles the model (ConvNet, Linear, custom WaveNets): an A1-based guess. */
  approximate: boolean;
}

export function costFamilyOf(modelClass: ModelClass): FamilyChoice {
  switch (modelClass) {
    case "a1-nano":
    case "a1-feather":
    case "a1-lite":
    case "a1-standard":
      return { family: "wavenet-a1", approximate: false };
    case "a2":
      return { family: "wavenet-a2", approximate: false };
    case "lstm-nano":
    case "lstm-feather":
    case "lstm-lite":
    case "lstm-standard":
    case "custom-lstm":
      return { family: "lstm", approximate: modelClass === "custom-lstm" };
    case "custom-wavenet":
    case "convnet":
    case "linear":
    case "slimmable-container":
      return { family: "wavenet-a1", approximate: true };
  }
}

/** Predicted ns of one core per sample for `multiplyAdds` per sample in `family`. */
export function predictNsPerSample(points: readonly CalibrationPoint[], family: CostFamily, multiplyAdds: number): number {
  const curve = points
    .filter((point) => point.family === family)
    .map((point) => ({ logMacs: Math.log(point.multiplyAddsPerSample), nsPerMac: point.nsPerSample / point.multiplyAddsPerSample }))
    .sort((a, b) => a.logMacs - b.logMacs);
  if (curve.length === 0) throw new Error(`the calibration has no ${family} shape`);
  const x = Math.log(Math.max(1, multiplyAdds));
  const upper = curve.findIndex((point) => point.logMacs >= x);
  let nsPerMac: number;
  if (upper === 0) nsPerMac = curve[0]!.nsPerMac;
  else if (upper === -1) nsPerMac = curve.at(-1)!.nsPerMac;
  else {
    const a = curve[upper - 1]!;
    const b = curve[upper]!;
    nsPerMac = a.nsPerMac + ((x - a.logMacs) / (b.logMacs - a.logMacs)) * (b.nsPerMac - a.nsPerMac);
  }
  return nsPerMac * multiplyAdds;
}

/** Share of real time one core spends on `nsPerSample` at `sampleRateHz`, % (= % of every audio period). */
export function loadPercentOf(nsPerSample: number, sampleRateHz: number): number {
  return (nsPerSample * sampleRateHz) / 1e7;
}

