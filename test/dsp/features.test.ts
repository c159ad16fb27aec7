// The WASM DSP (float32) against the independent float64 reference (test/reference/nam-float64.ts),
// one small seeded model per feature of nam-format.md, plus the core's example models and the
// spec's reference DC values. Each test logs its worst error as a diagnostic.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import { loadDsp, type NamModelRunner, type TanhMode } from "../../firmware/dsp/index.js";
import { loadNamFile, parseNamText, type NamModel } from "../../firmware/nam/index.js";
import { fixtures } from "../helpers/paths.js";
import { seededRandom } from "../helpers/random.js";
import {
  FILM_KEYS,
  modelText,
  seededConvNet,
  seededLinear,
  seededLstm,
  slimmableFeatureWaveNet,
  syntheticContainer,
  syntheticWaveNet,
  twoChannelConditionWaveNet,
  type ActivationJson,
  type ModelJson,
  type SyntheticLayerArray,
} from "../nam/synthetic-models.js";
import { ReferenceModel } from "../reference/nam-float64.js";

const dsp = await loadDsp();

const MAX_BLOCK = 64;
/** Irregular block lengths, some longer than MAX_BLOCK (process accepts any length). */
const IRREGULAR_BLOCKS = [1, 63, 7, 64, 200, 13, 2, 37, 128, 5];
/** Allowed max |DSP − reference| relative to the reference output's RMS (float32 against float64). */
const TOLERANCE = 1e-4;
const BOTH_TANH: TanhMode[] = ["exact", "fast"];

/** 2000 samples of sines plus noise peaking near −12 dBFS (0.25), times `gain`. */
function testSignal(gain = 1, length = 2000): Float32Array {
  const random = seededRandom(1234);
  return Float32Array.from({ length }, (_, t) => {
    const sines = 0.12 * Math.sin((2 * Math.PI * 110 * t) / 48000) + 0.07 * Math.sin((2 * Math.PI * 1375 * t) / 48000 + 1);
    return gain * (sines + 0.05 * (2 * random() - 1));
  });
}

function render(runner: NamModelRunner, input: Float32Array, blocks: readonly number[]): Float32Array {
  const output = new Float32Array(input.length);
  for (let start = 0, i = 0; start < input.length; i++) {
    const end = Math.min(input.length, start + blocks[i % blocks.length]!);
    runner.process(input.subarray(start, end), output.subarray(start, end));
    start = end;
  }
  return output;
}

function rms(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / values.length);
}

/** max |actual − expected| / RMS(expected). */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst / rms(expected);
}

interface RunOptions {
  tanh?: TanhMode[];
  slim?: number | null;
  prewarm?: boolean;
  /** Scales the test signal (louder input drives activations into their clamps and knees). */
  inputGain?: number;
}

function parse(json: ModelJson, name: string): NamModel {
  return parseNamText(modelText(json), name);
}

/**
 * Runs `model` through the DSP (blocks of 64 and an irregular pattern) and the reference for every
 * requested tanh mode; asserts the error bound and that the output is not dominated by a constant.
 * Returns the reference output of the last mode.
 */
function compareWithReference(t: TestContext, model: NamModel, options: RunOptions = {}): Float64Array {
  const { slim = null, prewarm = true } = options;
  const input = testSignal(options.inputGain);
  let expected: Float64Array = new Float64Array(0);
  for (const tanh of options.tanh ?? ["exact"]) {
    expected = new ReferenceModel(model, { tanh, maxBlockFrames: MAX_BLOCK, prewarm, slim }).process(input);
    const mean = expected.reduce((total, value) => total + value, 0) / expected.length;
    // With the signal's variation ≥ 1% of the RMS, any discrepancy above 1% of that variation fails the bound.
    const variation = rms(expected.map((value) => value - mean)) / rms(expected);
    assert.ok(variation >= 0.01, `${model.source}: the output barely moves (AC ${variation.toExponential(2)} × RMS)`);
    let worst = 0;
    for (const blocks of [[MAX_BLOCK], IRREGULAR_BLOCKS]) {
      const runner = dsp.createRunner(model, { tanh, maxBlockFrames: MAX_BLOCK, prewarm, slim });
      const error = relativeError(render(runner, input, blocks), expected);
      runner.dispose();
      assert.ok(error <= TOLERANCE, `${model.source}, ${tanh} tanh, blocks ${blocks.join("/")}: max |diff| = ${error.toExponential(2)} × RMS`);
      worst = Math.max(worst, error);
    }
    const settings = [`${tanh} tanh`, ...(slim === null ? [] : [`slim ${slim}`]), ...(prewarm ? [] : ["no prewarm"])];
    t.diagnostic(`${model.source} (${settings.join(", ")}): max |diff| / RMS = ${worst.toExponential(2)}`);
  }
  return expected;
}

/** A one-array WaveNet around `array` (defaults: 3 channels, kernels 2 and 3, dilations 1 and 2, Tanh). */
function waveNet(
  name: string,
  array: Partial<SyntheticLayerArray>,
  seed = 1,
  extra: { conditionDsp?: ModelJson; weightScale?: number } = {},
): NamModel {
  const base: SyntheticLayerArray = {
    inputSize: 1,
    channels: 3,
    dilations: [1, 2],
    kernelSizes: [2, 3],
    activation: "Tanh",
    head: { outChannels: 1, bias: true },
  };
  return parse(syntheticWaveNet({ arrays: [{ ...base, ...array }], seed, ...extra }), name);
}

// ---------------------------------------------------------------------------------------------
// WaveNet layers

test("two layer arrays (head accumulator seeded from the previous head), plain Tanh layers", (t) => {
  const json = syntheticWaveNet({
    arrays: [
      { inputSize: 1, channels: 4, dilations: [1, 2, 4], kernelSizes: [3, 3, 3], activation: "Tanh", head: { outChannels: 2, bias: false } },
      { inputSize: 4, channels: 2, dilations: [1, 8], kernelSizes: [3, 3], activation: "Tanh", head: { outChannels: 1, bias: true } },
    ],
    seed: 2,
  });
  compareWithReference(t, parse(json, "two-arrays"), { tanh: BOTH_TANH });
});

for (const gating of ["gated", "blended"] as const) {
  test(`gating "${gating}" with the default Sigmoid gate and with a Tanh secondary`, (t) => {
    compareWithReference(t, waveNet(`${gating}-sigmoid`, { gating }), { tanh: BOTH_TANH });
    compareWithReference(t, waveNet(`${gating}-tanh-secondary`, { gating, secondaryActivation: "Tanh" }), { tanh: BOTH_TANH });
  });
}

test("legacy `gated: true` gates with Sigmoid and ignores secondary_activation", (t) => {
  compareWithReference(t, waveNet("legacy-gated", { legacyGated: true, secondaryActivation: "ReLU" }), { tanh: BOTH_TANH });
});

test("per-layer gating modes and secondary activations", (t) => {
  const model = waveNet("per-layer-gating", {
    dilations: [1, 2, 3],
    kernelSizes: [2, 2, 2],
    gating: ["gated", "none", "blended"],
    secondaryActivation: [{ type: "Hardswish" }, null, { type: "LeakyHardtanh", min_val: -0.2, max_val: 0.3 }],
  });
  compareWithReference(t, model, { tanh: BOTH_TANH, inputGain: 4 });
});

test("grouped dilated conv (gated) and depthwise conv", (t) => {
  compareWithReference(t, waveNet("grouped-conv", { channels: 4, groupsInput: 2, gating: "gated" }, 3), { tanh: BOTH_TANH });
  compareWithReference(t, waveNet("depthwise-conv", { channels: 4, groupsInput: 4 }, 4), { tanh: BOTH_TANH });
});

test("grouped input mixin (2-channel condition, 2 groups)", (t) => {
  const model = waveNet("grouped-mixin", { channels: 4, conditionSize: 2, groupsInputMixin: 2 }, 5, { conditionDsp: twoChannelConditionWaveNet(6) });
  compareWithReference(t, model, { tanh: BOTH_TANH });
});

test("grouped layer1x1 and grouped head1x1", (t) => {
  compareWithReference(t, waveNet("grouped-layer1x1", { channels: 4, layer1x1: { active: true, groups: 2 } }, 7), { tanh: BOTH_TANH });
  const head1x1 = { active: true, outChannels: 2, groups: 2 };
  compareWithReference(t, waveNet("grouped-head1x1", { channels: 4, head1x1 }, 8), { tanh: BOTH_TANH });
});

test("bottleneck narrower than channels", (t) => {
  compareWithReference(t, waveNet("bottleneck", { channels: 4, bottleneck: 2, gating: "gated" }, 9), { tanh: BOTH_TANH });
});

test("layer1x1 inactive: the residual stream passes through unchanged (core quirk)", (t) => {
  const model = waveNet("layer1x1-inactive", { dilations: [1, 2, 4], kernelSizes: [2, 3, 2], layer1x1: { active: false, groups: 1 } }, 10);
  compareWithReference(t, model, { tanh: BOTH_TANH });
});

test("head1x1 active (3 outputs into a 3-wide head accumulator)", (t) => {
  compareWithReference(t, waveNet("head1x1", { bottleneck: 2, head1x1: { active: true, outChannels: 3, groups: 1 } }, 11), { tanh: BOTH_TANH });
});

test("each FiLM, with and without shift", (t) => {
  for (const key of FILM_KEYS) {
    for (const shift of [true, false]) {
      const model = waveNet(
        `${key}${shift ? "" : "-no-shift"}`,
        {
          dilations: [1, 2, 1],
          kernelSizes: [2, 3, 2],
          gating: ["none", "gated", "blended"],
          head1x1: { active: true, outChannels: 2, groups: 1 },
          films: { [key]: { shift } },
        },
        12,
      );
      compareWithReference(t, model, { tanh: BOTH_TANH });
    }
  }
});

test("layer1x1_post_film in non-blended layers (loaded, not applied) and in a blended layer", (t) => {
  const films = { layer1x1_post_film: { shift: true } };
  compareWithReference(t, waveNet("layer1x1-post-film-none", { gating: ["none", "gated"], films }, 13), { tanh: BOTH_TANH });
  compareWithReference(t, waveNet("layer1x1-post-film-blended", { gating: ["blended", "blended"], films }, 14), { tanh: BOTH_TANH });
});

test("grouped FiLMs on a 2-channel condition, all eight at once", (t) => {
  const films = Object.fromEntries(FILM_KEYS.map((key) => [key, { shift: true, groups: 2 }]));
  const model = waveNet(
    "grouped-films",
    { channels: 4, conditionSize: 2, gating: ["blended", "gated"], head1x1: { active: true, outChannels: 2, groups: 1 }, films },
    15,
    { conditionDsp: twoChannelConditionWaveNet(16) },
  );
  compareWithReference(t, model, { tanh: BOTH_TANH });
});

test("per-layer kernel sizes (1, 3, 4) and per-layer activations", (t) => {
  compareWithReference(t, waveNet("kernel-sizes", { dilations: [1, 2, 3], kernelSizes: [1, 3, 4] }, 17), { tanh: BOTH_TANH });
  const activation = ["Tanh", "ReLU", { type: "Softsign" }];
  compareWithReference(t, waveNet("per-layer-activations", { dilations: [1, 2, 3], kernelSizes: [2, 2, 2], activation }, 18), {
    tanh: BOTH_TANH,
    inputGain: 4,
  });
});

const ACTIVATIONS: [string, ActivationJson][] = [
  ["Tanh", "Tanh"],
  ["Fasttanh", "Fasttanh"],
  ["Hardtanh", { type: "Hardtanh", min_val: -0.5, max_val: 0.5 }], // bounds ignored by the core: ±1
  ["ReLU", "ReLU"],
  ["LeakyReLU (string, 0.01)", "LeakyReLU"],
  ["LeakyReLU slope 0.2", { type: "LeakyReLU", negative_slope: 0.2 }],
  ["PReLU single slope", { type: "PReLU", negative_slope: -0.3 }],
  ["PReLU per channel", { type: "PReLU", negative_slopes: [0.1, -0.2, 0.4] }],
  ["Sigmoid", "Sigmoid"],
  ["SiLU", "SiLU"],
  ["Hardswish", "Hardswish"],
  ["LeakyHardtanh defaults", "LeakyHardtanh"],
  ["LeakyHardTanh alias with params", { type: "LeakyHardTanh", min_val: -0.5, max_val: 0.7, min_slope: 0.1, max_slope: 0.3 }],
  ["Softsign", "Softsign"],
];

// Weights in ±1.5 and a 4× louder input drive the pre-activations beyond ±6, through every clamp and knee.
for (const [label, activation] of ACTIVATIONS) {
  test(`activation ${label} (as primary and as gate)`, (t) => {
    const array: Partial<SyntheticLayerArray> = { activation, gating: ["none", "gated"], secondaryActivation: activation };
    compareWithReference(t, waveNet(`activation-${label}`, array, 19, { weightScale: 1.5 }), { tanh: BOTH_TANH, inputGain: 4 });
  });
}

test("array head with kernel 3, dilation 2 and bias", (t) => {
  compareWithReference(t, waveNet("head-kernel", { head: { outChannels: 1, bias: true, kernelSize: 3, dilation: 2 } }, 20), { tanh: BOTH_TANH });
});

test("post-stack head with 2 blocks", (t) => {
  const json = syntheticWaveNet({
    arrays: [{ inputSize: 1, channels: 3, dilations: [1, 2], kernelSizes: [2, 3], activation: "Tanh", head: { outChannels: 2, bias: true } }],
    postHead: { channels: 3, outChannels: 1, kernelSizes: [2, 3], activation: "Tanh" },
    seed: 21,
    headScale: 2,
  });
  compareWithReference(t, parse(json, "post-head"), { tanh: BOTH_TANH });
});

test("condition_dsp: a 2-channel WaveNet condition and an LSTM condition", (t) => {
  const waveNetCondition = syntheticWaveNet({
    arrays: [
      { inputSize: 1, channels: 3, dilations: [1, 2], kernelSizes: [3, 3], activation: "Tanh", conditionSize: 2, head: { outChannels: 1, bias: true } },
    ],
    conditionDsp: twoChannelConditionWaveNet(22),
    seed: 23,
  });
  compareWithReference(t, parse(waveNetCondition, "wavenet-condition"), { tanh: BOTH_TANH });
  const lstmCondition = syntheticWaveNet({
    arrays: [{ inputSize: 1, channels: 3, dilations: [1, 2], kernelSizes: [2, 2], activation: "Tanh", head: { outChannels: 1, bias: true } }],
    conditionDsp: seededLstm(1, 3, 24),
    seed: 25,
  });
  compareWithReference(t, parse(lstmCondition, "lstm-condition"), { tanh: BOTH_TANH });
});

// ---------------------------------------------------------------------------------------------
// Other architectures

test("LSTM, 2 layers, hidden size 5", (t) => {
  compareWithReference(t, parse(seededLstm(2, 5, 24), "lstm-2x5"), { tanh: BOTH_TANH, inputGain: 3 });
});

test("ConvNet with and without batch norm", (t) => {
  for (const batchnorm of [false, true]) {
    const json = seededConvNet({ channels: 3, dilations: [1, 2, 4], batchnorm, activation: "Tanh", seed: 27 });
    compareWithReference(t, parse(json, `convnet${batchnorm ? "-batchnorm" : ""}`), { tanh: BOTH_TANH, inputGain: 2 });
  }
});

test("Linear with and without bias", (t) => {
  for (const bias of [false, true]) compareWithReference(t, parse(seededLinear(12, bias, 28), `linear${bias ? "-bias" : ""}`));
});

// ---------------------------------------------------------------------------------------------
// Slimming, prewarm, reset

test("slimmable WaveNet (two slimmable arrays and a fixed one, 2-channel condition; gating, FiLMs, head1x1) at several ratios", (t) => {
  const model = parse(slimmableFeatureWaveNet(), "slimmable");
  const outputs = [0, 0.4, 0.6, 0.9, null].map((slim) => compareWithReference(t, model, { slim, tanh: BOTH_TANH }));
  assert.ok(outputs[0]!.some((value, i) => value !== outputs[4]![i]), "slimming changes the output");
});

test("SlimmableContainer at ratios around each max_value boundary (strict <)", (t) => {
  const json = syntheticContainer([
    { maxValue: 0.3, model: seededLstm(1, 3, 30) },
    { maxValue: 0.7, model: seededLinear(8, true, 31) },
    {
      maxValue: 1,
      model: syntheticWaveNet({
        arrays: [{ inputSize: 1, channels: 2, dilations: [1, 2], kernelSizes: [2, 2], activation: "Tanh", head: { outChannels: 1, bias: true } }],
        seed: 32,
      }),
    },
  ]);
  const model = parse(json, "container");
  for (const slim of [0, 0.2999, 0.3, 0.6999, 0.7, 1, null]) compareWithReference(t, model, { slim, tanh: BOTH_TANH });
});

test("prewarm off and on (the histories start at zeros or at the steady state)", (t) => {
  const model = waveNet("prewarm", { dilations: [4, 16], kernelSizes: [3, 3] }, 33);
  const cold = compareWithReference(t, model, { prewarm: false, tanh: BOTH_TANH });
  const warm = compareWithReference(t, model, { prewarm: true, tanh: BOTH_TANH });
  assert.ok(Math.abs(cold[0]! - warm[0]!) > 1e-4, "prewarm changes the first outputs");
});

test("reset mid-stream: WaveNet histories cleared, Linear history and LSTM state kept", (t) => {
  const models = [
    waveNet("reset-wavenet", { dilations: [1, 8], kernelSizes: [3, 3] }, 34),
    parse(seededLinear(16, true, 35), "reset-linear"),
    parse(seededLstm(1, 4, 36), "reset-lstm"),
    parse(seededConvNet({ channels: 2, dilations: [1, 2], batchnorm: true, activation: "Tanh", seed: 37 }), "reset-convnet"),
  ];
  const input = testSignal(2);
  const split = 1000;
  for (const model of models) {
    for (const tanh of BOTH_TANH) {
      const reference = new ReferenceModel(model, { tanh, maxBlockFrames: MAX_BLOCK });
      const expected = new Float64Array(input.length);
      expected.set(reference.process(input.subarray(0, split)));
      reference.reset();
      expected.set(reference.process(input.subarray(split)), split);

      const runner = dsp.createRunner(model, { tanh, maxBlockFrames: MAX_BLOCK });
      const actual = new Float32Array(input.length);
      actual.set(render(runner, input.subarray(0, split), [MAX_BLOCK]));
      runner.reset();
      actual.set(render(runner, input.subarray(split), IRREGULAR_BLOCKS), split);
      runner.dispose();

      const error = relativeError(actual, expected);
      assert.ok(error <= TOLERANCE, `${model.source}, ${tanh} tanh: max |diff| = ${error.toExponential(2)} × RMS`);
      t.diagnostic(`${model.source} (${tanh} tanh): max |diff| / RMS = ${error.toExponential(2)}`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// The core's example models and the spec's reference values (section 11)

const coreExamples = join(fixtures, "models", "core-examples");

test("core example A2.nam at slim 0 and 1", async (t) => {
  const model = await loadNamFile(join(coreExamples, "A2.nam"));
  for (const slim of [0, 1]) compareWithReference(t, model, { slim });
});

test("core example slimmable_wavenet.nam at several ratios", async (t) => {
  const model = await loadNamFile(join(coreExamples, "slimmable_wavenet.nam"));
  for (const slim of [0, 0.34, 0.67, 1, null]) compareWithReference(t, model, { slim });
});

test("core example slimmable_container.nam", async (t) => {
  const model = await loadNamFile(join(coreExamples, "slimmable_container.nam"));
  for (const slim of [0, 0.5, 1]) compareWithReference(t, model, { slim, tanh: BOTH_TANH });
});

test("core example wavenet_condition_dsp.nam", async (t) => {
  const model = await loadNamFile(join(coreExamples, "wavenet_condition_dsp.nam"));
  compareWithReference(t, model, { tanh: BOTH_TANH });
});

test("A2.nam silence output matches the core's DC values (spec section 11, exact tanh)", async () => {
  const model = await loadNamFile(join(coreExamples, "A2.nam"));
  for (const [slim, dc] of [[0, -0.00097392994], [1, 0.00025040895]] as const) {
    const runner = dsp.createRunner(model, { tanh: "exact", maxBlockFrames: MAX_BLOCK, slim });
    const output = new Float32Array(1);
    runner.process(new Float32Array(1), output);
    runner.dispose();
    const reference = new ReferenceModel(model, { tanh: "exact", maxBlockFrames: MAX_BLOCK, slim }).process(new Float64Array(1));
    assert.ok(Math.abs(output[0]! - dc) <= 1e-6, `DSP, slim ${slim}: ${output[0]} vs ${dc}`);
    assert.ok(Math.abs(reference[0]! - dc) <= 1e-6, `reference, slim ${slim}: ${reference[0]} vs ${dc}`);
  }
});
