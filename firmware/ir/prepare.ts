// Cab IRs: from a WAV file to the taps the convolver runs. Control thread only (allocates).
// Stereo files are mixed to mono or take the left channel (a setting); any rate is resampled to
// the device rate with the band-limited resampler; the IR is trimmed to a maximum length with a
// short raised-cosine fade, and normalised to unit energy so every cab plays at a similar level
// (white noise in, same RMS out).

import type { DspExports } from "../dsp/abi.js";
import { MAX_IR_FRAMES, resampleSignal } from "../dsp/chain/index.js";
import { readWav } from "../util/wav.js";

export type StereoIrHandling = "mix" | "left";

export interface IrOptions {
  deviceRateHz: number;
  /** Longest IR kept, ms (default 500). */
  maxLengthMs: number;
  stereo: StereoIrHandling;
}

export const defaultIrOptions = { maxLengthMs: 500, stereo: "mix" } as const satisfies Partial<IrOptions>;

/** Fade at the end of a trimmed IR, ms. */
const TRIM_FADE_MS = 5;
/** Longest IR file accepted before trimming, seconds (at any rate). */
const MAX_FILE_SECONDS = 10;

export class IrFileError extends Error {
  override readonly name = "IrFileError";
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
  }
}

export interface IrRecording {
  samples: Float32Array;
  sampleRateHz: number;
}

/** Reads an IR WAV (PCM 16/24/32, float32, extensible; mono or stereo) as mono. */
export async function readIrFile(path: string, stereo: StereoIrHandling): Promise<IrRecording> {
  const wav = await readWav(path);
  if (wav.channels.length > 2) {
    throw new IrFileError(path, `${wav.channels.length} channels: an IR must be mono or stereo`);
  }
  const frames = wav.channels[0]!.length;
  if (frames > MAX_FILE_SECONDS * wav.sampleRate) {
    throw new IrFileError(path, `${(frames / wav.sampleRate).toFixed(1)} s long: an IR file may be at most ${MAX_FILE_SECONDS} s`);
  }
  if (wav.sampleRate < 8000 || wav.sampleRate > 384000) {
    throw new IrFileError(path, `sample rate ${wav.sampleRate} Hz is outside 8000…384000 Hz`);
  }
  const [left, right] = wav.channels as [Float32Array, Float32Array | undefined];
  const samples = right === undefined || stereo === "left"
    ? left
    : left.map((value, i) => 0.5 * (value + right[i]!));
  return { samples, sampleRateHz: wav.sampleRate };
}

/** Resampled, trimmed, faded, normalised taps at the device rate. */
export function prepareIr(dsp: DspExports, recording: IrRecording, options: IrOptions, source: string): Float32Array {
  if (!recording.samples.every(Number.isFinite)) throw new IrFileError(source, "contains NaN or infinite samples");
  const atDeviceRate = recording.sampleRateHz === options.deviceRateHz
    ? recording.samples
    : resampleSignal(dsp, recording.samples, recording.sampleRateHz, options.deviceRateHz);
  const maxFrames = Math.min(MAX_IR_FRAMES, Math.max(1, Math.round((options.maxLengthMs / 1000) * options.deviceRateHz)));
  const ir = atDeviceRate.slice(0, maxFrames);
  if (atDeviceRate.length > maxFrames) {
    const fadeFrames = Math.min(ir.length, Math.round((TRIM_FADE_MS / 1000) * options.deviceRateHz));
    for (let i = 0; i < fadeFrames; i++) {
      ir[ir.length - fadeFrames + i]! *= 0.5 + 0.5 * Math.cos((Math.PI * (i + 1)) / fadeFrames);
    }
  }
  let energy = 0;
  for (const tap of ir) energy += tap * tap;
  if (!(energy > 1e-12)) throw new IrFileError(source, "the impulse response is silent");
  const scale = 1 / Math.sqrt(energy);
  for (let i = 0; i < ir.length; i++) ir[i]! *= scale;
  return ir;
}

