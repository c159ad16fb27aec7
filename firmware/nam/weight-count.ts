// How many floats a model's flat `weights` array must hold, from its config alone
// (nam-format.md 4.5–4.6 for WaveNet, 6.1 for LSTM, 7.1 ConvNet, 7.2 Linear).
// The loader compares this with the file before converting any weight.

import type {
  ConvNetConfig,
  FilmSpec,
  LinearConfig,
  LstmConfig,
  SlimmableContainerConfig,
  WaveNetConfig,
  WaveNetLayerArraySpec,
  WaveNetLayerSpec,
  WaveNetPostHeadSpec,
} from "./model.js";

/** The parts of a config that determine its weight count (a WaveNet's headScale/conditionDsp don't). */
export type WeightCountConfig =
  | Pick<WaveNetConfig, "architecture" | "layerArrays" | "postHead">
  | LstmConfig
  | ConvNetConfig
  | LinearConfig
  | Pick<SlimmableContainerConfig, "architecture">;

/**
 * Expected length of the model's own `weights` array. Nested models (a WaveNet's condition DSP,
 * container submodels) carry their own weights and are not included; a SlimmableContainer's
 * top-level weights are ignored, so its count is 0.
 */
export function expectedWeightCount(config: WeightCountConfig): number {
  switch (config.architecture) {
    case "WaveNet":
      return waveNetWeightCount(config.layerArrays, config.postHead);
    case "LSTM":
      return lstmWeightCount(config);
    case "ConvNet":
      return convNetWeightCount(config);
    case "Linear":
      return linearWeightCount(config);
    case "SlimmableContainer":
      return 0;
  }
}

export function waveNetWeightCount(
  layerArrays: readonly WaveNetLayerArraySpec[],
  postHead: WaveNetPostHeadSpec | null,
): number {
  let count = 0;
  for (const array of layerArrays) count += layerArrayWeightCount(array);
  if (postHead !== null) {
    for (const block of postHeadBlocks(postHead)) {
      count += block.inChannels * block.outChannels * block.kernelSize + block.outChannels;
    }
  }
  return count + 1; // head_scale
}

export function layerArrayWeightCount(array: WaveNetLayerArraySpec): number {
  const headInput = headInputWidth(array);
  const rechannel = array.inputSize * array.channels;
  let layers = 0;
  for (const layer of array.layers) layers += layerWeightCount(array, layer);
  const { outChannels, kernelSize, bias } = array.head;
  const head = headInput * outChannels * kernelSize + (bias ? outChannels : 0);
  return rechannel + layers + head;
}

export function layerWeightCount(array: WaveNetLayerArraySpec, layer: WaveNetLayerSpec): number {
  const { channels: C, bottleneck: B, conditionSize: Cs } = array;
  const gatedWidth = gateFactor(layer) * B;
  let count = (C * gatedWidth * layer.kernelSize) / array.groupsInput + gatedWidth; // dilated conv + bias
  count += (Cs * gatedWidth) / array.groupsInputMixin; // input mixin, no bias
  if (array.layer1x1.active) count += (B * C) / array.layer1x1.groups + C;
  if (array.head1x1.active) count += (B * array.head1x1.outChannels) / array.head1x1.groups + array.head1x1.outChannels;
  for (const film of loadedFilms(array, layer)) count += filmWeightCount(Cs, film.width, film.spec);
  return count;
}

/** A FiLM is a 1x1 (condition → (shift ? 2 : 1)·width) with bias. */
export function filmWeightCount(conditionSize: number, width: number, film: FilmSpec): number {
  const outputs = (film.shift ? 2 : 1) * width;
  return (conditionSize * outputs) / film.groups + outputs;
}

/** 2 when the conv/mixin produce a primary and a gate/blend half, else 1. */
export function gateFactor(layer: WaveNetLayerSpec): 1 | 2 {
  return layer.gating === "none" ? 1 : 2;
}

/** Width of what a layer adds to the head accumulator ("Hh"): head1x1 output, else the bottleneck. */
export function headInputWidth(array: WaveNetLayerArraySpec): number {
  return array.head1x1.active ? array.head1x1.outChannels : array.bottleneck;
}

export interface LoadedFilm {
  name: keyof WaveNetLayerArraySpec["films"];
  spec: FilmSpec;
  /** Width of the tensor it modulates. */
  width: number;
}

/** The active FiLMs of a layer, in weight order (4.5), with the width each one modulates. */
export function loadedFilms(array: WaveNetLayerArraySpec, layer: WaveNetLayerSpec): LoadedFilm[] {
  const gatedWidth = gateFactor(layer) * array.bottleneck;
  const widths: [LoadedFilm["name"], number][] = [
    ["convPre", array.channels],
    ["convPost", gatedWidth],
    ["inputMixinPre", array.conditionSize],
    ["inputMixinPost", gatedWidth],
    ["activationPre", gatedWidth],
    ["activationPost", array.bottleneck],
    ["layer1x1Post", array.channels],
    ["head1x1Post", array.head1x1.outChannels],
  ];
  const films: LoadedFilm[] = [];
  for (const [name, width] of widths) {
    const spec = array.films[name];
    if (spec !== null) films.push({ name, spec, width });
  }
  return films;
}

export interface PostHeadBlock {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
}

/** The post-stack head's conv chain (2.1.4): first input is the last array's head, last output `outChannels`. */
export function postHeadBlocks(postHead: WaveNetPostHeadSpec): PostHeadBlock[] {
  return postHead.kernelSizes.map((kernelSize, index) => ({
    inChannels: index === 0 ? postHead.inChannels : postHead.channels,
    outChannels: index === postHead.kernelSizes.length - 1 ? postHead.outChannels : postHead.channels,
    kernelSize,
  }));
}

export function lstmWeightCount(
  config: Pick<LstmConfig, "numLayers" | "inputSize" | "hiddenSize" | "outChannels">,
): number {
  const H = config.hiddenSize;
  let count = 0;
  for (let layer = 0; layer < config.numLayers; layer++) {
    const inputWidth = layer === 0 ? config.inputSize : H;
    count += 4 * H * (inputWidth + H) + 4 * H + 2 * H; // W, b, h0, c0
  }
  return count + config.outChannels * H + config.outChannels;
}

export function convNetWeightCount(
  config: Pick<ConvNetConfig, "channels" | "dilations" | "batchnorm" | "groups" | "inChannels" | "outChannels">,
): number {
  const C = config.channels;
  let count = 0;
  config.dilations.forEach((_, block) => {
    const inputWidth = block === 0 ? config.inChannels : C;
    count += (C * inputWidth * 2) / config.groups; // kernel size 2
    count += config.batchnorm ? 4 * C + 1 : C; // mean, var, gamma, beta, eps — or the conv bias
  });
  return count + config.outChannels * C + config.outChannels;
}

export function linearWeightCount(config: Pick<LinearConfig, "receptiveField" | "bias">): number {
  return config.receptiveField + (config.bias ? 1 : 0);
}
