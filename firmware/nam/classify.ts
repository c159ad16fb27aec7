// What a loaded model is (preset family, size, cost), for the UI, the CLI and the engine's budget checks.
// Presets are recognised by their exact shape (nam-format.md 2.1.3), never by file or metadata names.

import type {
  ActivationSpec,
  ModelConfig,
  NamMetadata,
  NamModel,
  WaveNetConfig,
  WaveNetLayerArraySpec,
} from "./model.js";
import {
  gateFactor,
  headInputWidth,
  loadedFilms,
  postHeadBlocks,
  waveNetWeightCount,
} from "./weight-count.js";

export type ModelClass =
  | "a1-nano"
  | "a1-feather"
  | "a1-lite"
  | "a1-standard"
  | "a2"
  | "lstm-nano"
  | "lstm-feather"
  | "lstm-lite"
  | "lstm-standard"
  | "custom-wavenet"
  | "custom-lstm"
  | "convnet"
  | "linear"
  | "slimmable-container";

/** One size a slimmable model can run at: slim ratios ratioMin ≤ r < ratioMax select it (the last size also r = 1). */
export interface SlimWidth {
  ratioMin: number;
  ratioMax: number;
  /** Residual width of each layer array (WaveNet), [hidden size] (LSTM), [channels] (ConvNet), [] (Linear). */
  channels: number[];
  /** Weights of the model at this size, including nested models. */
  weights: number;
  multiplyAddsPerSample: number;
}

export interface ModelSummary {
  architecture: ModelConfig["architecture"];
  class: ModelClass;
  /** Human-readable name of the class, e.g. "A1 Standard", "LSTM 2×8", "Custom WaveNet". */
  label: string;
  /** Every weight the file holds, including condition DSPs and all container submodels. */
  weights: number;
  receptiveFieldSamples: number;
  /** What the core's GetPrewarmSamples() returns (for a container or slimmable WaveNet: its default, largest size). */
  prewarmSamples: number;
  /** See multiplyAddsPerSample(). For containers and slimmable WaveNets: the default, largest size. */
  multiplyAddsPerSample: number;
  sampleRate: number | null;
  metadata: NamMetadata;
  versionWarning: string | null;
  /** Sizes selectable with the Slim control, smallest first; only for slimmable WaveNets and SlimmableContainers. */
  slimWidths?: SlimWidth[];
}

export function describeModel(model: NamModel): ModelSummary {
  const modelClass = classifyModel(model);
  const widths = slimWidths(model.config);
  return {
    architecture: model.config.architecture,
    class: modelClass,
    label: labelFor(model, modelClass),
    weights: totalWeightCount(model),
    receptiveFieldSamples: receptiveFieldSamples(model.config),
    prewarmSamples: prewarmSamples(model),
    multiplyAddsPerSample: multiplyAddsPerSample(model.config),
    sampleRate: model.sampleRate,
    metadata: model.metadata,
    versionWarning: model.versionWarning,
    ...(widths === null ? {} : { slimWidths: widths }),
  };
}

// ---------------------------------------------------------------------------------------------
// Sizes and costs

/** The model's own weights plus those of every nested model. */
export function totalWeightCount(model: NamModel): number {
  const config = model.config;
  let count = model.weights.length;
  if (config.architecture === "WaveNet" && config.conditionDsp !== null) count += totalWeightCount(config.conditionDsp);
  if (config.architecture === "SlimmableContainer") {
    for (const submodel of config.submodels) count += totalWeightCount(submodel.model);
  }
  return count;
}

/**
 * Samples of input history that influence one output (4.8): WaveNet 1 + Σ d·(K−1) over layers, array heads and
 * post-head blocks, where a condition DSP's own receptive field replaces the leading 1; ConvNet 1 + Σ d;
 * Linear R; LSTM 1 (recurrent, no finite window); a container: its default (last) submodel.
 */
export function receptiveFieldSamples(config: ModelConfig): number {
  switch (config.architecture) {
    case "WaveNet":
      return (
        (config.conditionDsp === null ? 1 : receptiveFieldSamples(config.conditionDsp.config)) + waveNetHistory(config)
      );
    case "LSTM":
      return 1;
    case "ConvNet":
      return 1 + sum(config.dilations);
    case "Linear":
      return config.receptiveField;
    case "SlimmableContainer":
      return receptiveFieldSamples(lastSubmodel(config).config);
  }
}

/** What the core's GetPrewarmSamples() returns for the model as loaded (8.1). */
export function prewarmSamples(model: NamModel): number {
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet":
      return (config.conditionDsp === null ? 1 : prewarmSamples(config.conditionDsp)) + waveNetHistory(config);
    case "LSTM": {
      // The core: (int)(0.5 · rate), rate −1 when unknown; a result ≤ 0 becomes 1.
      const halfSecond = Math.trunc(0.5 * (model.sampleRate ?? -1));
      return halfSecond <= 0 ? 1 : halfSecond;
    }
    case "ConvNet":
      return 1 + sum(config.dilations);
    case "Linear":
      return 0;
    case "SlimmableContainer":
      return prewarmSamples(lastSubmodel(config));
  }
}

/** Σ d·(K−1) of every causal conv of a WaveNet (layers, array heads, post-head blocks). */
function waveNetHistory(config: Pick<WaveNetConfig, "layerArrays" | "postHead">): number {
  let history = 0;
  for (const array of config.layerArrays) {
    for (const layer of array.layers) history += layer.dilation * (layer.kernelSize - 1);
    history += array.head.dilation * (array.head.kernelSize - 1);
  }
  if (config.postHead !== null) for (const kernelSize of config.postHead.kernelSizes) history += kernelSize - 1;
  return history;
}

/**
 * Multiply-adds of one sample's forward pass — the work that actually runs, nested models included:
 *
 * - every weight matrix applied to a signal costs rows × (cols / groups) × taps (biases are adds, not counted);
 * - every elementwise product costs 1 per channel: a FiLM's scale (its 1x1 is counted as a matrix), a gated
 *   layer's act ⊙ gate (B), a blended layer's α·act and (1 − α)·z (2B), head_scale (one per output channel),
 *   ConvNet batchnorm (C per block), the LSTM cell (3H per layer: f·c, i·g, o·tanh c);
 * - activation functions, residual and head-accumulator additions are not counted.
 *
 * WaveNet per layer: C·G·B·K/g_in + Cs·G·B/g_mix + [L1]·B·C/g_1 + [H1]·B·Hh/g_h + gating + Σ applied FiLMs
 * (Cs·F·w/g_f + w), where layer1x1_post_film only runs in blended layers (core quirk, 4.2 step 11); per array
 * I·C (rechannel) + Hh·H·K_h (head); then head_scale and post-head blocks cin·cout·K, plus the condition DSP.
 * LSTM: Σ_l (4H·(I_l + H) + 3H) + O·H. ConvNet: Σ_b (C·in_b·2/g + [bn]·C) + O·C. Linear: R·min(in, out).
 * A container costs what its default (last) submodel costs.
 */
export function multiplyAddsPerSample(config: ModelConfig): number {
  switch (config.architecture) {
    case "WaveNet": {
      let macs = waveNetStackMultiplyAdds(config.layerArrays);
      if (config.postHead !== null) {
        for (const block of postHeadBlocks(config.postHead)) {
          macs += block.inChannels * block.outChannels * block.kernelSize;
        }
      }
      if (config.conditionDsp !== null) macs += multiplyAddsPerSample(config.conditionDsp.config);
      return macs;
    }
    case "LSTM": {
      const H = config.hiddenSize;
      let macs = config.outChannels * H;
      for (let layer = 0; layer < config.numLayers; layer++) {
        macs += 4 * H * ((layer === 0 ? config.inputSize : H) + H) + 3 * H;
      }
      return macs;
    }
    case "ConvNet": {
      const C = config.channels;
      let macs = config.outChannels * C;
      config.dilations.forEach((_, block) => {
        macs += (C * (block === 0 ? config.inChannels : C) * 2) / config.groups + (config.batchnorm ? C : 0);
      });
      return macs;
    }
    case "Linear":
      return config.receptiveField * Math.min(config.inChannels, config.outChannels);
    case "SlimmableContainer":
      return multiplyAddsPerSample(lastSubmodel(config).config);
  }
}

/** Layer arrays plus head_scale (everything but the post-stack head and the condition DSP). */
function waveNetStackMultiplyAdds(layerArrays: readonly WaveNetLayerArraySpec[]): number {
  let macs = 0;
  for (const array of layerArrays) {
    const { channels: C, bottleneck: B, conditionSize: Cs } = array;
    const headInput = headInputWidth(array);
    macs += array.inputSize * C + headInput * array.head.outChannels * array.head.kernelSize;
    for (const layer of array.layers) {
      const gatedWidth = gateFactor(layer) * B;
      macs += (C * gatedWidth * layer.kernelSize) / array.groupsInput + (Cs * gatedWidth) / array.groupsInputMixin;
      if (layer.gating === "gated") macs += B;
      if (layer.gating === "blended") macs += 2 * B;
      if (array.layer1x1.active) macs += (B * C) / array.layer1x1.groups;
      if (array.head1x1.active) macs += (B * array.head1x1.outChannels) / array.head1x1.groups;
      for (const film of loadedFilms(array, layer)) {
        if (film.name === "layer1x1Post" && layer.gating !== "blended") continue;
        macs += (Cs * (film.spec.shift ? 2 : 1) * film.width) / film.spec.groups + film.width;
      }
    }
  }
  return macs + layerArrays[layerArrays.length - 1].head.outChannels; // head_scale
}

// ---------------------------------------------------------------------------------------------
// Slimming

/** The sizes a slimmable WaveNet (2.6) or a SlimmableContainer (2.5) offers; null for other models. */
export function slimWidths(config: ModelConfig): SlimWidth[] | null {
  if (config.architecture === "SlimmableContainer") return containerSlimWidths(config.submodels);
  if (config.architecture === "WaveNet" && isSlimmableWaveNet(config)) return waveNetSlimWidths(config);
  return null;
}

export function isSlimmableWaveNet(config: WaveNetConfig): boolean {
  return config.layerArrays.some((array) => array.slimmable !== null);
}

function containerSlimWidths(submodels: { maxValue: number; model: NamModel }[]): SlimWidth[] {
  // A slim value v selects the first submodel with v < max_value, else the last.
  const clamp01 = (value: number) => Math.min(1, Math.max(0, value));
  return submodels.map((submodel, index) => ({
    ratioMin: index === 0 ? 0 : clamp01(submodels[index - 1].maxValue),
    ratioMax: index === submodels.length - 1 ? 1 : clamp01(submodel.maxValue),
    channels: mainChannels(submodel.model.config),
    weights: totalWeightCount(submodel.model),
    multiplyAddsPerSample: multiplyAddsPerSample(submodel.model.config),
  }));
}

function mainChannels(config: ModelConfig): number[] {
  switch (config.architecture) {
    case "WaveNet":
      return config.layerArrays.map((array) => array.channels);
    case "LSTM":
      return [config.hiddenSize];
    case "ConvNet":
      return [config.channels];
    case "Linear":
      return [];
    case "SlimmableContainer":
      return mainChannels(lastSubmodel(config).config);
  }
}

function waveNetSlimWidths(config: WaveNetConfig): SlimWidth[] {
  // Each slimmable array switches width at ratios i / len(allowed); between breakpoints nothing changes.
  const breakpoints = new Set<number>();
  for (const array of config.layerArrays) {
    const allowed = array.slimmable?.allowedChannels ?? [];
    for (let i = 1; i < allowed.length; i++) breakpoints.add(i / allowed.length);
  }
  const edges = [0, ...[...breakpoints].sort((a, b) => a - b), 1];
  const conditionMacs = config.conditionDsp === null ? 0 : multiplyAddsPerSample(config.conditionDsp.config);
  const conditionWeights = config.conditionDsp === null ? 0 : totalWeightCount(config.conditionDsp);
  const widths: SlimWidth[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const ratioMin = edges[i];
    const ratioMax = edges[i + 1];
    const channels = slimChannelsForRatio(config.layerArrays, (ratioMin + ratioMax) / 2);
    const arrays = slimLayerArrays(config.layerArrays, channels);
    widths.push({
      ratioMin,
      ratioMax,
      channels,
      weights: waveNetWeightCount(arrays, null) + conditionWeights,
      multiplyAddsPerSample: waveNetStackMultiplyAdds(arrays) + conditionMacs,
    });
  }
  return widths;
}

/** Per-array width the core picks at slim ratio r: allowed[min(floor(r·n), n − 1)]; other arrays stay full. */
export function slimChannelsForRatio(layerArrays: readonly WaveNetLayerArraySpec[], ratio: number): number[] {
  return layerArrays.map((array) => {
    if (array.slimmable === null) return array.channels;
    const allowed = array.slimmable.allowedChannels;
    return allowed[Math.min(Math.floor(ratio * allowed.length), allowed.length - 1)];
  });
}

/**
 * The layer arrays of the plain WaveNet the core builds for the given per-array widths (2.6): bottleneck
 * max(1, floor(B·c/C)) (c when layer1x1 is inactive), inputs and intermediate heads follow the neighbours' widths,
 * the last head keeps its width. Activations are copied unchanged, as the core does.
 */
export function slimLayerArrays(
  layerArrays: readonly WaveNetLayerArraySpec[],
  channels: readonly number[],
): WaveNetLayerArraySpec[] {
  const last = layerArrays.length - 1;
  return layerArrays.map((array, index) => {
    const width = channels[index];
    return {
      ...array,
      inputSize: index === 0 ? array.inputSize : channels[index - 1],
      channels: width,
      bottleneck: array.layer1x1.active ? Math.max(1, Math.floor((array.bottleneck * width) / array.channels)) : width,
      head: { ...array.head, outChannels: index < last ? channels[index + 1] : array.head.outChannels },
      slimmable: null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Classes

interface A1Preset {
  modelClass: ModelClass;
  label: string;
  firstChannels: number;
  secondChannels: number;
  firstDilations: number[];
  secondDilations: number[];
}

const powersOfTwo = (count: number) => Array.from({ length: count }, (_, i) => 2 ** i);
const A1_SHORT_FIRST = powersOfTwo(7);
const A1_SHORT_SECOND = [128, 256, 512, ...powersOfTwo(10)];

const A1_PRESETS: A1Preset[] = [
  {
    modelClass: "a1-standard",
    label: "A1 Standard",
    firstChannels: 16,
    secondChannels: 8,
    firstDilations: powersOfTwo(10),
    secondDilations: powersOfTwo(10),
  },
  {
    modelClass: "a1-lite",
    label: "A1 Lite",
    firstChannels: 12,
    secondChannels: 6,
    firstDilations: A1_SHORT_FIRST,
    secondDilations: A1_SHORT_SECOND,
  },
  {
    modelClass: "a1-feather",
    label: "A1 Feather",
    firstChannels: 8,
    secondChannels: 4,
    firstDilations: A1_SHORT_FIRST,
    secondDilations: A1_SHORT_SECOND,
  },
  {
    modelClass: "a1-nano",
    label: "A1 Nano",
    firstChannels: 4,
    secondChannels: 2,
    firstDilations: A1_SHORT_FIRST,
    secondDilations: A1_SHORT_SECOND,
  },
];

const LSTM_PRESETS: { modelClass: ModelClass; numLayers: number; hiddenSize: number }[] = [
  { modelClass: "lstm-standard", numLayers: 1, hiddenSize: 24 },
  { modelClass: "lstm-lite", numLayers: 2, hiddenSize: 8 },
  { modelClass: "lstm-feather", numLayers: 1, hiddenSize: 16 },
  { modelClass: "lstm-nano", numLayers: 1, hiddenSize: 12 },
];

const A2_SHORT_DILATIONS = [1, 3, 7, 17, 41, 101, 239];
const A2_DILATIONS = [...A2_SHORT_DILATIONS, ...A2_SHORT_DILATIONS, 1, 13, ...A2_SHORT_DILATIONS];
const A2_KERNEL_SIZES = [...Array(14).fill(6), 15, 15, ...Array(7).fill(6)] as number[];
const A2_HEAD_KERNEL_SIZE = 16;
const A2_LEAKY_SLOPE = Math.fround(0.01);

export function classifyModel(model: NamModel): ModelClass {
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet":
      if (isA2Shape(config) || isSlimmableWaveNet(config)) return "a2";
      return matchA1Preset(config)?.modelClass ?? "custom-wavenet";
    case "LSTM": {
      const isPresetIo = config.inputSize === 1 && config.inChannels === 1 && config.outChannels === 1;
      const preset = LSTM_PRESETS.find((p) => p.numLayers === config.numLayers && p.hiddenSize === config.hiddenSize);
      return isPresetIo && preset !== undefined ? preset.modelClass : "custom-lstm";
    }
    case "ConvNet":
      return "convnet";
    case "Linear":
      return "linear";
    case "SlimmableContainer":
      return config.submodels.every((submodel) => classifyModel(submodel.model) === "a2")
        ? "a2"
        : "slimmable-container";
  }
}

function labelFor(model: NamModel, modelClass: ModelClass): string {
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet": {
      const preset = matchA1Preset(config);
      if (preset !== undefined) return preset.label;
      if (modelClass !== "a2") return "Custom WaveNet";
      return isSlimmableWaveNet(config)
        ? `A2 slimmable (${waveNetSlimWidths(config).length} sizes)`
        : `A2 (${config.layerArrays[0].channels} channels)`;
    }
    case "LSTM":
      return `LSTM ${config.numLayers}×${config.hiddenSize}`;
    case "ConvNet":
      return "ConvNet";
    case "Linear":
      return `Linear (${config.receptiveField} taps)`;
    case "SlimmableContainer":
      return modelClass === "a2"
        ? `A2 (${config.submodels.length} sizes)`
        : `Slimmable container (${config.submodels.length} models)`;
  }
}

function matchA1Preset(config: WaveNetConfig): A1Preset | undefined {
  if (config.inChannels !== 1 || config.postHead !== null || config.conditionDsp !== null) return undefined;
  if (config.layerArrays.length !== 2) return undefined;
  const [first, second] = config.layerArrays as [WaveNetLayerArraySpec, WaveNetLayerArraySpec];
  if (!isPlainA1Array(first) || !isPlainA1Array(second)) return undefined;
  return A1_PRESETS.find(
    (preset) =>
      first.inputSize === 1 &&
      first.channels === preset.firstChannels &&
      first.head.outChannels === preset.secondChannels &&
      !first.head.bias &&
      sameNumbers(first.layers.map((layer) => layer.dilation), preset.firstDilations) &&
      second.inputSize === preset.firstChannels &&
      second.channels === preset.secondChannels &&
      second.head.outChannels === 1 &&
      second.head.bias &&
      sameNumbers(second.layers.map((layer) => layer.dilation), preset.secondDilations),
  );
}

/** Kernel 3, Tanh, 1x1 array head (its dilation has no effect), not slimmable, plus isPlainArray. */
function isPlainA1Array(array: WaveNetLayerArraySpec): boolean {
  return (
    isPlainArray(array) &&
    array.head.kernelSize === 1 &&
    array.slimmable === null &&
    array.layers.every((layer) => layer.kernelSize === 3 && layer.activation.type === "Tanh")
  );
}

/** The A2 layout of 2.1.3 at any width C = B (slimmable or not). */
export function isA2Shape(config: WaveNetConfig): boolean {
  if (config.inChannels !== 1 || config.postHead !== null || config.conditionDsp !== null) return false;
  if (config.layerArrays.length !== 1) return false;
  const array = config.layerArrays[0];
  return (
    isPlainArray(array) &&
    array.inputSize === 1 &&
    array.head.outChannels === 1 &&
    array.head.kernelSize === A2_HEAD_KERNEL_SIZE &&
    array.head.dilation === 1 &&
    array.head.bias &&
    sameNumbers(array.layers.map((layer) => layer.dilation), A2_DILATIONS) &&
    sameNumbers(array.layers.map((layer) => layer.kernelSize), A2_KERNEL_SIZES) &&
    array.layers.every((layer) => isLeakyReluA2(layer.activation))
  );
}

function isLeakyReluA2(activation: ActivationSpec): boolean {
  return activation.type === "LeakyReLU" && activation.negativeSlope === A2_LEAKY_SLOPE;
}

/** Shared by A1 and A2: ungated, B = C, condition 1, plain layer1x1, no head1x1, groups or FiLMs. */
function isPlainArray(array: WaveNetLayerArraySpec): boolean {
  return (
    array.conditionSize === 1 &&
    array.bottleneck === array.channels &&
    array.layer1x1.active &&
    array.layer1x1.groups === 1 &&
    !array.head1x1.active &&
    array.groupsInput === 1 &&
    array.groupsInputMixin === 1 &&
    Object.values(array.films).every((film) => film === null) &&
    array.layers.every((layer) => layer.gating === "none")
  );
}

function lastSubmodel(config: { submodels: { model: NamModel }[] }): NamModel {
  return config.submodels[config.submodels.length - 1].model;
}

function sameNumbers(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && actual.every((value, index) => value === expected[index]);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
