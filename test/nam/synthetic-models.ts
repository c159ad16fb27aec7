// Small, valid `.nam` model objects for loader tests, with hand-computed weight counts.
// Tests mutate copies of them to build malformed inputs.

import { seededRandom } from "../helpers/random.js";

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

// ---------------------------------------------------------------------------------------------
// Seeded models for numerical tests (test/dsp/features.test.ts): every WaveNet option, random
// weights of realistic scale so activations are exercised, drawn in the weight order of nam-format.md 4.5.


/** Uniform weights in ±scale. */
export function seededWeights(count: number, seed: number, scale = 0.3): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => (2 * random() - 1) * scale);
}

export type ActivationJson = string | ModelJson;
export type GatingJson = "none" | "gated" | "blended";

/** The eight FiLM keys in weight order (4.5). */
export const FILM_KEYS = [
  "conv_pre_film",
  "conv_post_film",
  "input_mixin_pre_film",
  "input_mixin_post_film",
  "activation_pre_film",
  "activation_post_film",
  "layer1x1_post_film",
  "head1x1_post_film",
] as const;

export type FilmKey = (typeof FILM_KEYS)[number];

/** A layer array in the 0.7.0 dialect; omitted options take the format's defaults. */
export interface SyntheticLayerArray {
  inputSize: number;
  channels: number;
  dilations: number[];
  kernelSizes: number[];
  activation: ActivationJson | ActivationJson[];
  head: { outChannels: number; bias: boolean; kernelSize?: number; dilation?: number };
  /** Default 1 (the raw input); a condition DSP's output width otherwise. */
  conditionSize?: number;
  /** Default `channels`. */
  bottleneck?: number;
  /** Default "none". */
  gating?: GatingJson | GatingJson[];
  /** Writes the legacy `"gated": true` instead of `gating_mode`. */
  legacyGated?: boolean;
  secondaryActivation?: ActivationJson | (ActivationJson | null)[];
  /** Default active, 1 group. */
  layer1x1?: { active: boolean; groups: number };
  /** Default inactive. */
  head1x1?: { active: boolean; outChannels: number; groups: number };
  groupsInput?: number;
  groupsInputMixin?: number;
  /** Active FiLMs; the others are written as inactive objects. */
  films?: Partial<Record<FilmKey, { shift: boolean; groups?: number }>>;
  /** Makes the array slimmable (`slice_channels_uniform`) with these widths. */
  allowedChannels?: number[];
}

export interface SyntheticWaveNet {
  arrays: SyntheticLayerArray[];
  seed: number;
  /** Half-range of the uniform random matrix entries, default 0.5 (biases get a quarter of it). */
  weightScale?: number;
  /** The last weight (which the core uses as head_scale), default 1. */
  headScale?: number;
  postHead?: { channels: number; outChannels: number; kernelSizes: number[]; activation: ActivationJson };
  conditionDsp?: ModelJson;
}

function layerGating(array: SyntheticLayerArray, layer: number): GatingJson {
  if (array.legacyGated) return "gated";
  return Array.isArray(array.gating) ? array.gating[layer]! : array.gating ?? "none";
}

/**
 * Draws a WaveNet's weights tensor by tensor in the order of 4.5: matrix entries in ±scale, biases in
 * ±scale/4, and FiLM scale biases near 1 — so the signal, not the biases, dominates every stage and
 * FiLMs modulate it instead of muting it.
 */
class WaveNetWeightDrawer {
  readonly weights: number[] = [];
  private readonly random: () => number;

  constructor(seed: number, private readonly scale: number) {
    this.random = seededRandom(seed);
  }

  private uniform(halfRange: number): number {
    return (2 * this.random() - 1) * halfRange;
  }

  /** rows × inputsPerGroup × taps entries, then `rows` biases; those of the first `centeredRows` rows centred on 1. */
  conv(rows: number, inputsPerGroup: number, taps: number, bias: boolean, centeredRows = 0): void {
    for (let i = 0; i < rows * inputsPerGroup * taps; i++) this.weights.push(this.uniform(this.scale));
    if (!bias) return;
    for (let row = 0; row < rows; row++) this.weights.push((row < centeredRows ? 1 : 0) + this.uniform(this.scale / 4));
  }

  layerArray(array: SyntheticLayerArray): void {
    const C = array.channels;
    const B = array.bottleneck ?? C;
    const Cs = array.conditionSize ?? 1;
    const layer1x1 = array.layer1x1 ?? { active: true, groups: 1 };
    const head1x1 = array.head1x1 ?? { active: false, outChannels: 0, groups: 1 };
    const Hh = head1x1.active ? head1x1.outChannels : B;
    this.conv(C, array.inputSize, 1, false);
    array.dilations.forEach((_, layer) => {
      const GB = (layerGating(array, layer) === "none" ? 1 : 2) * B;
      this.conv(GB, C / (array.groupsInput ?? 1), array.kernelSizes[layer]!, true);
      this.conv(GB, Cs / (array.groupsInputMixin ?? 1), 1, false);
      if (layer1x1.active) this.conv(C, B / layer1x1.groups, 1, true);
      if (head1x1.active) this.conv(Hh, B / head1x1.groups, 1, true);
      const filmWidths: Record<FilmKey, number> = {
        conv_pre_film: C,
        conv_post_film: GB,
        input_mixin_pre_film: Cs,
        input_mixin_post_film: GB,
        activation_pre_film: GB,
        activation_post_film: B,
        layer1x1_post_film: C,
        head1x1_post_film: Hh,
      };
      for (const key of FILM_KEYS) {
        const film = array.films?.[key];
        if (film === undefined) continue;
        const width = filmWidths[key];
        this.conv((film.shift ? 2 : 1) * width, Cs / (film.groups ?? 1), 1, true, width);
      }
    });
    this.conv(array.head.outChannels, Hh, array.head.kernelSize ?? 1, array.head.bias);
  }
}

function syntheticLayerArrayJson(array: SyntheticLayerArray): ModelJson {
  const layers = array.dilations.length;
  const head1x1 = array.head1x1 ?? { active: false, outChannels: 1, groups: 1 };
  const films = Object.fromEntries(
    FILM_KEYS.map((key) => {
      const film = array.films?.[key];
      return [key, film ? { active: true, shift: film.shift, groups: film.groups ?? 1 } : { active: false, shift: true, groups: 1 }];
    }),
  );
  return {
    input_size: array.inputSize,
    condition_size: array.conditionSize ?? 1,
    channels: array.channels,
    bottleneck: array.bottleneck ?? array.channels,
    dilations: array.dilations,
    kernel_sizes: array.kernelSizes,
    activation: array.activation,
    ...(array.legacyGated ? { gated: true } : { gating_mode: array.gating ?? new Array(layers).fill("none") }),
    ...(array.secondaryActivation === undefined ? {} : { secondary_activation: array.secondaryActivation }),
    head: {
      out_channels: array.head.outChannels,
      kernel_size: array.head.kernelSize ?? 1,
      bias: array.head.bias,
      ...(array.head.dilation === undefined ? {} : { head_dilation: array.head.dilation }),
    },
    layer1x1: array.layer1x1 ?? { active: true, groups: 1 },
    head1x1: { active: head1x1.active, out_channels: head1x1.outChannels, groups: head1x1.groups },
    groups_input: array.groupsInput ?? 1,
    groups_input_mixin: array.groupsInputMixin ?? 1,
    ...films,
    slimmable: array.allowedChannels
      ? { method: "slice_channels_uniform", kwargs: { allowed_channels: array.allowedChannels } }
      : null,
  };
}

/** A 48 kHz WaveNet with seeded weights; the last weight is `headScale`. */
export function syntheticWaveNet(spec: SyntheticWaveNet): ModelJson {
  const drawer = new WaveNetWeightDrawer(spec.seed, spec.weightScale ?? 0.5);
  spec.arrays.forEach((array) => drawer.layerArray(array));
  const postHead = spec.postHead;
  const lastHead = spec.arrays[spec.arrays.length - 1]!.head.outChannels;
  postHead?.kernelSizes.forEach((kernelSize, block) => {
    const inChannels = block === 0 ? lastHead : postHead.channels;
    const outChannels = block === postHead.kernelSizes.length - 1 ? postHead.outChannels : postHead.channels;
    drawer.conv(outChannels, inChannels, kernelSize, true);
  });
  const headScale = spec.headScale ?? 1;
  return {
    version: "0.7.0",
    architecture: "WaveNet",
    config: {
      layers: spec.arrays.map(syntheticLayerArrayJson),
      head: postHead
        ? {
            in_channels: lastHead,
            channels: postHead.channels,
            out_channels: postHead.outChannels,
            kernel_sizes: postHead.kernelSizes,
            activation: postHead.activation,
          }
        : null,
      head_scale: headScale,
      ...(spec.conditionDsp ? { condition_dsp: spec.conditionDsp } : {}),
    },
    weights: [...drawer.weights, headScale],
    sample_rate: 48000,
  };
}

/** A 48 kHz mono LSTM with seeded weights: matrices in ±0.8, biases and initial states in ±0.2 (6.1 order). */
export function seededLstm(numLayers: number, hiddenSize: number, seed: number): ModelJson {
  const random = seededRandom(seed);
  const uniform = (count: number, scale: number) => Array.from({ length: count }, () => (2 * random() - 1) * scale);
  const H = hiddenSize;
  const weights: number[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    weights.push(...uniform(4 * H * ((layer === 0 ? 1 : H) + H), 0.8), ...uniform(4 * H + 2 * H, 0.2));
  }
  weights.push(...uniform(H, 0.8), ...uniform(1, 0.2));
  const model = lstmModel(numLayers, hiddenSize, { sample_rate: 48000 });
  return { ...model, weights };
}

/** A ConvNet with seeded weights (7.1 order): matrices in ±0.8, biases in ±0.2, batch-norm variances 0.5 … 1.5. */
export function seededConvNet(options: {
  channels: number;
  dilations: number[];
  batchnorm: boolean;
  activation: ActivationJson;
  seed: number;
}): ModelJson {
  const random = seededRandom(options.seed);
  const uniform = (count: number, scale: number) => Array.from({ length: count }, () => (2 * random() - 1) * scale);
  const C = options.channels;
  const weights: number[] = [];
  options.dilations.forEach((_, block) => {
    weights.push(...uniform(C * (block === 0 ? 1 : C) * 2, 0.8));
    if (!options.batchnorm) {
      weights.push(...uniform(C, 0.2));
      return;
    }
    const variance = Array.from({ length: C }, () => 0.5 + random());
    weights.push(...uniform(C, 0.2), ...variance, ...uniform(C, 0.3).map((g) => 1 + g), ...uniform(C, 0.2), 1e-5);
  });
  weights.push(...uniform(C, 0.8), ...uniform(1, 0.2));
  const { channels, dilations, batchnorm, activation } = options;
  return { version: "0.5.2", architecture: "ConvNet", config: { channels, dilations, batchnorm, activation }, weights };
}

/** A direct-form Linear model (R ≤ 256) with seeded taps. */
export function seededLinear(receptiveField: number, bias: boolean, seed: number): ModelJson {
  return {
    version: "0.5.2",
    architecture: "Linear",
    config: { receptive_field: receptiveField, bias },
    weights: seededWeights(receptiveField + (bias ? 1 : 0), seed, 0.5),
    sample_rate: 48000,
  };
}

export function syntheticContainer(submodels: { maxValue: number; model: ModelJson }[]): ModelJson {
  return {
    version: "0.7.0",
    architecture: "SlimmableContainer",
    config: { submodels: submodels.map(({ maxValue, model }) => ({ max_value: maxValue, model })) },
    weights: [],
    sample_rate: 48000,
  };
}

/** A condition DSP with a 2-channel output: one small WaveNet array whose head has 2 outputs. */
export function twoChannelConditionWaveNet(seed: number): ModelJson {
  return syntheticWaveNet({
    arrays: [{ inputSize: 1, channels: 2, dilations: [1, 3], kernelSizes: [2, 2], activation: "Tanh", head: { outChannels: 2, bias: true } }],
    seed,
  });
}

/**
 * A slimmable WaveNet exercising every slicing rule of 2.6: array 0 (C 4, B 3, widths 2/3/4) with
 * none/gated/blended layers and doubled FiLMs; array 1 (C 2, widths 1/2, gated) whose input and head
 * follow its neighbours; array 2 fixed, with head1x1 and its FiLM (copied unchanged). A 2-channel
 * condition DSP makes the condition-only FiLM (input_mixin_pre_film) non-trivial.
 */
export function slimmableFeatureWaveNet(): ModelJson {
  return syntheticWaveNet({
    conditionDsp: twoChannelConditionWaveNet(28),
    arrays: [
      {
        inputSize: 1,
        conditionSize: 2,
        channels: 4,
        bottleneck: 3,
        dilations: [1, 2, 4],
        kernelSizes: [3, 2, 3],
        activation: "Tanh",
        gating: ["none", "gated", "blended"],
        head: { outChannels: 2, bias: false },
        films: { conv_post_film: { shift: true }, input_mixin_pre_film: { shift: true }, activation_post_film: { shift: false } },
        allowedChannels: [2, 3, 4],
      },
      {
        inputSize: 4,
        conditionSize: 2,
        channels: 2,
        dilations: [1, 3],
        kernelSizes: [2, 2],
        activation: "Tanh",
        gating: "gated",
        head: { outChannels: 2, bias: true },
        films: { layer1x1_post_film: { shift: true } },
        allowedChannels: [1, 2],
      },
      {
        inputSize: 2,
        conditionSize: 2,
        channels: 2,
        dilations: [2, 1],
        kernelSizes: [2, 2],
        activation: "Tanh",
        gating: ["blended", "none"],
        head: { outChannels: 1, bias: true },
        head1x1: { active: true, outChannels: 2, groups: 1 },
        films: { head1x1_post_film: { shift: true }, layer1x1_post_film: { shift: false } },
      },
    ],
    seed: 29,
  });
}
