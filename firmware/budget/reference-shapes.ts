// The model shapes the pedal times itself on: one of each A1 preset, an A2 at full and at its
// slimmest width, and two LSTM presets. They are built in memory with deterministic weights —
// speed depends on the shape, not on the values — so calibration needs no model files.
// Control thread (allocates).

import type {
  LstmConfig, ModelClass, NamMetadata, NamModel, WaveNetConfig, WaveNetLayerArraySpec, WaveNetLayerSpec,
} from "../nam/index.js";
import { expectedWeightCount, multiplyAddsPerSample } from "../nam/index.js";

/** Which calibration curve predicts a model's cost (models of one family share their speed per multiply-add). */
export type CostFamily = "wavenet-a1" | "wavenet-a2" | "lstm";

export interface ReferenceShape {
  id: string;
  label: string;
  family: CostFamily;
  /** The class describeModel gives it (tests check the shapes are the real presets). */
  modelClass: ModelClass;
  model: NamModel;
  multiplyAddsPerSample: number;
}

const powersOfTwo = (count: number) => Array.from({ length: count }, (_, i) => 2 ** i);
const A1_SHORT_FIRST = powersOfTwo(7);
const A1_SHORT_SECOND = [128, 256, 512, ...powersOfTwo(10)];
const A2_SHORT_DILATIONS = [1, 3, 7, 17, 41, 101, 239];
const A2_DILATIONS = [...A2_SHORT_DILATIONS, ...A2_SHORT_DILATIONS, 1, 13, ...A2_SHORT_DILATIONS];
const A2_KERNEL_SIZES = [...Array<number>(14).fill(6), 15, 15, ...Array<number>(7).fill(6)];
/** Widths of the official A2 example: full, and the slimmest size. */
export const A2_REFERENCE_CHANNELS = [8, 3] as const;

const NO_METADATA: NamMetadata = {
  name: null, modeledBy: null, gearType: null, gearMake: null, gearModel: null, toneType: null, loudnessDb: null,
  gain: null, inputLevelDbu: null, outputLevelDbu: null, validationEsr: null, date: null,
};

const NO_FILMS: WaveNetLayerArraySpec["films"] = {
  convPre: null, convPost: null, inputMixinPre: null, inputMixinPost: null,
  activationPre: null, activationPost: null, layer1x1Post: null, head1x1Post: null,
};

function plainArray(
  inputSize: number,
  channels: number,
  layers: WaveNetLayerSpec[],
  head: WaveNetLayerArraySpec["head"],
): WaveNetLayerArraySpec {
  return {
    inputSize, conditionSize: 1, channels, bottleneck: channels, layers, head,
    layer1x1: { active: true, groups: 1 },
    head1x1: { active: false, outChannels: 1, groups: 1 },
    groupsInput: 1, groupsInputMixin: 1, films: NO_FILMS, slimmable: null,
  };
}

function tanhLayers(dilations: number[]): WaveNetLayerSpec[] {
  return dilations.map((dilation) => ({ dilation, kernelSize: 3, activation: { type: "Tanh" }, gating: "none", secondaryActivation: null }));
}

function a1(first: number, second: number, dilations: [number[], number[]]): WaveNetConfig {
  return {
    architecture: "WaveNet",
    inChannels: 1,
    layerArrays: [
      plainArray(1, first, tanhLayers(dilations[0]), { outChannels: second, kernelSize: 1, dilation: 1, bias: false }),
      plainArray(first, second, tanhLayers(dilations[1]), { outChannels: 1, kernelSize: 1, dilation: 1, bias: true }),
    ],
    postHead: null,
    conditionDsp: null,
    headScale: 0.02,
  };
}

function a2(channels: number): WaveNetConfig {
  const layers: WaveNetLayerSpec[] = A2_DILATIONS.map((dilation, i) => ({
    dilation,
    kernelSize: A2_KERNEL_SIZES[i]!,
    activation: { type: "LeakyReLU", negativeSlope: Math.fround(0.01) },
    gating: "none",
    secondaryActivation: null,
  }));
  return {
    architecture: "WaveNet",
    inChannels: 1,
    layerArrays: [plainArray(1, channels, layers, { outChannels: 1, kernelSize: 16, dilation: 1, bias: true })],
    postHead: null,
    conditionDsp: null,
    headScale: 0.01,
  };
}

function lstm(numLayers: number, hiddenSize: number): LstmConfig {
  return { architecture: "LSTM", numLayers, inputSize: 1, hiddenSize, inChannels: 1, outChannels: 1 };
}

/** Small deterministic weights (a linear congruential sequence in ±0.05): finite, no denormals. */
function syntheticWeights(count: number): Float32Array {
  const weights = new Float32Array(count);
  let state = 0x2545f491;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    weights[i] = (state / 0xffffffff - 0.5) * 0.1;
  }
  return weights;
}

function shape(id: string, label: string, family: CostFamily, modelClass: ModelClass, config: WaveNetConfig | LstmConfig): ReferenceShape {
  const model: NamModel = {
    source: `calibration:${id}`,
    version: "0.5.4",
    versionWarning: null,
    sampleRate: 48000,
    metadata: NO_METADATA,
    config,
    weights: syntheticWeights(expectedWeightCount(config)),
  };
  return { id, label, family, modelClass, model, multiplyAddsPerSample: multiplyAddsPerSample(config) };
}

/** The calibration set, A1 presets first (largest first, as the admission messages list them). */
export function referenceShapes(): ReferenceShape[] {
  const shortDilations: [number[], number[]] = [A1_SHORT_FIRST, A1_SHORT_SECOND];
  return [
    shape("a1-standard", "A1 Standard", "wavenet-a1", "a1-standard", a1(16, 8, [powersOfTwo(10), powersOfTwo(10)])),
    shape("a1-lite", "A1 Lite", "wavenet-a1", "a1-lite", a1(12, 6, shortDilations)),
    shape("a1-feather", "A1 Feather", "wavenet-a1", "a1-feather", a1(8, 4, shortDilations)),
    shape("a1-nano", "A1 Nano", "wavenet-a1", "a1-nano", a1(4, 2, shortDilations)),
    ...A2_REFERENCE_CHANNELS.map((channels) =>
      shape(`a2-${channels}ch`, `A2 ${channels} channels`, "wavenet-a2", "a2", a2(channels))),
    shape("lstm-standard", "LSTM 1×24", "lstm", "lstm-standard", lstm(1, 24)),
    shape("lstm-lite", "LSTM 2×8", "lstm", "lstm-lite", lstm(2, 8)),
  ];
}
