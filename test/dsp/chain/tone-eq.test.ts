// Tone EQ: measured response against the RBJ cookbook formulas with the NAM plugin's constants,
// exact identity when flat, click-free knob glides, block-size independence, NaN recovery.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ToneEq, type ToneEqParams } from "../../../firmware/dsp/chain/index.js";
import { newDsp, processInBlocks, randomSignal, responseAt, sine, toDb } from "./harness.js";

const dsp = await newDsp();

type BandType = "lowShelf" | "peaking" | "highShelf";

/** The plugin's tone stack plus presence, knob → (type, f0, gain, Q). */
function bandsFor(knobs: ToneEqParams): { type: BandType; f0: number; gainDb: number; q: number }[] {
  const middleDb = 3 * (knobs.middle - 5);
  return [
    { type: "lowShelf", f0: 150, gainDb: 4 * (knobs.bass - 5), q: 0.707 },
    { type: "peaking", f0: 425, gainDb: middleDb, q: middleDb < 0 ? 1.5 : 0.7 },
    { type: "highShelf", f0: 1800, gainDb: 2 * (knobs.treble - 5), q: 0.707 },
    { type: "highShelf", f0: 3600, gainDb: 2 * (knobs.presence - 5), q: 0.707 },
  ];
}

/** |H(e^jω)| in dB of one cookbook biquad (Bristow-Johnson's formulas as published). */
function cookbookDb(type: BandType, f0: number, gainDb: number, q: number, sampleRateHz: number, frequencyHz: number): number {
  const A = 10 ** (gainDb / 40);
  const w0 = (2 * Math.PI * f0) / sampleRateHz;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const sq = 2 * Math.sqrt(A) * alpha;
  let b: number[];
  let a: number[];
  if (type === "peaking") {
    b = [1 + alpha * A, -2 * cos, 1 - alpha * A];
    a = [1 + alpha / A, -2 * cos, 1 - alpha / A];
  } else if (type === "lowShelf") {
    b = [A * (A + 1 - (A - 1) * cos + sq), 2 * A * (A - 1 - (A + 1) * cos), A * (A + 1 - (A - 1) * cos - sq)];
    a = [A + 1 + (A - 1) * cos + sq, -2 * (A - 1 + (A + 1) * cos), A + 1 + (A - 1) * cos - sq];
  } else {
    b = [A * (A + 1 + (A - 1) * cos + sq), -2 * A * (A - 1 + (A + 1) * cos), A * (A + 1 + (A - 1) * cos - sq)];
    a = [A + 1 - (A - 1) * cos + sq, 2 * (A - 1 - (A + 1) * cos), A + 1 - (A - 1) * cos - sq];
  }
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const polynomialAbs = (c: number[]): number =>
    Math.hypot(c[0]! + c[1]! * Math.cos(w) + c[2]! * Math.cos(2 * w), c[1]! * Math.sin(w) + c[2]! * Math.sin(2 * w));
  return toDb(polynomialAbs(b) / polynomialAbs(a));
}

function expectedDb(knobs: ToneEqParams, sampleRateHz: number, frequencyHz: number): number {
  return bandsFor(knobs).reduce((sum, band) => sum + cookbookDb(band.type, band.f0, band.gainDb, band.q, sampleRateHz, frequencyHz), 0);
}

function impulseResponse(eq: ToneEq, frames: number): Float32Array {
  const impulse = new Float32Array(frames);
  impulse[0] = 1;
  return processInBlocks(dsp, impulse, [4096], (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n));
}

const probeFrequenciesHz = [20, 50, 100, 150, 250, 425, 700, 1000, 1800, 2500, 3600, 5000, 8000, 12000, 16000, 20000];

const settings: ToneEqParams[] = [
  { bass: 0, middle: 0, treble: 0, presence: 0 },
  { bass: 10, middle: 10, treble: 10, presence: 10 },
  { bass: 2, middle: 8, treble: 3, presence: 9 },
  { bass: 7.5, middle: 1, treble: 6, presence: 4 },
  { bass: 5, middle: 4.9, treble: 5, presence: 5 },
];

for (const sampleRateHz of [44100, 48000, 96000]) {
  test(`measured magnitude response matches the RBJ formula within 0.1 dB at ${sampleRateHz} Hz`, () => {
    let worstDb = 0;
    for (const knobs of settings) {
      const eq = new ToneEq(dsp, sampleRateHz, knobs);
      const h = impulseResponse(eq, 16384);
      eq.dispose();
      for (const frequencyHz of probeFrequenciesHz) {
        const { re, im } = responseAt(h, frequencyHz, sampleRateHz);
        const errorDb = Math.abs(toDb(Math.hypot(re, im)) - expectedDb(knobs, sampleRateHz, frequencyHz));
        worstDb = Math.max(worstDb, errorDb);
        assert.ok(errorDb <= 0.1, `${JSON.stringify(knobs)} at ${frequencyHz} Hz: off by ${errorDb.toFixed(4)} dB`);
      }
    }
    // f64 filters leave only the f32 output rounding: far inside the 0.1 dB budget.
    assert.ok(worstDb < 1e-3, `worst error ${worstDb} dB`);
  });
}

test("the knob laws give the plugin's gains at the band centres", () => {
  // Independent of the cookbook algebra: a peaking filter's gain at f0 is exactly G; a shelf's
  // asymptote is G (checked where the other shelves are far away).
  const sampleRateHz = 48000;
  const eq = new ToneEq(dsp, sampleRateHz, { middle: 10 });
  const middle = responseAt(impulseResponse(eq, 16384), 425, sampleRateHz);
  assert.ok(Math.abs(toDb(Math.hypot(middle.re, middle.im)) - 15) < 1e-3);
  eq.configure({ middle: 5, bass: 0 });
  eq.reset();
  const bass = responseAt(impulseResponse(eq, 16384), 5, sampleRateHz);
  assert.ok(Math.abs(toDb(Math.hypot(bass.re, bass.im)) - -20) < 0.02);
  eq.dispose();
});

test("all knobs at 5 is an exact identity", () => {
  for (const sampleRateHz of [44100, 48000, 96000]) {
    const eq = new ToneEq(dsp, sampleRateHz);
    const input = randomSignal(20000, 7);
    const output = processInBlocks(dsp, input, [128], (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n));
    eq.dispose();
    assert.deepEqual(output, input);
  }
});

test("a knob change glides to the new response without a click", () => {
  const sampleRateHz = 48000;
  const frequencyHz = 100;
  const eq = new ToneEq(dsp, sampleRateHz, { bass: 0 });
  const changeAt = 48000;
  const input = sine(3 * sampleRateHz, frequencyHz, sampleRateHz, 0.1);
  const output = processInBlocks(dsp, input, [128], (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n), (start) => {
    if (start === changeAt) eq.configure({ bass: 10 });
  });
  eq.dispose();
  const finalGain = 10 ** (expectedDb({ bass: 10, middle: 5, treble: 5, presence: 5 }, sampleRateHz, frequencyHz) / 20);
  const period = sampleRateHz / frequencyHz;
  // Peak of each period: rises steadily (never overshooting) from the old to the new level.
  const peaks: number[] = [];
  for (let start = changeAt - period; start + period <= output.length; start += period) {
    peaks.push(Math.max(...output.subarray(start, start + period).map(Math.abs)));
  }
  for (let i = 1; i < peaks.length; i++) assert.ok(peaks[i]! >= peaks[i - 1]! * 0.999, `envelope drops at period ${i}`);
  assert.ok(Math.abs(toDb(peaks.at(-1)! / (0.1 * finalGain))) < 0.01, "settles on the new response");
  // A glide, not a jump: reaching 90 % of the dB change takes several periods (≈ 2.3 × 20 ms).
  const startDb = toDb(peaks[0]!);
  const endDb = toDb(peaks.at(-1)!);
  const periodsTo90 = peaks.findIndex((peak) => toDb(peak) >= startDb + 0.9 * (endDb - startDb));
  assert.ok(periodsTo90 >= 3 && periodsTo90 <= 8, `90 % after ${periodsTo90} periods`);
  // No click: no sample-to-sample step beyond what the final-level sine itself has.
  const sineStep = 0.1 * finalGain * 2 * Math.sin((Math.PI * frequencyHz) / sampleRateHz);
  let largestStep = 0;
  for (let n = changeAt; n < output.length; n++) largestStep = Math.max(largestStep, Math.abs(output[n]! - output[n - 1]!));
  assert.ok(largestStep <= sineStep * 1.02, `largest step ${largestStep} vs sine step ${sineStep}`);
});

test("output does not depend on the block size, glides included", () => {
  const input = randomSignal(16384, 11);
  const render = (blocks: number[]): Float32Array => {
    const eq = new ToneEq(dsp, 48000, { bass: 3, presence: 8 });
    const output = processInBlocks(dsp, input, blocks, (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n), (start) => {
      if (start === 4096) eq.configure({ bass: 9, middle: 2, treble: 7, presence: 1 });
    });
    eq.dispose();
    return output;
  };
  const expected = render([128]);
  for (const blocks of [[1], [64], [4096], [96, 32]]) assert.deepEqual(render(blocks), expected, `blocks ${blocks.join("/")}`);
});

test("a NaN input sample does not latch the filter", () => {
  const eq = new ToneEq(dsp, 48000, { bass: 8, middle: 3 });
  const input = randomSignal(1024, 3);
  input[100] = Number.NaN;
  processInBlocks(dsp, input, [512], (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n));
  const after = processInBlocks(dsp, randomSignal(1024, 4), [512], (ptr, n) => dsp.toneProcess(eq.statePtr, ptr, n));
  eq.dispose();
  assert.ok(after.every(Number.isFinite));
});

test("knobs outside 0…10 are refused", () => {
  const eq = new ToneEq(dsp, 48000);
  assert.throws(() => eq.configure({ treble: 11 }), RangeError);
  assert.throws(() => eq.configure({ bass: Number.NaN }), RangeError);
  assert.equal(eq.params.treble, 5);
  eq.dispose();
});
