// The chain runtime offline (deterministic, no threads): each stage against an independent
// float64 computation, the swap crossfades against the ideal ones, IR builds spread over
// background calls (superseded by newer loads, leaving model swaps and bypass alone), and the
// gate's timing around a resampled model.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compileDsp, instantiateDsp } from "../../firmware/dsp/abi.js";
import { Convolver, defaultPartitionFrames, partitionsPerSlice } from "../../firmware/dsp/chain/index.js";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { parseNamText } from "../../firmware/nam/load.js";
import type { ChainParams } from "../../firmware/engine/api.js";
import { ChainRuntime, HEAP_RESERVE_BYTES, SWAP_FADE_MS } from "../../firmware/engine/chain-runtime.js";
import { defaultChainParams } from "../../firmware/engine/params.js";
import { prepareModel } from "../../firmware/engine/prepare-model.js";
import { renderChainOffline } from "../../firmware/engine/offline.js";
import { fixtures } from "../helpers/paths.js";
import { readF32 } from "../dsp/reference-cases.js";
import { newDsp, processInBlocks, randomSignal } from "../dsp/chain/harness.js";

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

const irDsp = await newDsp();

/** `input` through a one-shot convolver of `ir` (the reference for the runtime's IR slots). */
function convolveAlone(ir: Float32Array, input: Float32Array): Float32Array {
  const conv = Convolver.build(irDsp, ir, { blockFrames: PERIOD });
  const out = processInBlocks(irDsp, input, [PERIOD], (ptr, n) => irDsp.convolverProcess(conv.statePtr, ptr, n));
  conv.dispose();
  return out;
}

/** A cab-like IR: noise under an exponential decay. */
function cabIr(frames: number, seed: number): Float32Array {
  return randomSignal(frames, seed).map((h, k) => 0.05 * h * Math.exp(-k / 2000));
}

const irSlot = (id: string) => ({ id, name: id, slim: null });

/** Build steps a worker needs for an IR when every gap between periods fits only one. */
function buildSteps(irFrames: number): number {
  const partitionFrames = defaultPartitionFrames(PERIOD);
  return Math.max(1, Math.ceil((Math.ceil(irFrames / partitionFrames) - 1) / partitionsPerSlice(partitionFrames)));
}

/** The period runPeriods is at (callbacks read it to tell when they were called). */
const clock = { period: 0 };

/**
 * Runs `input` period by period; before period p, `between(p)` issues commands, then one
 * background call with no time budget (one IR build step, one minimal prewarm slice), like a
 * worker whose periods leave no spare time.
 */
function runPeriods(runtime: ChainRuntime, input: Float32Array, between: (period: number) => void): Float32Array {
  const out = new Float32Array(input.length);
  for (let p = 0; (p + 1) * PERIOD <= input.length; p++) {
    clock.period = p;
    between(p);
    runtime.background(0);
    runtime.process(input.subarray(p * PERIOD, (p + 1) * PERIOD), out.subarray(p * PERIOD, (p + 1) * PERIOD));
  }
  return out;
}

/** The ideal IR swap: x∗A crossfaded (raised cosine from `at`) into x∗B with B's history starting at `at`. */
function idealIrSwap(input: Float32Array, from: Float32Array, to: Float32Array, at: number): Float64Array {
  const withFrom = convolveAlone(from, input);
  const withTo = new Float32Array(input.length);
  withTo.set(convolveAlone(to, input.subarray(at)), at);
  const fadeFrames = Math.round((SWAP_FADE_MS / 1000) * RATE);
  return Float64Array.from(withFrom, (a, i) => {
    const k = i - at;
    const w = k < 0 ? 0 : k >= fadeFrames ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * (k + 1)) / fadeFrames);
    return (1 - w) * a + w * withTo[i]!;
  });
}

test("a 500 ms IR is built one bounded step per period, then crossfades in exactly like the ideal swap", async (t) => {
  const [irA, irB] = [cabIr(3000, 21), cabIr(RATE / 2, 22)];
  const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
  runtime.loadIr({ slot: irSlot("a"), samples: irA }, () => {});
  runtime.settle();
  const loadPeriod = 20;
  let fadePeriod = -1;
  const out = runPeriods(runtime, di, (p) => {
    if (p === loadPeriod) runtime.loadIr({ slot: irSlot("b"), samples: irB }, () => (fadePeriod = clock.period));
  });
  runtime.dispose();
  const steps = buildSteps(irB.length);
  t.diagnostic(`500 ms IR: ${steps} build steps; command → fade start ${fadePeriod - loadPeriod} periods (${(((fadePeriod - loadPeriod) * PERIOD * 1000) / RATE).toFixed(1)} ms) at one step per period`);
  assert.equal(fadePeriod, loadPeriod + steps - 1, "the fade starts in the gap of the last build step");
  const ideal = dcBlock(idealIrSwap(di, irA, irB, fadePeriod * PERIOD), RATE);
  const end = Math.floor(di.length / PERIOD) * PERIOD;
  const diff = maxAbsDiff(out.subarray(0, end), ideal.subarray(0, end));
  t.diagnostic(`IR swap click test: peak |output − ideal crossfade| = ${diff.toExponential(2)}`);
  assert.ok(diff < 1e-6, `peak difference ${diff}`);
});

test("a new IR load supersedes one still building: the older never plays, its request completes at once", async () => {
  const [irA, irB, irC] = [cabIr(3000, 31), cabIr(RATE / 2, 32), cabIr(9000, 33)];
  const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
  runtime.loadIr({ slot: irSlot("a"), samples: irA }, () => {});
  runtime.settle();
  const events: string[] = [];
  let fadePeriod = -1;
  const out = runPeriods(runtime, di, (p) => {
    if (p === 10) runtime.loadIr({ slot: irSlot("b"), samples: irB }, () => events.push(`b@${clock.period}`));
    if (p === 13) {
      runtime.loadIr({ slot: irSlot("c"), samples: irC }, () => {
        events.push(`c@${clock.period}`);
        fadePeriod = clock.period;
      });
    }
  });
  assert.equal(runtime.irSlot?.id, "c");
  runtime.dispose();
  assert.deepEqual(events, ["b@13", `c@${13 + buildSteps(irC.length) - 1}`]);
  const ideal = dcBlock(idealIrSwap(di, irA, irC, fadePeriod * PERIOD), RATE);
  const end = Math.floor(di.length / PERIOD) * PERIOD;
  assert.ok(maxAbsDiff(out.subarray(0, end), ideal.subarray(0, end)) < 1e-6, "A crossfades straight to C");
});

test("unloading the IR while a load builds cancels the load and fades the playing IR out", async () => {
  const [irA, irB] = [cabIr(3000, 41), cabIr(RATE / 2, 42)];
  const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
  runtime.loadIr({ slot: irSlot("a"), samples: irA }, () => {});
  runtime.settle();
  const events: string[] = [];
  runPeriods(runtime, di.subarray(0, 40 * PERIOD), (p) => {
    if (p === 10) runtime.loadIr({ slot: irSlot("b"), samples: irB }, () => events.push(`b@${clock.period}`));
    if (p === 12) runtime.unloadIr(() => events.push(`unload@${clock.period}`));
  });
  assert.equal(runtime.irSlot, null);
  runtime.dispose();
  assert.deepEqual(events, ["b@12", "unload@12"]);
});

test("model swaps and bypass run unchanged while an IR builds in the background", async () => {
  // The tiny model prewarms in two minimal slices, so its fade starts while the IR still builds.
  const [a, b] = await Promise.all(["synth_feather_v070.nam", "wavenet_tiny_core.nam"].map((f) => loadNamFile(join(models, f))));
  const device = { sampleRateHz: RATE, periodFrames: PERIOD };
  const [irA, irB] = [cabIr(3000, 51), cabIr(RATE / 2, 52)];
  const runs = await Promise.all([false, true].map(async (withIrLoad) => {
    const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
    runtime.loadModel(prepareModel({ id: "a", name: "a", model: a, slim: null }, device, "fast"), () => {});
    runtime.loadIr({ slot: irSlot("a"), samples: irA }, () => {});
    runtime.settle();
    let modelFade = -1;
    let irFade = -1;
    const out = runPeriods(runtime, di, (p) => {
      if (p === 10) {
        runtime.loadModel(prepareModel({ id: "b", name: "b", model: b, slim: null }, device, "fast"), () => (modelFade = clock.period));
        if (withIrLoad) runtime.loadIr({ slot: irSlot("b"), samples: irB }, () => (irFade = clock.period));
      }
      if (p === 11) runtime.setBypass(true);
      if (p === 14) runtime.setBypass(false);
    });
    runtime.dispose();
    return { out, modelFade, irFade };
  }));
  const [alone, withIr] = runs as [typeof runs[0], typeof runs[0]];
  assert.equal(withIr.modelFade, alone.modelFade, "the model fade starts in the same period");
  assert.equal(withIr.irFade, 10 + buildSteps(irB.length) - 1);
  assert.ok(alone.modelFade < withIr.irFade && 14 < withIr.irFade, "the model swap and the bypass ramps happen during the IR build");
  const untilIrFade = withIr.irFade * PERIOD;
  assert.deepEqual(withIr.out.subarray(0, untilIrFade), alone.out.subarray(0, untilIrFade));
});

/** A Linear identity model (one tap of 1) that states `sampleRateHz`. */
function identityModel(sampleRateHz: number) {
  return parseNamText(JSON.stringify({
    version: "0.5.4", architecture: "Linear", sample_rate: sampleRateHz, config: { receptive_field: 1, bias: false }, weights: [1],
  }), "identity.nam");
}

/** Sub-frame position where `ratio` first crosses `level` (in `direction`) at or after `from`, over the valid frames. */
function crossing(ratio: Float64Array, valid: boolean[], level: number, direction: 1 | -1, from: number): number {
  let last = -1;
  for (let n = from; n < ratio.length; n++) {
    if (!valid[n]) continue;
    if (last >= 0 && direction * (ratio[last]! - level) < 0 && direction * (ratio[n]! - level) >= 0) {
      return last + ((level - ratio[last]!) / (ratio[n]! - ratio[last]!)) * (n - last);
    }
    last = n;
  }
  return Number.NaN;
}

test("the gate opens and closes on the resampled model's output as late as the model's signal comes", async (t) => {
  const rate = 44100;
  const burst = { from: 8820, to: 17640 };
  const input = Float32Array.from({ length: 30000 }, (_, i) =>
    (i >= burst.from && i < burst.to ? 0.5 : 0.01) * Math.sin((2 * Math.PI * 1000 * i) / rate));
  const gate = { enabled: true, thresholdDb: -30, hysteresisDb: 6, attackMs: 2, holdMs: 0, releaseMs: 5, rangeDb: -20 };
  const run = async (modelRateHz: number, gateOn: boolean) => {
    const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: rate, maxFrames: PERIOD },
      { ...neutralParams(), gate: { ...gate, enabled: gateOn } });
    const model = identityModel(modelRateHz);
    runtime.loadModel(prepareModel({ id: "identity", name: "identity", model, slim: null }, { sampleRateHz: rate, periodFrames: PERIOD }, "fast"), () => {});
    runtime.settle();
    const latencyFrames = (runtime.addedLatencyMs * rate) / 1000;
    const out = new Float32Array(input.length);
    for (let s = 0; s + PERIOD <= input.length; s += PERIOD) runtime.process(input.subarray(s, s + PERIOD), out.subarray(s, s + PERIOD));
    runtime.dispose();
    return { out, latencyFrames };
  };
  /** The gate's gain on the output: gated / ungated, where the ungated output is far from a zero crossing. */
  const edges = async (modelRateHz: number) => {
    const [gated, ungated] = [await run(modelRateHz, true), await run(modelRateHz, false)];
    const ratio = Float64Array.from(gated.out, (y, n) => y / ungated.out[n]!);
    const valid = Array.from(ungated.out, (y) => Math.abs(y) > 2e-3);
    const opens = crossing(ratio, valid, 0.55, 1, burst.from - 100);
    return { opens, closes: crossing(ratio, valid, 0.55, -1, burst.to), latencyFrames: gated.latencyFrames };
  };
  const direct = await edges(rate);
  const resampled = await edges(48000);
  const opensShift = resampled.opens - direct.opens;
  const closesShift = resampled.closes - direct.closes;
  t.diagnostic(`gate edges on the 48 kHz model at 44.1 kHz: ${opensShift.toFixed(2)} / ${closesShift.toFixed(2)} frames later ` +
    `than at the model's own rate; the model's signal comes ${resampled.latencyFrames.toFixed(2)} frames later`);
  assert.equal(direct.latencyFrames, 0);
  assert.ok(direct.opens > burst.from && direct.closes > burst.to, `edges ${direct.opens}, ${direct.closes}`);
  assert.ok(Math.abs(opensShift - resampled.latencyFrames) <= 1.5, `opens ${opensShift} frames later`);
  assert.ok(Math.abs(closesShift - resampled.latencyFrames) <= 1.5, `closes ${closesShift} frames later`);
});

test("with the worker's heap reserve, loading and swapping models and 500 ms IRs never grows WASM memory", async () => {
  const device = { sampleRateHz: RATE, periodFrames: PERIOD };
  const standard = await loadNamFile(join(models, "standard_core_a1.nam"));
  const feather = await loadNamFile(join(models, "synth_feather_v070.nam"));
  /** WASM memory bytes before and after two model and two IR loads, played until they are heard. */
  const memoryAcrossLoads = async (heapReserveBytes: number) => {
    const dsp = instantiateDsp(await compileDsp());
    const runtime = new ChainRuntime(dsp, { sampleRateHz: RATE, maxFrames: PERIOD, heapReserveBytes }, neutralParams());
    const before = dsp.memory.buffer.byteLength;
    for (const [id, model, seed] of [["a", standard, 51], ["b", feather, 52]] as const) {
      runPeriods(runtime, di, (p) => {
        if (p === 0) runtime.loadModel(prepareModel({ id, name: id, model, slim: null }, device, "fast"), () => {});
        if (p === 1) runtime.loadIr({ slot: irSlot(id), samples: cabIr(RATE / 2, seed) }, () => {});
      });
      runtime.settle();
    }
    assert.equal(runtime.modelSlot?.id, "b");
    assert.equal(runtime.irSlot?.id, "b");
    const after = dsp.memory.buffer.byteLength;
    runtime.dispose();
    return { before, after };
  };
  const reserved = await memoryAcrossLoads(HEAP_RESERVE_BYTES);
  assert.equal(reserved.after, reserved.before, "memory grew during loads despite the reserve");
  // The same loads without the reserve do grow it: the check above can see a growth.
  const unreserved = await memoryAcrossLoads(0);
  assert.ok(unreserved.after > unreserved.before, `${unreserved.before} → ${unreserved.after} bytes without a reserve`);
});

test("a new model load supersedes one still prewarming: the older never plays, its request completes at once", async () => {
  const [x, a, b] = await Promise.all(["wavenet_tiny_core.nam", "standard_core_a1.nam", "synth_feather_v070.nam"].map((f) => loadNamFile(join(models, f))));
  const device = { sampleRateHz: RATE, periodFrames: PERIOD };
  /** X playing; B loaded at period 11, after A was loaded at 10 (or not at all). */
  const run = async (withA: boolean) => {
    const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
    runtime.loadModel(prepareModel({ id: "x", name: "x", model: x, slim: null }, device, "fast"), () => {});
    runtime.settle();
    const events: string[] = [];
    const out = runPeriods(runtime, di, (p) => {
      if (p === 10 && withA) runtime.loadModel(prepareModel({ id: "a", name: "a", model: a, slim: null }, device, "fast"), () => events.push(`a@${clock.period}`));
      if (p === 11) runtime.loadModel(prepareModel({ id: "b", name: "b", model: b, slim: null }, device, "fast"), () => events.push(`b@${clock.period}`));
    });
    assert.equal(runtime.modelSlot?.id, "b");
    runtime.dispose();
    return { out, events };
  };
  const [superseding, alone] = [await run(true), await run(false)];
  assert.equal(superseding.events[0], "a@11", "A's request completes when B supersedes it");
  assert.deepEqual(superseding.events.slice(1), alone.events);
  // Not a sample of A: X crossfades straight to the fully prewarmed B, as if A had never been asked for.
  assert.deepEqual(superseding.out, alone.out);
});

test("unloading the model while a load prewarms cancels the load", async () => {
  const [x, a] = await Promise.all(["wavenet_tiny_core.nam", "standard_core_a1.nam"].map((f) => loadNamFile(join(models, f))));
  const device = { sampleRateHz: RATE, periodFrames: PERIOD };
  const runtime = new ChainRuntime(instantiateDsp(await compileDsp()), { sampleRateHz: RATE, maxFrames: PERIOD }, neutralParams());
  runtime.loadModel(prepareModel({ id: "x", name: "x", model: x, slim: null }, device, "fast"), () => {});
  runtime.settle();
  const events: string[] = [];
  runPeriods(runtime, di.subarray(0, 40 * PERIOD), (p) => {
    if (p === 10) runtime.loadModel(prepareModel({ id: "a", name: "a", model: a, slim: null }, device, "fast"), () => events.push(`a@${clock.period}`));
    if (p === 11) runtime.unloadModel(() => events.push(`unload@${clock.period}`));
  });
  assert.equal(runtime.modelSlot, null);
  runtime.dispose();
  assert.deepEqual(events, ["a@11", "unload@11"]);
});
