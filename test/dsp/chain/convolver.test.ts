// Partitioned convolution: against direct float64 convolution for many IR lengths, partition and
// block sizes; zero latency (impulse in → IR out); a 500 ms IR at 96 kHz; reset; no memory growth.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Convolver, MAX_IR_FRAMES, defaultPartitionFrames } from "../../../firmware/dsp/chain/index.js";
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
    const conv = new Convolver(dsp, ir, { partitionFrames });
    const output = convolve(conv, signal, blocks);
    conv.dispose();
    const error = relativeError(output, directConvolution(ir, signal, range(0, signal.length)));
    assert.ok(error <= 1e-5, `relative error ${error}`);
  });
}

test("an impulse in gives the IR out, from the very first sample (no latency)", () => {
  const ir = randomIr(3000, 5, 500);
  for (const blocks of [[1], [37], [128], [4096]]) {
    const conv = new Convolver(dsp, ir, { partitionFrames: 256 });
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
  const conv = new Convolver(dsp, ir, { blockFrames: 128 });
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
  const conv = new Convolver(dsp, ir, { partitionFrames: 128 });
  convolve(conv, randomSignal(3000, 9), [100]);
  conv.reset();
  const impulse = new Float32Array(2500);
  impulse[0] = 1;
  const output = convolve(conv, impulse, [100]);
  conv.dispose();
  output.forEach((y, n) => assert.ok(Math.abs(y - (n < ir.length ? ir[n]! : 0)) <= 1e-6, `sample ${n}`));
});

test("memory does not grow across 100 000 process calls", () => {
  const conv = new Convolver(dsp, randomIr(9600, 10), { blockFrames: 128 });
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
  assert.throws(() => new Convolver(dsp, new Float32Array(0)), RangeError);
  assert.throws(() => new Convolver(dsp, new Float32Array(MAX_IR_FRAMES + 1)), RangeError);
  assert.throws(() => new Convolver(dsp, Float32Array.of(1, Number.NaN)), RangeError);
  assert.throws(() => new Convolver(dsp, new Float32Array(100), { partitionFrames: 100 }), RangeError);
  assert.throws(() => new Convolver(dsp, new Float32Array(100), { partitionFrames: 8 }), RangeError);
});
