// Small, valid `.nam` model objects for loader tests, with hand-computed weight counts.
// Tests mutate copies of them to build malformed inputs.

/** Plain JSON that tests poke into freely. */
export type ModelJson = Record<string, any>;

/** Deterministic, varied weights (not all equal, so order mistakes would show). */
export function syntheticWeights(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round(Math.sin(i + 1) * 1e6) / 2e6);
}

export function modelText(model: ModelJson): string {
  return JSON.stringify(model);
}

interface ArrayShape {
  inputSize: number;
  channels: number;
  headSize: number;
  headBias: boolean;
  dilations: number[];
  kernelSize?: number;
}

/** A layer array as 0.5.x files write it: head_size/head_bias, kernel_size, string activation, gated. */
export function legacyLayerArray(shape: ArrayShape): ModelJson {
  return {
    input_size: shape.inputSize,
    condition_size: 1,
    head_size: shape.headSize,
    channels: shape.channels,
    kernel_size: shape.kernelSize ?? 3,
    dilations: shape.dilations,
    activation: "Tanh",
    gated: false,
    head_bias: shape.headBias,
  };
}

/** The same layer array as the 0.7.0 trainer exports it (every key spelled out, FiLMs as inactive objects). */
export function currentLayerArray(shape: ArrayShape): ModelJson {
  const layers = shape.dilations.length;
  const inactiveFilm = { active: false, shift: true, groups: 1 };
  return {
    input_size: shape.inputSize,
    condition_size: 1,
    head: { out_channels: shape.headSize, kernel_size: 1, bias: shape.headBias },
    channels: shape.channels,
    kernel_sizes: new Array(layers).fill(shape.kernelSize ?? 3),
    dilations: shape.dilations,
    activation: new Array(layers).fill({ type: "Tanh" }),
    bottleneck: shape.channels,
    head1x1: { active: false, out_channels: 1, groups: 1 },
    layer1x1: { active: true, groups: 1 },
    groups_input: 1,
    groups_input_mixin: 1,
    conv_pre_film: inactiveFilm,
    conv_post_film: inactiveFilm,
    input_mixin_pre_film: inactiveFilm,
    input_mixin_post_film: inactiveFilm,
    activation_pre_film: inactiveFilm,
    activation_post_film: inactiveFilm,
    layer1x1_post_film: inactiveFilm,
    head1x1_post_film: inactiveFilm,
    gating_mode: new Array(layers).fill("none"),
    secondary_activation: new Array(layers).fill(null),
    slimmable: null,
  };
}

type Dialect = "legacy" | "current";

function waveNet(version: string, layers: ModelJson[], weightCount: number, extra: ModelJson = {}): ModelJson {
  return {
    version,
    architecture: "WaveNet",
    config: { layers, head: null, head_scale: 0.02 },
    weights: syntheticWeights(weightCount),
    ...extra,
  };
}

/**
 * The core's example `wavenet.nam` shape: arrays (1→3 ch, dilations 1, 2, head 2) and (3→2 ch, dilation 8, head 1 + bias).
 * 99 + 31 + head_scale = 131 weights; receptive field 1 + 2·(1 + 2) + 2·8 = 23.
 */
export function tinyWaveNet(dialect: Dialect = "legacy"): ModelJson {
  const layerArray = dialect === "legacy" ? legacyLayerArray : currentLayerArray;
  return waveNet(
    dialect === "legacy" ? "0.5.4" : "0.7.0",
    [
      layerArray({ inputSize: 1, channels: 3, headSize: 2, headBias: false, dilations: [1, 2] }),
      layerArray({ inputSize: 3, channels: 2, headSize: 1, headBias: true, dilations: [8] }),
    ],
    131,
    { sample_rate: 48000 },
  );
}

const powersOfTwo = (count: number) => Array.from({ length: count }, (_, i) => 2 ** i);

/** The trainer's A1 presets (nam-format.md 2.1.3) with the weight counts of 4.7. */
export const A1_PRESETS = {
  standard: { first: 16, second: 8, firstDilations: powersOfTwo(10), secondDilations: powersOfTwo(10), weights: 13802 },
  lite: { first: 12, second: 6, firstDilations: powersOfTwo(7), secondDilations: [128, 256, 512, ...powersOfTwo(10)], weights: 6554 },
  feather: { first: 8, second: 4, firstDilations: powersOfTwo(7), secondDilations: [128, 256, 512, ...powersOfTwo(10)], weights: 3026 },
  nano: { first: 4, second: 2, firstDilations: powersOfTwo(7), secondDilations: [128, 256, 512, ...powersOfTwo(10)], weights: 842 },
} as const;

export function a1Preset(name: keyof typeof A1_PRESETS, dialect: Dialect = "legacy"): ModelJson {
  const preset = A1_PRESETS[name];
  const layerArray = dialect === "legacy" ? legacyLayerArray : currentLayerArray;
  return waveNet(
    dialect === "legacy" ? "0.5.1" : "0.7.0",
    [
      layerArray({ inputSize: 1, channels: preset.first, headSize: preset.second, headBias: false, dilations: [...preset.firstDilations] }),
      layerArray({ inputSize: preset.first, channels: preset.second, headSize: 1, headBias: true, dilations: [...preset.secondDilations] }),
    ],
    preset.weights,
  );
}

const A2_SHORT = [1, 3, 7, 17, 41, 101, 239];

/** One A2 submodel (2.1.3) of width C: 21 layers K=6 (7C²+3C each), 2 layers K=15 (16C²+3C), rechannel C, head 16C+1, head_scale. */
export function a2WaveNet(channels: number): ModelJson {
  const C = channels;
  const weightCount = 21 * (7 * C * C + 3 * C) + 2 * (16 * C * C + 3 * C) + C + 16 * C + 1 + 1;
  const layers = 23;
  return {
    version: "0.7.0",
    architecture: "WaveNet",
    config: {
      layers: [
        {
          ...currentLayerArray({ inputSize: 1, channels: C, headSize: 1, headBias: true, dilations: [...A2_SHORT, ...A2_SHORT, 1, 13, ...A2_SHORT] }),
          head: { out_channels: 1, kernel_size: 16, bias: true },
          kernel_sizes: [...new Array(14).fill(6), 15, 15, ...new Array(7).fill(6)],
          activation: new Array(layers).fill({ type: "LeakyReLU", negative_slope: 0.01 }),
        },
      ],
      head: null,
      head_scale: 0.01,
    },
    weights: syntheticWeights(weightCount),
    sample_rate: 48000,
  };
}

/** LSTM weights: per layer 4H·(I+H) + 4H + 2H, head O·H + O (6.1). */
export function lstmModel(numLayers: number, hiddenSize: number, extra: ModelJson = {}): ModelJson {
  const H = hiddenSize;
  let weightCount = H + 1;
  for (let layer = 0; layer < numLayers; layer++) weightCount += 4 * H * ((layer === 0 ? 1 : H) + H) + 6 * H;
  return {
    version: "0.5.4",
    architecture: "LSTM",
    config: { num_layers: numLayers, input_size: 1, hidden_size: H },
    weights: syntheticWeights(weightCount),
    ...extra,
  };
}

/** A valid 1×3 LSTM with two outputs: loads, but a mono pedal cannot play it. 48 + 18 + head 2·3 + 2 = 74 weights. */
export function twoOutputLstm(): ModelJson {
  return {
    version: "0.5.4",
    architecture: "LSTM",
    config: { num_layers: 1, input_size: 1, hidden_size: 3, out_channels: 2 },
    weights: syntheticWeights(74),
  };
}

/**
 * Exercises the 0.6.0 options: an LSTM condition DSP (1×2, 2 outputs: 42 weights), gated and blended layers,
 * per-channel PReLU, LeakyHardTanh alias, grouped conv and layer1x1, head1x1, two FiLMs, a head conv with
 * kernel 2 / dilation 2. Weights: rechannel 2 + layer 44 + layer 48 + head 5 + head_scale 1 = 100
 * (worked out in classify.test.ts). Receptive field 1 + (1 + 4) + 2 = 8; prewarm 24000 + 7.
 */
export function featureWaveNet(): ModelJson {
  const condition = lstmModel(1, 2, { sample_rate: 48000 });
  condition.config.out_channels = 2;
  condition.weights = syntheticWeights(42);
  return {
    version: "0.6.0",
    architecture: "WaveNet",
    config: {
      condition_dsp: condition,
      layers: [
        {
          input_size: 1,
          condition_size: 2,
          channels: 2,
          bottleneck: 2,
          kernel_sizes: [2, 3],
          dilations: [1, 2],
          activation: [{ type: "PReLU", negative_slopes: [0.1, 0.2] }, "Softsign"],
          gating_mode: ["gated", "blended"],
          secondary_activation: ["Sigmoid", { type: "LeakyHardTanh" }],
          head: { out_channels: 1, kernel_size: 2, bias: true, head_dilation: 2 },
          layer1x1: { active: true, groups: 2 },
          head1x1: { active: true, out_channels: 2, groups: 1 },
          groups_input: 2,
          groups_input_mixin: 1,
          conv_pre_film: { shift: false },
          activation_post_film: { active: true, shift: true, groups: 2 },
          layer1x1_post_film: false,
        },
      ],
      head: null,
      head_scale: 0.02,
    },
    weights: syntheticWeights(100),
    sample_rate: 48000,
  };
}

/** One array C=4, allowed widths [2, 4], dilations 1, 2, ReLU: 162 weights at C=4, 50 at C=2. */
export function slimmableWaveNet(): ModelJson {
  return {
    version: "0.7.0",
    architecture: "WaveNet",
    config: {
      layers: [
        {
          ...legacyLayerArray({ inputSize: 1, channels: 4, headSize: 1, headBias: true, dilations: [1, 2] }),
          activation: "ReLU",
          slimmable: { method: "slice_channels_uniform", kwargs: { allowed_channels: [2, 4] } },
        },
      ],
      head: null,
      head_scale: 0.02,
    },
    weights: syntheticWeights(162),
    sample_rate: 48000,
  };
}

/** Channels 2, dilations 1, 2, batchnorm: blocks 4+9 and 8+9, head 2+1 → 33 weights. */
export function convNetModel(): ModelJson {
  return {
    version: "0.5.2",
    architecture: "ConvNet",
    config: { channels: 2, dilations: [1, 2], batchnorm: true, activation: "Tanh" },
    weights: syntheticWeights(33),
  };
}

/** Four taps plus bias. */
export function linearModel(): ModelJson {
  return {
    version: "0.5.2",
    architecture: "Linear",
    config: { receptive_field: 4, bias: true },
    weights: syntheticWeights(5),
  };
}

/** An LSTM 1×3 (70 weights) for slim < 0.5 and the tiny WaveNet (131) above. */
export function containerModel(): ModelJson {
  return {
    version: "0.7.0",
    architecture: "SlimmableContainer",
    config: {
      submodels: [
        { max_value: 0.5, model: lstmModel(1, 3, { sample_rate: 48000 }) },
        { max_value: 1.0, model: tinyWaveNet() },
      ],
    },
    weights: [],
    sample_rate: 48000,
    metadata: { loudness: -18.5 },
  };
}

export function clone(model: ModelJson): ModelJson {
  return structuredClone(model);
}
