// Files the server tests upload: committed models, and a cabinet-like IR written as a WAV.

import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeWavFloat32 } from "../../firmware/util/wav.js";
import { fixtures } from "../helpers/paths.js";

export const MODEL_FILES = {
  /** A1 Feather (fits a Pi 4). */
  feather: join(fixtures, "reference", "models", "synth_feather_v070.nam"),
  /** A1 Standard (does not fit a Pi 4 at 48 kHz). */
  standard: join(fixtures, "reference", "models", "standard_core_a1.nam"),
  /** The official A2 example: a slimmable container of 3 and 8 channels. */
  a2: join(fixtures, "models", "core-examples", "A2.nam"),
} as const;

export async function modelBytes(kind: keyof typeof MODEL_FILES): Promise<Buffer> {
  return readFile(MODEL_FILES[kind]);
}

/** A 200 ms decaying noise burst at 44.1 kHz (the engine resamples it), as WAV bytes. */
export async function irWavBytes(): Promise<Buffer> {
  const rateHz = 44100;
  const samples = new Float32Array(Math.round(0.2 * rateHz));
  let seed = 12345;
  for (let i = 0; i < samples.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    samples[i] = ((seed / 0xffffffff) * 2 - 1) * Math.exp(-i / (0.02 * rateHz));
  }
  const path = join(tmpdir(), `namstomp-ir-${process.pid}-${Date.now()}.wav`);
  await writeWavFloat32(path, samples, rateHz);
  try {
    return await readFile(path);
  } finally {
    await rm(path, { force: true });
  }
}
