// The chain runtime offline (deterministic, no threads): each stage against an independent
// float64 computation, and the swap crossfade against the ideal one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compileDsp, instantiateDsp } from "../../firmware/dsp/abi.js";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { parseNamText } from "../../firmware/nam/load.js";
import type { ChainParams } from "../../firmware/engine/api.js";
import { ChainRuntime, SWAP_FADE_MS } from "../../firmware/engine/chain-runtime.js";
import { defaultChainParams } from "../../firmware/engine/params.js";
import { prepareModel } from "../../firmware/engine/prepare-model.js";
import { renderChainOffline } from "../../firmware/engine/offline.js";
import { fixtures } from "../helpers/paths.js";
import { readF32 } from "../dsp/reference-cases.js";

const RATE = 48000;
const PERIOD = 128;
const models = join(fixtures, "reference", "models");
const di = (await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"))).slice(0, 12000);

/** Everything off or neutral, so the chain is the model followed by the plugin's DC blocker. */
function neutralParams(): ChainParams {
  const p = defaultChainParams();
  p.gate.enabled = false;
  p.eq.enabled = false;
  p.normalizeLoudness = false;
  p.limiterCeilingDb = -0.1;
  return p;
}

function dcBlock(x: Float32Array | Float64Array, rateHz: number): Float64Array {
  const alpha = 1 / (1 + (2 * Math.PI * 5) / rateHz);
  const y = new Float64Array(x.length);
  let x1 = 0;
  let y1 = 0;
  for (let i = 0; i < x.length; i++) {
    y1 = alpha * (x[i]! - x1 + y1);
    x1 = x[i]!;
    y[i] = y1;
  }
  return y;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, from = 0): number {
  let worst = 0;
  for (let i = from; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

async function modelAlone(file: string, input: Float32Array): Promise<Float32Array> {
  const dsp = await loadDsp();
  const runner = dsp.createRunner(await loadNamFile(join(models, file)), { tanh: "fast", maxBlockFrames: PERIOD });
  const out = new Float32Array(input.length);
  for (let s = 0; s < input.length; s += PERIOD) runner.process(input.subarray(s, s + PERIOD), out.subarray(s, s + PERIOD));
  runner.dispose();
  return out;
}

test("a neutral chain is the model followed by the 5 Hz DC blocker", async () => {
  const model = await loadNamFile(join(models, "standard_core_a1.nam"));
  const out = await renderChainOffline({
    input: di, sampleRateHz: RATE, periodFrames: PERIOD, params: neutralParams(), tanh: "fast",
    model: { model, name: "standard", slim: null }, ir: null,
  });
  const expected = dcBlock(await modelAlone("standard_core_a1.nam", di), RATE);
  assert.ok(maxAbsDiff(out, expected) < 1e-6, `max |diff| ${maxAbsDiff(out, expected)}`);
});

test("the cab IR is a sample-aligned convolution with the energy-normalised IR", async () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const ir = Float32Array.from({ length: 3000 }, (_, i) => random() * Math.exp(-i / 400));
  const out = await renderChainOffline({
    input: di, sampleRateHz: RATE, periodFrames: PERIOD, params: neutralParams(), tanh: "fast", model: null,
    ir: { recording: { samples: ir, sampleRateHz: RATE }, name: "cab", options: { maxLengthMs: 500, stereo: "mix" } },
  });
  const energy = ir.reduce((sum, tap) => sum + tap * tap, 0);
  const convolved = new Float64Array(di.length);
  for (let n = 0; n < di.length; n++) {
    let sum = 0;
    for (let k = 0; k <= Math.min(n, ir.length - 1); k++) sum += ir[k]! * di[n - k]!;
    convolved[n] = sum / Math.sqrt(energy);
  }
  const expected = dcBlock(convolved, RATE);
  assert.ok(maxAbsDiff(out, expected) < 2e-5, `max |diff| ${maxAbsDiff(out, expected)}`);
});

test("bypass outputs the dry input; the limiter holds its ceiling at +30 dB", async () => {
  const model = await loadNamFile(join(models, "standard_core_a1.nam"));
  const bypassed = await renderChainOffline({
    input: di, sampleRateHz: RATE, periodFrames: PERIOD, params: neutralParams(), tanh: "fast",
    model: { model, name: "standard", slim: null }, ir: null, bypass: true,
  });
  assert.ok(maxAbsDiff(bypassed, dcBlock(di, RATE)) < 1e-6, `max |diff| ${maxAbsDiff(bypassed, dcBlock(di, RATE))}`);

  const loud = { ...neutralParams(), outputLevelDb: 30, limiterCeilingDb: -3 };
  const limited = await renderChainOffline({
    input: di, sampleRateHz: RATE, periodFrames: PERIOD, params: loud, tanh: "fast",
    model: { model, name: "standard", slim: null }, ir: null,
  });
  const ceiling = 10 ** (-3 / 20);
  const peak = limited.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(peak <= ceiling + 1e-6, `peak ${peak} above the ${ceiling} ceiling`);
  assert.ok(peak > 0.9 * ceiling, "the limiter should be driven to its ceiling");
});

test("a model trained at 48 kHz on a 44.1 kHz device runs at its own rate, delayed by the reported latency", async (t) => {
  // A Linear identity model (one tap of 1) stating 48 kHz: the chain must resample around it.
  const identity = parseNamText(JSON.stringify({
    version: "0.5.4", architecture: "Linear", sample_rate: 48000, config: { receptive_field: 1, bias: false }, weights: [1],
  }), "identity.nam");
  const rate = 44100;
  const tone = Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate));
  const dsp = instantiateDsp(await compileDsp());
  const runtime = new ChainRuntime(dsp, { sampleRateHz: rate, maxFrames: PERIOD }, neutralParams());
  runtime.loadModel(prepareModel({ id: "identity", name: "identity", model: identity, slim: null }, { sampleRateHz: rate, periodFrames: PERIOD }, "fast"), () => {});
  runtime.settle();
  const latencyFrames = (runtime.addedLatencyMs * rate) / 1000;
  t.diagnostic(`48 kHz model on a 44.1 kHz device: resampling adds ${latencyFrames.toFixed(2)} frames (${runtime.addedLatencyMs.toFixed(3)} ms)`);
  const out = new Float32Array(tone.length);
  for (let s = 0; s + PERIOD <= tone.length; s += PERIOD) runtime.process(tone.subarray(s, s + PERIOD), out.subarray(s, s + PERIOD));
  runtime.dispose();
  assert.ok(latencyFrames > 0 && latencyFrames < 200, `latency ${latencyFrames} frames`);
  // The delay may be a fraction of a device frame: the expected output is the delayed tone itself.
  const delayed = Float64Array.from(tone, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * (i - latencyFrames)) / rate));
  const expected = dcBlock(delayed, rate);
  let errorEnergy = 0;
  let signalEnergy = 0;
  for (let i = 4000; i < tone.length - 2 * PERIOD; i++) {
    errorEnergy += (out[i]! - expected[i]!) ** 2;
    signalEnergy += expected[i]! ** 2;
  }
  const errorDb = 10 * Math.log10(errorEnergy / signalEnergy);
  assert.ok(errorDb < -60, `round trip error ${errorDb.toFixed(1)} dB`);
});

test("a model swap is exactly the raised-cosine crossfade of the old model and the prewarmed new one", async (t) => {
  const [a, b] = await Promise.all(["synth_feather_v070.nam", "standard_core_a1.nam"].map((f) => loadNamFile(join(models, f))));
  const device = { sampleRateHz: RATE, periodFrames: PERIOD };
  const dsp = instantiateDsp(await compileDsp());
  const runtime = new ChainRuntime(dsp, { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
  runtime.loadModel(prepareModel({ id: "a", name: "a", model: a, slim: null }, device, "fast"), () => {});
  runtime.settle();
  const swapPeriod = 40;
  const out = new Float32Array(di.length);
  let fadeStartedAt = -1;
  for (let p = 0; p * PERIOD + PERIOD <= di.length; p++) {
    if (p === swapPeriod) {
      runtime.loadModel(prepareModel({ id: "b", name: "b", model: b, slim: null }, device, "fast"), () => {
        fadeStartedAt = p * PERIOD;
      });
      while (fadeStartedAt < 0) runtime.background(1000);
    }
    runtime.process(di.subarray(p * PERIOD, (p + 1) * PERIOD), out.subarray(p * PERIOD, (p + 1) * PERIOD));
  }
  runtime.dispose();
  assert.equal(fadeStartedAt, swapPeriod * PERIOD);

  // The ideal: A alone, and B prewarmed on silence then fed from the swap point on.
  const aloneA = await modelAlone("synth_feather_v070.nam", di);
  const tail = new Float32Array(di.length);
  tail.set(di.subarray(fadeStartedAt), fadeStartedAt);
  const bFromSwap = await modelAlone("standard_core_a1.nam", tail.subarray(fadeStartedAt));
  const fadeFrames = Math.round((SWAP_FADE_MS / 1000) * RATE);
  const ideal = new Float64Array(di.length);
  for (let i = 0; i < di.length; i++) {
    const k = i - fadeStartedAt;
    const w = k < 0 ? 0 : k >= fadeFrames ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (k + 1)) / fadeFrames);
    ideal[i] = (1 - w) * aloneA[i]! + w * (k < 0 ? 0 : bFromSwap[k]!);
  }
  const end = Math.floor(di.length / PERIOD) * PERIOD;
  const diff = maxAbsDiff(out.subarray(0, end), dcBlock(ideal, RATE).subarray(0, end));
  t.diagnostic(`swap click test: peak |output − ideal crossfade| = ${diff.toExponential(2)} (fade ${SWAP_FADE_MS} ms)`);
  assert.ok(diff < 1e-5, `peak difference ${diff}`);
});
