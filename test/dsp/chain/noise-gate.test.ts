// Noise gate: when it opens and closes (threshold, hysteresis, hold) predicted from the
// detector's equation, the attack and release shapes, no gain jumps, key/signal separation,
// block-size independence and the meters.

import { test } from "node:test";
import assert from "node:assert/strict";
import { NoiseGate, type NoiseGateParams } from "../../../firmware/dsp/chain/index.js";
import { WasmBuffer, newDsp, randomSignal, randomSource, toDb } from "./harness.js";

const dsp = await newDsp();
const sampleRateHz = 48000;
const params: NoiseGateParams = { thresholdDb: -40, hysteresisDb: 6, attackMs: 2, holdMs: 30, releaseMs: 50, rangeDb: -60 };
const attackFrames = 96;
const holdFrames = 1440;
const releaseFrames = 2400;
const closedGain = Math.fround(10 ** (-60 / 20));
/** The detector: mean square through a one-pole of 5 ms. */
const detectorCoef = Math.exp(-1 / (0.005 * sampleRateHz));

/** Gains the gate computes for `key`, analysed in blocks of `blockFrames` (or a cycle of sizes). */
function analyse(gate: NoiseGate, key: Float32Array, blockFrames: readonly number[] = [128]): Float32Array {
  const keyBuffer = new WasmBuffer(dsp, key.length);
  const gainBuffer = new WasmBuffer(dsp, key.length);
  keyBuffer.write(key);
  for (let start = 0, i = 0; start < key.length; i++) {
    const frames = Math.min(blockFrames[i % blockFrames.length]!, key.length - start);
    dsp.gateAnalyse(gate.statePtr, keyBuffer.ptr + start * 4, gainBuffer.ptr + start * 4, frames);
    start += frames;
  }
  const gains = gainBuffer.read(key.length);
  keyBuffer.free();
  gainBuffer.free();
  return gains;
}

/** A constant key (a DC level has a ripple-free mean square) at `levelDb` RMS. */
const level = (frames: number, levelDb: number): Float32Array => new Float32Array(frames).fill(10 ** (levelDb / 20));
const concat = (...parts: Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

/** Samples until the detector, starting from `fromPower`, crosses `powerDb` on a key of `levelDb`. */
function framesToCross(fromPower: number, keyLevelDb: number, powerDb: number): number {
  const target = 10 ** (keyLevelDb / 10);
  const threshold = 10 ** (powerDb / 10);
  let power = fromPower;
  for (let k = 1; ; k++) {
    power = target + detectorCoef * (power - target);
    if (fromPower < threshold ? power >= threshold : power < threshold) return k;
  }
}

test("opens when the input reaches the threshold and ramps linearly to unity over attackMs", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  const gains = analyse(gate, concat(level(1000, -200), level(4000, -34)));
  gate.dispose();
  const predicted = 1000 + framesToCross(1e-12, -34, -40) - 1;
  const opened = gains.findIndex((g) => g > closedGain);
  assert.ok(Math.abs(opened - predicted) <= 1, `opened at ${opened}, predicted ${predicted}`);
  assert.ok(gains.subarray(0, opened).every((g) => g === closedGain), "exactly the range while closed");
  const step = (1 - closedGain) / attackFrames;
  for (let j = 0; j < attackFrames - 1; j++) {
    assert.ok(Math.abs(gains[opened + j]! - (closedGain + step * (j + 1))) < 1e-5, `attack sample ${j}`);
  }
  assert.ok(gains.subarray(opened + attackFrames).every((g) => g === 1), "exactly unity once open");
});

test("holds for holdMs below threshold − hysteresis, then fades linearly in dB over releaseMs", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  const loudFrames = 24000;
  const gains = analyse(gate, concat(level(loudFrames, -34), level(10000, -200)));
  gate.dispose();
  const belowClose = loudFrames + framesToCross(10 ** -3.4, -200, -46) - 1;
  const released = gains.findIndex((g, n) => n > loudFrames && g < 1);
  assert.ok(Math.abs(released - (belowClose + holdFrames)) <= 1, `released at ${released}, predicted ${belowClose + holdFrames}`);
  for (let j = 0; released + j < gains.length; j++) {
    const expectedDb = Math.max(-60, (-60 * (j + 1)) / releaseFrames);
    assert.ok(Math.abs(toDb(gains[released + j]!) - expectedDb) < 0.01, `release sample ${j}: ${toDb(gains[released + j]!)} dB`);
  }
  assert.equal(gains.at(-1), closedGain);
});

test("hysteresis: a level between the two thresholds neither opens nor closes the gate", () => {
  const between = -43; // close threshold −46 < −43 < open threshold −40
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  assert.ok(analyse(gate, level(48000, between)).every((g) => g === closedGain), "a closed gate stays closed");
  gate.reset();
  const gains = analyse(gate, concat(level(9600, -30), level(48000, between)));
  gate.dispose();
  assert.ok(gains.subarray(9600).every((g) => g === 1), "an open gate stays open");
});

test("the gain never jumps: rises by at most one attack step, falls by at most one release factor", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  // Bursts around the thresholds, so the gate reopens mid-release and closes mid-attack.
  const next = randomSource(21);
  const parts: Float32Array[] = [];
  for (let i = 0; i < 200; i++) {
    const frames = 10 + Math.floor((next() + 1) * 1500);
    parts.push(randomSignal(frames, i, 10 ** ((-40 + 15 * next()) / 20)));
  }
  const gains = analyse(gate, concat(...parts));
  gate.dispose();
  const attackStep = (1 - closedGain) / attackFrames;
  const releaseFactor = closedGain ** (1 / releaseFrames);
  let reversals = 0;
  let wasRising = false;
  for (let n = 1; n < gains.length; n++) {
    const previous = gains[n - 1]!;
    const gain = gains[n]!;
    if (gain !== previous && gain > previous !== wasRising) {
      reversals++;
      wasRising = gain > previous;
    }
    assert.ok(gain - previous <= attackStep * (1 + 1e-5), `rise at ${n}`);
    assert.ok(gain / previous >= releaseFactor * (1 - 1e-6), `fall at ${n}`);
    assert.ok(gain >= closedGain && gain <= 1);
  }
  assert.ok(reversals > 40, `the gain changed direction ${reversals} times`);
});

test("the gain follows the key and is applied to a different signal", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  const key = concat(level(500, -200), level(503, -20));
  const gains = analyse(gate, key);
  gate.dispose();
  const signal = randomSignal(key.length, 99);
  const buffer = new WasmBuffer(dsp, key.length);
  const gainBuffer = new WasmBuffer(dsp, key.length);
  buffer.write(signal);
  gainBuffer.write(gains);
  dsp.applyGain(buffer.ptr, gainBuffer.ptr, key.length);
  assert.deepEqual(buffer.read(key.length), signal.map((x, n) => Math.fround(x * gains[n]!)));
  buffer.free();
  gainBuffer.free();
});

test("gains do not depend on the block size", () => {
  const key = concat(...Array.from({ length: 40 }, (_, i) => randomSignal(700 + 37 * i, i, 10 ** ((-55 + (i % 5) * 6) / 20))));
  const render = (blocks: readonly number[]): Float32Array => {
    const gate = new NoiseGate(dsp, sampleRateHz, params);
    const gains = analyse(gate, key, blocks);
    gate.dispose();
    return gains;
  };
  const expected = render([128]);
  for (const blocks of [[1], [64], [97], [4096], [1, 7, 300, 13, 129, 2048]]) assert.deepEqual(render(blocks), expected);
});

test("meters report the state, the gain and the input level", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  analyse(gate, level(24000, -30));
  assert.equal(gate.isOpen, true);
  assert.equal(gate.gainDb, 0);
  assert.ok(Math.abs(gate.inputLevelDb - -30) < 0.01);
  analyse(gate, level(24000, -200));
  assert.equal(gate.isOpen, false);
  assert.ok(Math.abs(gate.gainDb - -60) < 1e-4);
  assert.ok(Math.abs(gate.inputLevelDb - -120) < 0.01);
  gate.dispose();
});

test("parameters outside their ranges are refused and leave the gate as it was", () => {
  const gate = new NoiseGate(dsp, sampleRateHz, params);
  assert.throws(() => gate.configure({ rangeDb: 10 }), RangeError);
  assert.throws(() => gate.configure({ hysteresisDb: -1 }), RangeError);
  assert.deepEqual(gate.params, params);
  gate.dispose();
});
