// Runs the cases of a reference manifest (../shared/nam-reference or test/fixtures/reference):
// each case feeds a signal through a model under the core's conditions and compares with the
// official core's output.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { loadNamFile } from "../../firmware/nam/load.js";
import type { DspCore } from "../../firmware/dsp/index.js";

export interface ReferenceCase {
  id: string;
  model_file: string;
  input_file: string;
  output_file: string;
  block_size: number;
  max_buffer_size: number;
  tanh: "exact" | "fast";
  prewarm: boolean;
  slimmable_size: number | null;
  group: string;
}

export interface ReferenceManifest {
  models: { id: string; file: string; n_weights_top_level: number; category: string }[];
  cases: ReferenceCase[];
}

export async function readManifest(dir: string): Promise<ReferenceManifest> {
  return JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as ReferenceManifest;
}

export async function readF32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The acceptance: 5e-5 below 4000 weights, 1e-4 above. */
export function toleranceFor(weights: number): number {
  return weights < 4000 ? 5e-5 : 1e-4;
}

export interface CaseResult {
  maxAbsDiff: number;
  worstIndex: number;
  weights: number;
}

export async function runCase(dsp: DspCore, dir: string, c: ReferenceCase): Promise<CaseResult> {
  const model = await loadNamFile(join(dir, c.model_file));
  const input = await readF32(join(dir, c.input_file));
  const expected = await readF32(join(dir, c.output_file));
  const runner = dsp.createRunner(model, { tanh: c.tanh, maxBlockFrames: c.max_buffer_size, prewarm: c.prewarm });
  const output = new Float32Array(input.length);
  for (let start = 0; start < input.length; start += c.block_size) {
    const end = Math.min(input.length, start + c.block_size);
    runner.process(input.subarray(start, end), output.subarray(start, end));
  }
  runner.dispose();
  let maxAbsDiff = 0;
  let worstIndex = -1;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(output[i]! - expected[i]!);
    if (!(diff <= maxAbsDiff)) {
      maxAbsDiff = Number.isNaN(diff) ? Infinity : diff;
      worstIndex = i;
    }
  }
  return { maxAbsDiff, worstIndex, weights: model.weights.length };
}
