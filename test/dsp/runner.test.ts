// Runner behaviour that the reference outputs don't pin down: block-size independence, memory
// that stays put across many process() calls, reset semantics and clean disposal.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { fixtures } from "../helpers/paths.js";
import { readF32 } from "./reference-cases.js";

const dsp = await loadDsp();
const models = join(fixtures, "reference", "models");
const di = await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"));

function render(runner: { process(i: Float32Array, o: Float32Array): void }, input: Float32Array, blocks: number[]): Float32Array {
  const output = new Float32Array(input.length);
  let start = 0;
  for (let i = 0; start < input.length; i++) {
    const end = Math.min(input.length, start + blocks[i % blocks.length]!);
    runner.process(input.subarray(start, end), output.subarray(start, end));
    start = end;
  }
  return output;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

for (const file of ["standard_core_a1.nam", "wavenet_tiny_core.nam", "lstm_core_h3.nam", "a2max_features_core.nam"]) {
  test(`${file}: output does not depend on the block size (1 … 4096, irregular)`, async () => {
    const model = await loadNamFile(join(models, file));
    const input = di.subarray(0, 12000);
    const reference = dsp.createRunner(model, { tanh: "fast", maxBlockFrames: 128 });
    const expected = render(reference, input, [128]);
    reference.dispose();
    for (const blocks of [[1], [64], [97], [4096], [1, 7, 300, 13, 129, 2048]]) {
      const runner = dsp.createRunner(model, { tanh: "fast", maxBlockFrames: 128 });
      const got = render(runner, input, blocks);
      runner.dispose();
      assert.ok(maxAbsDiff(expected, got) <= 1e-6, `blocks ${blocks.join("/")}: max |diff| ${maxAbsDiff(expected, got)}`);
    }
  });
}

test("memory does not grow across 100 000 process calls", async () => {
  const model = await loadNamFile(join(models, "standard_core_a1.nam"));
  const runner = dsp.createRunner(model, { tanh: "fast", maxBlockFrames: 64 });
  const input = di.subarray(0, 64);
  const output = new Float32Array(64);
  runner.process(input, output);
  const bytesBefore = dsp.memoryBytes();
  const heapBefore = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 100_000; i++) runner.process(input.subarray(0, 1 + (i % 64)), output);
  assert.equal(dsp.memoryBytes(), bytesBefore);
  assert.ok(process.memoryUsage().arrayBuffers - heapBefore < 1 << 20, "JS array buffers grew by more than 1 MiB");
  runner.dispose();
});

test("reset clears the convolution history and prewarms again, reproducing a fresh start", async () => {
  const model = await loadNamFile(join(models, "standard_core_a1.nam"));
  const runner = dsp.createRunner(model, { tanh: "exact", maxBlockFrames: 128 });
  const input = di.subarray(0, 4096);
  const first = render(runner, input, [128]);
  runner.reset();
  const second = render(runner, input, [128]);
  runner.dispose();
  assert.equal(maxAbsDiff(first, second), 0);
});

test("disposed models return their memory to the allocator", async () => {
  const model = await loadNamFile(join(models, "standard_core_a1.nam"));
  dsp.createRunner(model).dispose();
  const bytes = dsp.memoryBytes();
  for (let i = 0; i < 50; i++) dsp.createRunner(model).dispose();
  assert.equal(dsp.memoryBytes(), bytes);
});
