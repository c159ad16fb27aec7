// The in-memory form of a validated `.nam` file (see ../shared/docs/nam-format.md).
// Produced by the loader on the control thread; consumed by the DSP compiler.
// Every config value is already checked and defaulted: consumers never re-validate.

export type ActivationSpec =
  | { type: "Tanh" }
  | { type: "Fasttanh" }
  | { type: "Hardtanh" }
  | { type: "ReLU" }
  | { type: "LeakyReLU"; negativeSlope: number }
  /** negativeSlopes has one entry (shared) or one per channel of the tensor it applies to. */
  | { type: "PReLU"; negativeSlopes: number[] }
  | { type: "Sigmoid" }
  | { type: "SiLU" }
  | { type: "Hardswish" }
  | { type: "LeakyHardtanh"; minVal: number; maxVal: number; minSlope: number; maxSlope: number }
  | { type: "Softsign" };

export type GatingMode = "none" | "gated" | "blended";

/** An active FiLM; inactive FiLMs are `null`. */
export interface FilmSpec {
  shift: boolean;
  groups: number;
}

export interface WaveNetFilms {
  convPre: FilmSpec | null;
  convPost: FilmSpec | null;
  inputMixinPre: FilmSpec | null;
  inputMixinPost: FilmSpec | null;
  activationPre: FilmSpec | null;
  activationPost: FilmSpec | null;
  layer1x1Post: FilmSpec | null;
  head1x1Post: FilmSpec | null;
}

export interface WaveNetLayerSpec {
  dilation: number;
  kernelSize: number;
  activation: ActivationSpec;
  gating: GatingMode;
  /** Gate/blend activation; null when gating is "none". */
  secondaryActivation: ActivationSpec | null;
}

export interface WaveNetLayerArraySpec {
  inputSize: number;
  conditionSize: number;
  channels: number;
  bottleneck: number;
  layers: WaveNetLayerSpec[];
  head: { outChannels: number; kernelSize: number; dilation: number; bias: boolean };
  layer1x1: { active: boolean; groups: number };
  head1x1: { active: boolean; outChannels: number; groups: number };
  groupsInput: number;
  groupsInputMixin: number;
  films: WaveNetFilms;
  /** `slice_channels_uniform` slimming; null when the array is not slimmable. */
  slimmable: { allowedChannels: number[] } | null;
}

export interface WaveNetPostHeadSpec {
  inChannels: number;
  channels: number;
  outChannels: number;
  kernelSizes: number[];
  activation: ActivationSpec;
}

export interface WaveNetConfig {
  architecture: "WaveNet";
  inChannels: number;
  layerArrays: WaveNetLayerArraySpec[];
  postHead: WaveNetPostHeadSpec | null;
  conditionDsp: NamModel | null;
  /** From the last weight, which overrides config.head_scale (core behaviour). */
  headScale: number;
}

export interface LstmConfig {
  architecture: "LSTM";
  numLayers: number;
  inputSize: number;
  hiddenSize: number;
  inChannels: number;
  outChannels: number;
}

export interface ConvNetConfig {
  architecture: "ConvNet";
  channels: number;
  dilations: number[];
  batchnorm: boolean;
  activation: ActivationSpec;
  groups: number;
  inChannels: number;
  outChannels: number;
}

export interface LinearConfig {
  architecture: "Linear";
  receptiveField: number;
  bias: boolean;
  inChannels: number;
  outChannels: number;
  implementation: "auto" | "direct" | "fft";
}

export interface SlimmableContainerConfig {
  architecture: "SlimmableContainer";
  submodels: { maxValue: number; model: NamModel }[];
}

export type ModelConfig = WaveNetConfig | LstmConfig | ConvNetConfig | LinearConfig | SlimmableContainerConfig;

export interface NamMetadata {
  name: string | null;
  modeledBy: string | null;
  gearType: string | null;
  gearMake: string | null;
  gearModel: string | null;
  toneType: string | null;
  /** dB, 20·log10(RMS) of the model's output for the trainer's loudness test signal. */
  loudnessDb: number | null;
  gain: number | null;
  inputLevelDbu: number | null;
  outputLevelDbu: number | null;
  validationEsr: number | null;
  date: string | null;
}

export interface NamModel {
  /** File name (or `<file>#config.condition_dsp` for nested models), used in messages. */
  source: string;
  version: string;
  /** Set when the version is above 0.7.0 but still 0.7.x (partial support). */
  versionWarning: string | null;
  /** Hz, or null when the file has no `sample_rate` key (the core's -1). */
  sampleRate: number | null;
  metadata: NamMetadata;
  config: ModelConfig;
  /** All weights, decimal → float64 → float32, in file order. Empty for SlimmableContainer. */
  weights: Float32Array;
}
