// Sanity checks of the float64 reference itself against outputs worked out by hand from the spec,
// so that the DSP feature tests compare against something known to be right.

import { test } from "node:test";
import assert from "node:assert/strict";

import { parseNamText, type NamModel } from "../../firmware/nam/index.js";
import {
  modelText,
  seededLstm,
  syntheticContainer,
  syntheticWaveNet,
  type ModelJson,
  type SyntheticLayerArray,
} from "../nam/synthetic-models.js";
import { fastSigmoid, fastTanh, ReferenceModel, referenceSlimmedModel } from "./nam-float64.js";

function parse(json: ModelJson): NamModel {
  return parseNamText(modelText(json), "reference.nam");
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Inputs exactly representable in float32, so the model's input rounding changes nothing. */
const ramp = Float64Array.from({ length: 17 }, (_, i) => -2 + i * 0.25);

test("the minimal identity WaveNet of spec 4.7 outputs x for x > −1 (and the last weight is head_scale)", () => {
  const model = parse({
    version: "0.5.4",
    architecture: "WaveNet",
    config: {
      layers: [
        {
          input_size: 1,
          condition_size: 1,
          head: { out_channels: 1, kernel_size: 1, bias: true },
          channels: 1,
          kernel_size: 1,
          dilations: [1],
          activation: "ReLU",
          gated: false,
        },
      ],
      head: null,
      head_scale: 0.5, // overridden by the last weight, 1.0
    },
    weights: [1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, -1.0, 1.0],
  });
  const output = new ReferenceModel(model, { tanh: "exact" }).process(ramp);
  assertClose(output, ramp.map((x) => Math.max(x, -1)));
});

test("Linear: w[0] multiplies the current sample, bias added, history kept across reset", () => {
  const identity = new ReferenceModel(parse({ version: "0.5.2", architecture: "Linear", config: { receptive_field: 1, bias: false }, weights: [1] }), { tanh: "exact" });
  assertClose(identity.process(ramp), ramp);

  const model = parse({ version: "0.5.2", architecture: "Linear", config: { receptive_field: 3, bias: true }, weights: [1, 0.5, 0.25, 0.125] });
  const reference = new ReferenceModel(model, { tanh: "exact" });
  assertClose(reference.process(Float64Array.of(1, 0)), [1.125, 0.625]);
  reference.reset();
  assertClose(reference.process(Float64Array.of(0, 0)), [0.375, 0.125]);
});

/** One layer C = B = 1, kernel 2, dilation 1; weights listed in the order of 4.5. */
function oneLayerWaveNet(gating: "none" | "gated" | "blended", weights: number[], activation = "Tanh"): NamModel {
  return parse({
    version: "0.7.0",
    architecture: "WaveNet",
    config: {
      layers: [
        {
          input_size: 1,
          condition_size: 1,
          head: { out_channels: 1, kernel_size: 1, bias: true },
          channels: 1,
          kernel_sizes: [2],
          dilations: [1],
          activation,
          gating_mode: gating,
        },
      ],
      head: null,
      head_scale: 0.02,
    },
    weights,
  });
}

test("one plain layer, worked by hand: tap 0 on the previous sample, mixin, layer1x1, head, head_scale", () => {
  // rechannel 0.5 | conv taps 0.3 (x[t−1]), −0.7 (x[t]), bias 0.1 | mixin 0.9 | layer1x1 2, 0.4 | head 1.5, −0.2 | scale 0.25
  const model = oneLayerWaveNet("none", [0.5, 0.3, -0.7, 0.1, 0.9, 2, 0.4, 1.5, -0.2, 0.25]);
  const input = Float64Array.of(0.5, -0.25, 0.75, 1);
  for (const tanh of ["exact", "fast"] as const) {
    const act = tanh === "exact" ? Math.tanh : fastTanh;
    const expected = input.map((x, t) => {
      const previous = t === 0 ? 0 : 0.5 * input[t - 1]!;
      const z = Math.fround(0.3) * previous + Math.fround(-0.7) * 0.5 * x + Math.fround(0.1) + Math.fround(0.9) * x;
      return 0.25 * (1.5 * act(z) + Math.fround(-0.2));
    });
    assertClose(new ReferenceModel(model, { tanh }).process(input), expected, tanh === "fast" ? 1e-7 : 1e-12);
  }
});

test("gated and blended layers: the top half is the primary, the bottom half the (Sigmoid) gate", () => {
  // conv 2 rows × 2 taps: [0.2, 0.4], [−0.3, 0.6]; biases 0.1, −0.2; mixin 0.5, 0.7; layer1x1 1, 0; head 1, 0; scale 1
  const weights = [1, 0.2, 0.4, -0.3, 0.6, 0.1, -0.2, 0.5, 0.7, 1, 0, 1, 0, 1];
  const input = Float64Array.of(0.5, -1, 0.25);
  const halves = (t: number) => {
    const previous = t === 0 ? 0 : input[t - 1]!;
    const x = input[t]!;
    const primary = Math.fround(0.2) * previous + Math.fround(0.4) * x + Math.fround(0.1) + 0.5 * x;
    const gate = Math.fround(-0.3) * previous + Math.fround(0.6) * x + Math.fround(-0.2) + Math.fround(0.7) * x;
    return { primary, gate };
  };
  const gated = input.map((_, t) => Math.tanh(halves(t).primary) * sigmoid(halves(t).gate));
  assertClose(new ReferenceModel(oneLayerWaveNet("gated", weights), { tanh: "exact" }).process(input), gated);
  const blended = input.map((_, t) => {
    const { primary, gate } = halves(t);
    return sigmoid(gate) * Math.tanh(primary) + (1 - sigmoid(gate)) * primary;
  });
  assertClose(new ReferenceModel(oneLayerWaveNet("blended", weights), { tanh: "exact" }).process(input), blended);
});

test("fast tanh: float32 results, ≈ 4.4e-4 from tanh at most, above 1 for large inputs; fast sigmoid from it", () => {
  let worst = 0;
  for (let x = -6; x <= 6; x += 1 / 1024) {
    const y = fastTanh(x);
    assert.equal(Math.fround(y), y);
    worst = Math.max(worst, Math.abs(y - Math.tanh(x)));
  }
  assert.ok(worst > 4e-4 && worst < 4.6e-4, `max error ${worst}`);
  assert.ok(Math.abs(fastTanh(10) - 1.0003) < 1e-4);
  assert.ok(fastTanh(1e6) > 1.008);
  assert.equal(fastSigmoid(0), 0.5);
  assert.ok(Math.abs(fastSigmoid(2) - sigmoid(2)) < 3e-4);
});

test("LSTM, one layer H = 1, one step by hand; state survives reset", () => {
  // W rows i, f, g, o × [input, hidden]; b; h0; c0; head w, b
  const W = [0.5, -0.2, 0.3, 0.1, -0.4, 0.6, 0.2, 0.7];
  const b = [0.1, 0.2, -0.1, 0.05];
  const json = { version: "0.5.4", architecture: "LSTM", config: { num_layers: 1, input_size: 1, hidden_size: 1 }, weights: [...W, ...b, 0.3, -0.6, 1.5, -0.25] };
  const model = parse(json);
  const f = Math.fround;
  const x = 0.75;
  const gate = (row: number) => f(W[2 * row]!) * x + f(W[2 * row + 1]!) * f(0.3) + f(b[row]!);
  const cell = sigmoid(gate(1)) * f(-0.6) + sigmoid(gate(0)) * Math.tanh(gate(2));
  const hidden = sigmoid(gate(3)) * Math.tanh(cell);
  const reference = new ReferenceModel(model, { tanh: "exact", prewarm: false });
  assertClose(reference.process(Float64Array.of(x)), [f(1.5) * hidden + f(-0.25)]);

  const continued = new ReferenceModel(model, { tanh: "exact", prewarm: false });
  continued.process(Float64Array.of(x));
  continued.reset();
  const fresh = new ReferenceModel(model, { tanh: "exact", prewarm: false });
  assert.notEqual(continued.process(Float64Array.of(0))[0], fresh.process(Float64Array.of(0))[0]);
});

test("ConvNet with groups (2 channels in), with and without batch norm, by hand", () => {
  // One block, dilation 1, depthwise (groups 2): channel c sees only input channel c.
  const conv = [0.5, -1, 2, 0.25]; // [out][in/groups = 1][tap 0 = x[t−1], tap 1 = x[t]]
  const head = [1, -2, 0.5];
  const config = { channels: 2, dilations: [1], activation: "ReLU", groups: 2, in_channels: 2 };
  const frames = [[1, -1], [0.5, 2]];
  const blockOutputs = (bias: number[]) =>
    frames.map((x, t) => [0, 1].map((c) => conv[2 * c]! * (t === 0 ? 0 : frames[t - 1]![c]!) + conv[2 * c + 1]! * x[c]! + bias[c]!));

  const plain = new ReferenceModel(parse({ version: "0.5.2", architecture: "ConvNet", config: { ...config, batchnorm: false }, weights: [...conv, 0.5, -0.5, ...head] }), { tanh: "exact", prewarm: false });
  const expectedPlain = blockOutputs([0.5, -0.5]).map((y) => head[0]! * Math.max(0, y[0]!) + head[1]! * Math.max(0, y[1]!) + head[2]!);
  assertClose(frames.map((frame) => plain.processFrame(frame)[0]!), expectedPlain);

  // Batch norm: mean, var, γ, β per channel, then eps; y·scale + loc with scale = γ / sqrt(eps + var).
  const [mean, variance, gamma, beta, eps] = [[0.5, -0.25], [4, 0.25], [2, 1], [0.25, 0.5], 0.0];
  const batchnorm = new ReferenceModel(
    parse({ version: "0.5.2", architecture: "ConvNet", config: { ...config, batchnorm: true }, weights: [...conv, ...mean, ...variance, ...gamma, ...beta, eps, ...head] }),
    { tanh: "exact", prewarm: false },
  );
  const expectedBatchnorm = blockOutputs([0, 0]).map((y) => {
    const normalized = [0, 1].map((c) => Math.max(0, ((y[c]! - mean[c]!) * gamma[c]!) / Math.sqrt(variance[c]!) + beta[c]!));
    return head[0]! * normalized[0]! + head[1]! * normalized[1]! + head[2]!;
  });
  assertClose(frames.map((frame) => batchnorm.processFrame(frame)[0]!), expectedBatchnorm);
});

test("layer1x1_post_film only acts in blended layers, though its weights are always consumed", () => {
  const array = (gating: "none" | "blended"): SyntheticLayerArray => ({
    inputSize: 1,
    channels: 2,
    dilations: [1, 2],
    kernelSizes: [2, 2],
    activation: "Tanh",
    gating,
    head: { outChannels: 1, bias: true },
    films: { layer1x1_post_film: { shift: true } },
  });
  const input = Float64Array.from({ length: 32 }, (_, i) => Math.sin(i / 3));
  for (const gating of ["none", "blended"] as const) {
    const json = syntheticWaveNet({ arrays: [array(gating)], seed: 5 });
    const withoutFilm = structuredClone(json);
    withoutFilm.config.layers[0].layer1x1_post_film = false;
    // Drop the FiLM's 1·4 + 4 = 8 weights that follow each layer's conv, mixin and layer1x1
    // (2·2·2 + 2 + 2 + 6 = 18 weights ungated, 2·4·2 + 4 + 4 + 6 = 30 blended) after the rechannel's 2.
    const layerWeights = gating === "none" ? 18 : 30;
    const isFilmWeight = (i: number) => i >= 2 && i < 2 + 2 * (layerWeights + 8) && (i - 2) % (layerWeights + 8) >= layerWeights;
    withoutFilm.weights = json.weights.filter((_: number, i: number) => !isFilmWeight(i));
    const a = new ReferenceModel(parse(json), { tanh: "exact" }).process(input);
    const b = new ReferenceModel(parse(withoutFilm), { tanh: "exact" }).process(input);
    if (gating === "none") assertClose(a, b);
    else assert.ok(a.some((value, i) => Math.abs(value - b[i]!) > 1e-3), "the FiLM changes a blended layer");
  }
});

test("a WaveNet reset clears its histories: after reset and prewarm it restarts exactly", () => {
  const json = syntheticWaveNet({
    arrays: [{ inputSize: 1, channels: 2, dilations: [1, 4], kernelSizes: [3, 3], activation: "Tanh", head: { outChannels: 1, bias: true } }],
    seed: 11,
  });
  const input = Float64Array.from({ length: 40 }, (_, i) => Math.cos(i));
  const reference = new ReferenceModel(parse(json), { tanh: "exact" });
  const first = reference.process(input);
  reference.reset();
  assertClose(reference.process(input), first, 0);
});

test("slim selection: a container takes the first submodel with ratio < max_value, null the last", () => {
  const container = parse(
    syntheticContainer([
      { maxValue: 0.25, model: seededLstm(1, 2, 1) },
      { maxValue: 0.5, model: seededLstm(1, 3, 2) },
      { maxValue: 1, model: seededLstm(1, 4, 3) },
    ]),
  );
  const hiddenSize = (ratio: number | null) => {
    const chosen = referenceSlimmedModel(container, ratio).config;
    assert.equal(chosen.architecture, "LSTM");
    return chosen.hiddenSize;
  };
  assert.deepEqual([0, 0.2499, 0.25, 0.4999, 0.5, 1, null].map(hiddenSize), [2, 2, 3, 3, 4, 4, 4]);
});
