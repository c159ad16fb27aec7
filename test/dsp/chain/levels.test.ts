// Level stages: the gain ramp's exact trajectory, the DC blocker against the plugin's f64
// recurrence and its one-pole response, and the limiter's hard ceiling, transparency and
// attack/release time constants.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DcBlocker, GainStage, Limiter } from "../../../firmware/dsp/chain/index.js";
import { newDsp, processInBlocks, randomSignal, responseAt, sine, toDb } from "./harness.js";

const dsp = await newDsp();
const sampleRateHz = 48000;

test("a gain change ramps in a straight line over rampMs, whatever the block sizes", () => {
  const rampFrames = 480; // 10 ms
  const fromGain = 10 ** (-3 / 20);
  const toGain = 10 ** (-9 / 20);
  const outputs: Float32Array[] = [];
  for (const blocks of [[1], [64], [100], [4096], [7, 300, 13]]) {
    const stage = new GainStage(dsp, sampleRateHz, { gainDb: -3, rampMs: 10 });
    const ones = new Float32Array(2000).fill(1);
    const gains = processInBlocks(dsp, ones, blocks, (ptr, n) => dsp.gainProcess(stage.statePtr, ptr, n), (start) => {
      if (start === 0) stage.configure({ gainDb: -9 });
    });
    stage.dispose();
    outputs.push(gains);
    for (let n = 0; n < gains.length; n++) {
      const expected = n < rampFrames ? fromGain + ((toGain - fromGain) * (n + 1)) / rampFrames : toGain;
      assert.ok(Math.abs(gains[n]! - expected) <= 1e-6, `blocks ${blocks.join("/")}, sample ${n}: ${gains[n]} vs ${expected}`);
    }
  }
  // Each ramp sample's gain comes from its position, not a running sum: splits change nothing.
  for (const gains of outputs) assert.deepEqual(gains, outputs[0]);
});

test("a settled gain multiplies exactly, and reset jumps without a ramp", () => {
  const stage = new GainStage(dsp, sampleRateHz, { gainDb: 6 });
  const input = randomSignal(1000, 5, 0.5);
  const gain = Math.fround(10 ** (6 / 20));
  const output = processInBlocks(dsp, input, [128], (ptr, n) => dsp.gainProcess(stage.statePtr, ptr, n));
  assert.deepEqual(output, input.map((x) => Math.fround(x * gain)));
  stage.configure({ gainDb: -20 });
  stage.reset();
  const jumped = processInBlocks(dsp, input, [128], (ptr, n) => dsp.gainProcess(stage.statePtr, ptr, n));
  assert.deepEqual(jumped, input.map((x) => Math.fround(x * Math.fround(0.1))));
  stage.dispose();
});

test("the DC blocker follows the plugin's f64 recurrence", () => {
  const blocker = new DcBlocker(dsp, sampleRateHz);
  const input = randomSignal(48000, 9, 0.3).map((x) => x + 0.2);
  const output = processInBlocks(dsp, input, [1, 63, 128, 4096], (ptr, n) => dsp.dcBlockerProcess(blocker.statePtr, ptr, n));
  blocker.dispose();
  const alpha = 1 / (1 + (2 * Math.PI * 5) / sampleRateHz);
  let x1 = 0;
  let y1 = 0;
  for (let n = 0; n < input.length; n++) {
    y1 = alpha * (input[n]! - x1 + y1);
    x1 = input[n]!;
    assert.equal(output[n], Math.fround(y1), `sample ${n}`);
  }
});

test("the DC blocker's response is the one-pole high-pass formula, and DC goes away", () => {
  const blocker = new DcBlocker(dsp, sampleRateHz);
  const impulse = new Float32Array(4 * sampleRateHz);
  impulse[0] = 1;
  const h = processInBlocks(dsp, impulse, [4096], (ptr, n) => dsp.dcBlockerProcess(blocker.statePtr, ptr, n));
  const alpha = 1 / (1 + (2 * Math.PI * 5) / sampleRateHz);
  for (const frequencyHz of [2, 5, 10, 50, 1000]) {
    const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
    // H(z) = α(1 − z⁻¹) / (1 − α z⁻¹)
    const expected = (alpha * Math.hypot(1 - Math.cos(w), Math.sin(w))) / Math.hypot(1 - alpha * Math.cos(w), alpha * Math.sin(w));
    const { re, im } = responseAt(h, frequencyHz, sampleRateHz);
    assert.ok(Math.abs(toDb(Math.hypot(re, im)) - toDb(expected)) < 0.01, `${frequencyHz} Hz`);
  }
  blocker.reset();
  const dc = processInBlocks(dsp, new Float32Array(sampleRateHz).fill(0.5), [128], (ptr, n) => dsp.dcBlockerProcess(blocker.statePtr, ptr, n));
  blocker.dispose();
  assert.ok(Math.abs(dc.at(-1)!) < 1e-6, `DC left after 1 s: ${dc.at(-1)}`);
});

/** Signals that would blast a PA: noise, a +20 dBFS sine, a square, isolated spikes. */
function loudSignals(): Float32Array[] {
  const spikes = new Float32Array(20000);
  for (let n = 100; n < spikes.length; n += 1777) spikes[n] = n % 2 ? 30 : -30;
  return [
    randomSignal(20000, 1, 10),
    sine(20000, 440, sampleRateHz, 10),
    sine(20000, 55, sampleRateHz, 4).map(Math.sign),
    spikes,
  ];
}

test("the limiter's output never exceeds the ceiling", () => {
  for (const ceilingDb of [-1, -6, 0]) {
    const ceiling = Math.fround(10 ** (ceilingDb / 20));
    for (const input of loudSignals()) {
      for (const blocks of [[1], [128], [4096]]) {
        const limiter = new Limiter(dsp, sampleRateHz, { ceilingDb });
        const output = processInBlocks(dsp, input, blocks, (ptr, n) => dsp.limiterProcess(limiter.statePtr, ptr, n));
        limiter.dispose();
        const peak = output.reduce((max, y) => Math.max(max, Math.abs(y)), 0);
        assert.ok(peak <= ceiling, `ceiling ${ceilingDb} dB: peak ${peak}`);
      }
    }
  }
});

test("the limiter passes a signal at or below the ceiling bit for bit", () => {
  const limiter = new Limiter(dsp, sampleRateHz, { ceilingDb: -1 });
  const ceiling = Math.fround(10 ** (-1 / 20));
  const input = randomSignal(48000, 2);
  const peak = input.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
  const scaled = input.map((x) => Math.min(ceiling, Math.max(-ceiling, (x / peak) * ceiling)));
  const output = processInBlocks(dsp, scaled, [128], (ptr, n) => dsp.limiterProcess(limiter.statePtr, ptr, n));
  limiter.dispose();
  assert.deepEqual(output, scaled);
});

test("the limiter's gain falls with attackMs and recovers with releaseMs", () => {
  const attackMs = 2;
  const releaseMs = 50;
  const limiter = new Limiter(dsp, sampleRateHz, { ceilingDb: -6, attackMs, releaseMs });
  const ceiling = Math.fround(10 ** (-6 / 20));
  const loudFrames = 4800;
  // A DC step to twice the ceiling, then down to half the ceiling: the wanted gain is 0.5, then 1.
  const input = new Float32Array(loudFrames + 24000);
  input.fill(2 * ceiling, 0, loudFrames).fill(0.5 * ceiling, loudFrames);
  const gains: number[] = [];
  const output = processInBlocks(dsp, input, [1], (ptr, n) => {
    dsp.limiterProcess(limiter.statePtr, ptr, n);
    gains.push(10 ** (limiter.gainReductionDb / 20));
  });
  limiter.dispose();
  const attack = Math.exp(-1 / (attackMs * 0.001 * sampleRateHz));
  const release = Math.exp(-1 / (releaseMs * 0.001 * sampleRateHz));
  // The f32 one-pole drifts by up to ulp/(1 − coef) ≈ 1.4e-4 from the exact curve: 0.002 dB.
  const toleranceDb = 0.002;
  for (let n = 0; n < loudFrames; n++) {
    assert.ok(Math.abs(toDb(gains[n]! / (0.5 + 0.5 * attack ** (n + 1)))) < toleranceDb, `attack sample ${n}`);
    // The gain approaches 0.5 from above; what it has not caught is clipped onto the ceiling.
    assert.equal(output[n], ceiling);
  }
  const gainAtDrop = gains[loudFrames - 1]!;
  for (let n = loudFrames; n < input.length; n++) {
    const gain = 1 - (1 - gainAtDrop) * release ** (n - loudFrames + 1);
    assert.ok(Math.abs(toDb(gains[n]! / gain)) < toleranceDb, `release sample ${n}`);
    assert.equal(output[n], Math.fround(input[n]! * Math.fround(gains[n]!)));
  }
  assert.ok(gains.at(-1)! > 0.9999, "the gain is back at 1 once the peaks are gone");
});

test("NaN and infinite samples never reach the output", () => {
  const limiter = new Limiter(dsp, sampleRateHz);
  const ceiling = Math.fround(10 ** (-1 / 20));
  const input = randomSignal(1000, 8, 0.5);
  input[10] = Number.NaN;
  input[20] = Number.POSITIVE_INFINITY;
  input[30] = Number.NEGATIVE_INFINITY;
  const output = processInBlocks(dsp, input, [128], (ptr, n) => dsp.limiterProcess(limiter.statePtr, ptr, n));
  assert.ok(limiter.gainReductionDb < 0, "the infinite peaks pulled the gain down");
  limiter.dispose();
  assert.equal(output[10], 0);
  assert.ok(output.every((y) => Number.isFinite(y) && Math.abs(y) <= ceiling));
});

test("parameters outside their ranges are refused", () => {
  assert.throws(() => new Limiter(dsp, sampleRateHz, { ceilingDb: 3 }), RangeError);
  assert.throws(() => new GainStage(dsp, 44100.5), RangeError);
  assert.throws(() => new DcBlocker(dsp, sampleRateHz, { cutoffHz: 0 }), RangeError);
});
