// Partitioned convolution: against direct float64 convolution for many IR lengths, partition and
// block sizes; zero latency (impulse in → IR out); a 500 ms IR at 96 kHz; reset; no memory growth;
// the sliced build: bit for bit the former one-shot build, and no step beyond its work bound.

import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DspExports } from "../../../firmware/dsp/abi.js";
import {
  BUILD_SLICE_TAPS, Convolver, ConvolverBuild, MAX_IR_FRAMES, defaultPartitionFrames, partitionsPerSlice,
} from "../../../firmware/dsp/chain/index.js";
import { newDsp, processInBlocks, randomSignal, randomSource } from "./harness.js";

const dsp = await newDsp();

/** A cab-like IR: noise under an exponential decay (or plain noise when decayFrames is 0). */
function randomIr(frames: number, seed: number, decayFrames = 0): Float32Array {
  const ir = randomSignal(frames, seed);
  if (decayFrames > 0) for (let k = 0; k < frames; k++) ir[k] = ir[k]! * Math.exp(-k / decayFrames);
  return ir;
}

/** y[n] = Σ h[k]·x[n−k] in float64 at the given output indices. */
function directConvolution(ir: Float32Array, signal: Float32Array, indices: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const n of indices) {
    let sum = 0;
    for (let k = 0, last = Math.min(ir.length - 1, n); k <= last; k++) sum += ir[k]! * signal[n - k]!;
    out.set(n, sum);
  }
  return out;
}

/** max |y − reference| / max |reference| over the checked indices. */
function relativeError(output: Float32Array, reference: Map<number, number>): number {
  let worst = 0;
  let peak = 0;
  for (const [n, expected] of reference) {
    worst = Math.max(worst, Math.abs(output[n]! - expected));
    peak = Math.max(peak, Math.abs(expected));
  }
  return worst / peak;
}

function convolve(conv: Convolver, signal: Float32Array, blocks: readonly number[]): Float32Array {
  return processInBlocks(dsp, signal, blocks, (ptr, n) => dsp.convolverProcess(conv.statePtr, ptr, n));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

const cases: { irFrames: number; partitionFrames: number; blocks: number[] }[] = [
  { irFrames: 1, partitionFrames: 16, blocks: [1] },
  { irFrames: 5, partitionFrames: 16, blocks: [3] },
  { irFrames: 16, partitionFrames: 16, blocks: [16] },
  { irFrames: 17, partitionFrames: 16, blocks: [7] },
  { irFrames: 127, partitionFrames: 128, blocks: [128] },
  { irFrames: 129, partitionFrames: 128, blocks: [1, 7, 300, 13, 129, 2048] },
  { irFrames: 1000, partitionFrames: 64, blocks: [128] },
  { irFrames: 4800, partitionFrames: 128, blocks: [64] },
  { irFrames: 4800, partitionFrames: 256, blocks: [128] },
  { irFrames: 9600, partitionFrames: 128, blocks: [4096] },
  { irFrames: 9600, partitionFrames: 512, blocks: [100, 28] },
  { irFrames: 9600, partitionFrames: 4096, blocks: [1000] },
];

for (const { irFrames, partitionFrames, blocks } of cases) {
  test(`IR ${irFrames}, partitions of ${partitionFrames}, blocks ${blocks.join("/")}: matches direct convolution`, () => {
    const ir = randomIr(irFrames, irFrames + partitionFrames);
    const signal = randomSignal(Math.max(3 * irFrames, 4 * partitionFrames, 2000), 7 * irFrames);
    const conv = Convolver.build(dsp, ir, { partitionFrames });
    const output = convolve(conv, signal, blocks);
    conv.dispose();
    const error = relativeError(output, directConvolution(ir, signal, range(0, signal.length)));
    assert.ok(error <= 1e-5, `relative error ${error}`);
  });
}

test("an impulse in gives the IR out, from the very first sample (no latency)", () => {
  const ir = randomIr(3000, 5, 500);
  for (const blocks of [[1], [37], [128], [4096]]) {
    const conv = Convolver.build(dsp, ir, { partitionFrames: 256 });
    const impulse = new Float32Array(5000);
    impulse[0] = 1;
    const output = convolve(conv, impulse, blocks);
    conv.dispose();
    for (let n = 0; n < output.length; n++) {
      const expected = n < ir.length ? ir[n]! : 0;
      assert.ok(Math.abs(output[n]! - expected) <= 1e-6, `blocks ${blocks[0]}, sample ${n}: ${output[n]} vs ${expected}`);
    }
  }
});

test("a 500 ms IR at 96 kHz (48000 taps) matches direct convolution", () => {
  const ir = randomIr(48000, 3, 9600);
  const signal = randomSignal(100_000, 4);
  const conv = Convolver.build(dsp, ir, { blockFrames: 128 });
  const output = convolve(conv, signal, [128]);
  conv.dispose();
  // Every output near the start and around partition boundaries, plus a random spread.
  const next = randomSource(6);
  const indices = new Set([...range(0, 600), ...range(47_900, 48_300), ...range(99_800, 100_000)]);
  while (indices.size < 3000) indices.add(Math.floor(((next() + 1) / 2) * signal.length));
  const error = relativeError(output, directConvolution(ir, signal, indices));
  assert.ok(error <= 1e-5, `relative error ${error}`);
});

test("reset forgets the input history", () => {
  const ir = randomIr(2000, 8);
  const conv = Convolver.build(dsp, ir, { partitionFrames: 128 });
  convolve(conv, randomSignal(3000, 9), [100]);
  conv.reset();
  const impulse = new Float32Array(2500);
  impulse[0] = 1;
  const output = convolve(conv, impulse, [100]);
  conv.dispose();
  output.forEach((y, n) => assert.ok(Math.abs(y - (n < ir.length ? ir[n]! : 0)) <= 1e-6, `sample ${n}`));
});

test("memory does not grow across 100 000 process calls", () => {
  const conv = Convolver.build(dsp, randomIr(9600, 10), { blockFrames: 128 });
  const signal = randomSignal(128, 11);
  convolve(conv, signal, [128]);
  const bytes = dsp.memory.buffer.byteLength;
  const ptr = dsp.alloc(512);
  new Float32Array(dsp.memory.buffer, ptr, 128).set(signal);
  for (let i = 0; i < 100_000; i++) dsp.convolverProcess(conv.statePtr, ptr, 1 + (i % 128));
  dsp.free(ptr);
  conv.dispose();
  assert.equal(dsp.memory.buffer.byteLength, bytes);
});

test("the default partition follows the block size within 128…512", () => {
  assert.deepEqual([1, 64, 128, 129, 256, 1024, 4096].map(defaultPartitionFrames), [128, 128, 128, 256, 256, 512, 512]);
});

test("IRs and partition sizes the convolver cannot take are refused", () => {
  assert.throws(() => Convolver.build(dsp, new Float32Array(0)), RangeError);
  assert.throws(() => Convolver.build(dsp, new Float32Array(MAX_IR_FRAMES + 1)), RangeError);
  assert.throws(() => Convolver.build(dsp, Float32Array.of(1, Number.NaN)), RangeError);
  assert.throws(() => Convolver.build(dsp, new Float32Array(100), { partitionFrames: 100 }), RangeError);
  assert.throws(() => Convolver.build(dsp, new Float32Array(100), { partitionFrames: 8 }), RangeError);
});

// SHA-256 of the output of the one-shot convolverInit (commit 8d6d99b) for these cases. The
// inputs are exact integer LCG arithmetic and AssemblyScript computes the twiddles, so the
// output is the same on every machine.
const oneShotOutputs: { irFrames: number; partitionFrames: number; blocks: number[]; sha256: string }[] = [
  { irFrames: 24001, partitionFrames: 128, blocks: [128], sha256: "53a091993b709fb1b70dca66b0f9a2e57ccc3152128faa57b781205656118850" },
  { irFrames: 9600, partitionFrames: 512, blocks: [100, 28], sha256: "b788e3c9aff311a467126ef62e2ba447e7a5fe73c19442357febc23dd01597a8" },
  { irFrames: 1000, partitionFrames: 16, blocks: [7], sha256: "e4359d1e5c4823d157aa90e4ac64f5fb4cf2c8d96dd00ac40fd462457120465b" },
];

for (const { irFrames, partitionFrames, blocks, sha256 } of oneShotOutputs) {
  test(`IR ${irFrames}, partitions of ${partitionFrames}: the sliced build plays bit for bit what the one-shot build did`, () => {
    const build = new ConvolverBuild(dsp, randomSignal(irFrames, 31), { partitionFrames });
    let steps = 0;
    while (!build.step()) steps++;
    assert.equal(steps + 1, Math.max(1, Math.ceil(build.partitions / build.partitionsPerSlice)));
    const conv = build.finish();
    const output = convolve(conv, randomSignal(30000, 12), blocks);
    conv.dispose();
    assert.equal(createHash("sha256").update(new Uint8Array(output.buffer)).digest("hex"), sha256);
  });
}

test("every build step transforms at most BUILD_SLICE_TAPS taps (one partition at least), each partition once", () => {
  const calls: { first: number; count: number }[] = [];
  const counting: DspExports = {
    ...dsp,
    convolverSetPartitions(conv: number, taps: number, first: number, count: number) {
      calls.push({ first, count });
      dsp.convolverSetPartitions(conv, taps, first, count);
    },
  };
  for (const [irFrames, partitionFrames] of [[24000, 128], [24000, 64], [48000, 512], [96000, 4096], [100, 128], [1000, 16]] as const) {
    calls.length = 0;
    const build = new ConvolverBuild(counting, randomSignal(irFrames, 2), { partitionFrames });
    assert.equal(build.partitionsPerSlice, partitionsPerSlice(partitionFrames));
    assert.equal(calls.length, 0, "the constructor transforms no partition");
    let next = 1;
    while (!build.done) {
      const before: number = calls.length;
      build.step();
      assert.equal(calls.length, before + 1, "one WASM call per step");
      const { first, count } = calls.at(-1)!;
      assert.equal(first, next, "partitions in order, none skipped or repeated");
      assert.ok(count >= 1 && count * partitionFrames <= Math.max(BUILD_SLICE_TAPS, partitionFrames), `${count} × ${partitionFrames} taps`);
      next += count;
    }
    assert.equal(next - 1, build.partitions, `IR ${irFrames}: every partition transformed`);
    assert.equal(build.partitions, irFrames > partitionFrames ? Math.ceil(irFrames / partitionFrames) - 1 : 0);
    build.finish().dispose();
  }
});

test("an abandoned build frees its memory", () => {
  const ir = randomSignal(24000, 3);
  Convolver.build(dsp, ir).dispose();
  const bytes = dsp.memory.buffer.byteLength;
  for (let i = 0; i < 50; i++) {
    const build = new ConvolverBuild(dsp, ir);
    build.step();
    build.dispose();
  }
  const probe = dsp.alloc(4);
  dsp.free(probe);
  assert.equal(dsp.memory.buffer.byteLength, bytes);
  const unfinished = new ConvolverBuild(dsp, ir);
  assert.throws(() => unfinished.finish(), /not complete/);
  unfinished.dispose();
});
