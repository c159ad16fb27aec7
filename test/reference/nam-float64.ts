// An independent float64 implementation of NAM inference, written from ../shared/docs/nam-format.md
// alone (never from the DSP sources), used only by tests as the expected output of the WASM DSP.
// Everything runs one sample at a time with plain loops; only fast tanh is evaluated in float32,
// in the exact association of spec section 5. Slimming (2.5, 2.6) is implemented here too, so it
// checks firmware/nam/slim.ts independently.

import { prewarmSamples } from "../../firmware/nam/index.js";
import type {
  ActivationSpec,
  ConvNetConfig,
  FilmSpec,
  LinearConfig,
  LstmConfig,
  NamModel,
  WaveNetConfig,
  WaveNetLayerArraySpec,
  WaveNetLayerSpec,
  WaveNetPostHeadSpec,
} from "../../firmware/nam/index.js";

export type ReferenceTanh = "exact" | "fast";

export interface ReferenceOptions {
  /** "fast": `Tanh` becomes fast_tanh and LSTMs use fast sigmoid/tanh, like the plugin (section 5). */
  tanh: ReferenceTanh;
  /** The block size prewarm rounds up to, like the core's max buffer size (default 64). */
  maxBlockFrames?: number;
  /** Run the core's prewarm on reset (default true). */
  prewarm?: boolean;
  /** Slim ratio for slimmable WaveNets and containers; null (default) = full width / last submodel. */
  slim?: number | null;
}

/** A whole model as the core runs it: reset and prewarmed on construction, then streamed sample by sample. */
export class ReferenceModel {
  /** The model that actually runs after slimming (a container's chosen submodel, a narrowed WaveNet). */
  private readonly running: NamModel;
  private readonly stage: Stage;
  private readonly prewarmFrames: number;

  constructor(model: NamModel, options: ReferenceOptions) {
    const maxBlockFrames = options.maxBlockFrames ?? 64;
    this.running = referenceSlimmedModel(model, options.slim ?? null);
    this.stage = buildStage(this.running, options.tanh);
    const prewarm = options.prewarm ?? true;
    this.prewarmFrames = prewarm ? Math.ceil(prewarmSamples(this.running) / maxBlockFrames) * maxBlockFrames : 0;
    this.reset();
  }

  /** The core's Reset: clear convolution histories (LSTM state and direct Linear history stay), then prewarm. */
  reset(): void {
    this.stage.clear();
    const silence = new Float64Array(this.stage.inChannels);
    for (let i = 0; i < this.prewarmFrames; i++) this.stage.step(silence);
  }

  /** One frame (one value per input channel) in, one frame (one value per output channel) out. */
  processFrame(frame: ArrayLike<number>): Float64Array {
    return this.stage.step(Float64Array.from(frame, Math.fround));
  }

  /** A mono stream through the model; returns output channel 0. */
  process(input: Float64Array | Float32Array): Float64Array {
    const output = new Float64Array(input.length);
    for (let t = 0; t < input.length; t++) output[t] = this.processFrame([input[t]!])[0]!;
    return output;
  }
}

// ---------------------------------------------------------------------------------------------
// Slimming (2.5, 2.6)

/**
 * The model the core runs at slim ratio `ratio` (null = its default: full width, the last submodel).
 * A container passes the ratio on to the submodel it picks (it matters only for a slimmable one).
 */
export function referenceSlimmedModel(model: NamModel, ratio: number | null): NamModel {
  const config = model.config;
  if (config.architecture === "SlimmableContainer") {
    const submodels = config.submodels;
    const chosen = ratio === null ? undefined : submodels.find((submodel) => ratio < submodel.maxValue);
    return referenceSlimmedModel((chosen ?? submodels[submodels.length - 1]!).model, ratio);
  }
  if (config.architecture !== "WaveNet" || ratio === null) return model;
  if (config.layerArrays.every((array) => array.slimmable === null)) return model;
  const slimArrays = slimLayerArraysForRatio(config.layerArrays, ratio);
  return {
    ...model,
    config: { ...config, layerArrays: slimArrays },
    weights: sliceWeights(model.weights, config.layerArrays, slimArrays),
  };
}

function slimLayerArraysForRatio(arrays: readonly WaveNetLayerArraySpec[], ratio: number): WaveNetLayerArraySpec[] {
  const widths = arrays.map((array) => {
    if (array.slimmable === null) return array.channels;
    const allowed = array.slimmable.allowedChannels;
    return allowed[Math.min(Math.floor(ratio * allowed.length), allowed.length - 1)]!;
  });
  const last = arrays.length - 1;
  return arrays.map((array, i) => {
    const width = widths[i]!;
    return {
      ...array,
      inputSize: i === 0 ? array.inputSize : widths[i - 1]!,
      channels: width,
      bottleneck: array.layer1x1.active ? Math.max(1, Math.floor((array.bottleneck * width) / array.channels)) : width,
      head: { ...array.head, outChannels: i < last ? widths[i + 1]! : array.head.outChannels },
      slimmable: null,
    };
  });
}

/** One weight tensor of the flat list: rows × columns × taps, then `rows` biases when `bias`. */
interface TensorShape {
  rows: number;
  columns: number;
  taps: number;
  bias: boolean;
}

/** The tensors of a WaveNet's layer arrays in flat weight order (4.5); slimmable arrays have no groups. */
function layerArrayTensors(array: WaveNetLayerArraySpec): TensorShape[] {
  const { inputSize, channels, bottleneck, conditionSize } = array;
  const headInput = array.head1x1.active ? array.head1x1.outChannels : bottleneck;
  const tensors: TensorShape[] = [{ rows: channels, columns: inputSize, taps: 1, bias: false }];
  for (const layer of array.layers) {
    const gated = gateFactor(layer) * bottleneck;
    tensors.push({ rows: gated, columns: channels, taps: layer.kernelSize, bias: true });
    tensors.push({ rows: gated, columns: conditionSize, taps: 1, bias: false });
    if (array.layer1x1.active) tensors.push({ rows: channels, columns: bottleneck, taps: 1, bias: true });
    if (array.head1x1.active) tensors.push({ rows: array.head1x1.outChannels, columns: bottleneck, taps: 1, bias: true });
    for (const film of layerFilms(array, layer)) {
      tensors.push({ rows: (film.spec.shift ? 2 : 1) * film.width, columns: conditionSize, taps: 1, bias: true });
    }
  }
  tensors.push({ rows: array.head.outChannels, columns: headInput, taps: array.head.kernelSize, bias: array.head.bias });
  return tensors;
}

/**
 * Walks the full flat list and keeps, of every tensor, the leading slim rows × leading slim columns
 * (all taps) and the leading slim biases; doubled outputs thereby keep a prefix of the full rows.
 */
function sliceWeights(
  weights: Float32Array, full: readonly WaveNetLayerArraySpec[], slim: readonly WaveNetLayerArraySpec[],
): Float32Array {
  const fullTensors = full.flatMap(layerArrayTensors);
  const slimTensors = slim.flatMap(layerArrayTensors);
  const kept: number[] = [];
  let offset = 0;
  fullTensors.forEach((tensor, index) => {
    const slimTensor = slimTensors[index]!;
    for (let row = 0; row < tensor.rows; row++) {
      for (let column = 0; column < tensor.columns; column++) {
        for (let tap = 0; tap < tensor.taps; tap++, offset++) {
          if (row < slimTensor.rows && column < slimTensor.columns) kept.push(weights[offset]!);
        }
      }
    }
    if (tensor.bias) {
      for (let row = 0; row < tensor.rows; row++, offset++) if (row < slimTensor.rows) kept.push(weights[offset]!);
    }
  });
  kept.push(weights[offset++]!); // head_scale
  if (offset !== weights.length) throw new Error(`slicing walked ${offset} of ${weights.length} weights`);
  return Float32Array.from(kept);
}

// ---------------------------------------------------------------------------------------------
// Activations (section 5)

type Activation = (x: number, channel: number) => number;

const f32 = Math.fround;

/** fast_tanh in float32, with the association of section 5. */
export function fastTanh(value: number): number {
  const x = f32(value);
  const a = f32(Math.abs(x));
  const q = f32(x * x);
  const c1 = f32(2.45550750702956);
  const c2 = f32(0.893229853513558);
  const c3 = f32(0.821226666969744);
  const c4 = f32(2.44506634652299);
  const c5 = f32(0.814642734961073);
  const num = f32(x * f32(f32(c1 + f32(c1 * a)) + f32(f32(c2 + f32(c3 * a)) * q)));
  const den = f32(c4 + f32(f32(c4 + q) * f32(Math.abs(f32(x + f32(f32(c5 * x) * a))))));
  return f32(num / den);
}

export function fastSigmoid(value: number): number {
  return f32(0.5 * f32(fastTanh(f32(0.5 * value)) + 1));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function activationFunction(spec: ActivationSpec, tanh: ReferenceTanh): Activation {
  switch (spec.type) {
    case "Tanh":
      return tanh === "fast" ? fastTanh : Math.tanh;
    case "Fasttanh":
      return fastTanh;
    case "Hardtanh":
      return (x) => Math.min(1, Math.max(-1, x));
    case "ReLU":
      return (x) => (x > 0 ? x : 0);
    case "LeakyReLU":
      return (x) => (x > 0 ? x : spec.negativeSlope * x);
    case "PReLU": {
      const slopes = spec.negativeSlopes;
      return (x, channel) => (x > 0 ? x : (slopes.length === 1 ? slopes[0]! : slopes[channel]!) * x);
    }
    case "Sigmoid":
      return sigmoid;
    case "SiLU":
      return (x) => x * sigmoid(x);
    case "Hardswish":
      return (x) => (x * Math.min(6, Math.max(0, x + 3))) / 6;
    case "LeakyHardtanh": {
      const { minVal, maxVal, minSlope, maxSlope } = spec;
      return (x) => (x < minVal ? (x - minVal) * minSlope + minVal : x > maxVal ? (x - maxVal) * maxSlope + maxVal : x);
    }
    case "Softsign":
      return (x) => x / (1 + Math.abs(x));
  }
}

function activate(activation: Activation, values: Float64Array): Float64Array {
  return values.map((x, channel) => activation(x, channel));
}

// ---------------------------------------------------------------------------------------------
// Building blocks (section 3)

/** Reads the flat weight list front to back. */
class WeightReader {
  private position = 0;

  constructor(private readonly weights: Float32Array, private readonly source: string) {}

  take(count: number): Float64Array {
    if (this.position + count > this.weights.length) throw new Error(`${this.source}: ran out of weights`);
    const values = Float64Array.from(this.weights.subarray(this.position, this.position + count));
    this.position += count;
    return values;
  }

  finish(): void {
    if (this.position !== this.weights.length) {
      throw new Error(`${this.source}: used ${this.position} of ${this.weights.length} weights`);
    }
  }
}

/** The last `length` input frames; `ago(m)` is the frame m samples back (0 = current). */
class FrameHistory {
  private readonly frames: Float64Array[];
  private newest = 0;

  constructor(length: number, private readonly channels: number) {
    this.frames = Array.from({ length }, () => new Float64Array(channels));
  }

  push(frame: Float64Array): void {
    this.newest = (this.newest + this.frames.length - 1) % this.frames.length;
    this.frames[this.newest] = Float64Array.from(frame);
  }

  ago(samples: number): Float64Array {
    return this.frames[(this.newest + samples) % this.frames.length]!;
  }

  clear(): void {
    this.frames.forEach((_, i) => (this.frames[i] = new Float64Array(this.channels)));
  }
}

interface ConvShape {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  dilation: number;
  bias: boolean;
  groups: number;
}

/** Causal dilated convolution (3.2): tap 0 multiplies the oldest sample; weights [out][in/groups][tap], then bias. */
class CausalConv {
  private readonly weights: Float64Array;
  private readonly bias: Float64Array | null;
  private readonly history: FrameHistory;

  constructor(reader: WeightReader, private readonly shape: ConvShape) {
    const { inChannels, outChannels, kernelSize, dilation, bias, groups } = shape;
    if (inChannels % groups !== 0 || outChannels % groups !== 0) throw new Error(`${groups} groups do not divide the conv`);
    this.weights = reader.take((outChannels * inChannels * kernelSize) / groups);
    this.bias = bias ? reader.take(outChannels) : null;
    this.history = new FrameHistory(dilation * (kernelSize - 1) + 1, inChannels);
  }

  step(input: Float64Array): Float64Array {
    const { inChannels, outChannels, kernelSize: K, dilation, groups } = this.shape;
    this.history.push(input);
    const inPerGroup = inChannels / groups;
    const outPerGroup = outChannels / groups;
    const output = new Float64Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      const firstInput = Math.floor(o / outPerGroup) * inPerGroup;
      let sum = this.bias === null ? 0 : this.bias[o]!;
      for (let j = 0; j < inPerGroup; j++) {
        for (let k = 0; k < K; k++) {
          sum += this.weights[(o * inPerGroup + j) * K + k]! * this.history.ago(dilation * (K - 1 - k))[firstInput + j]!;
        }
      }
      output[o] = sum;
    }
    return output;
  }

  clear(): void {
    this.history.clear();
  }
}

function conv1x1(reader: WeightReader, inChannels: number, outChannels: number, bias: boolean, groups = 1): CausalConv {
  return new CausalConv(reader, { inChannels, outChannels, kernelSize: 1, dilation: 1, bias, groups });
}

/** FiLM (3.3): a 1x1 of the condition gives the scale rows, then (with shift) the shift rows. */
class Film {
  private readonly conv: CausalConv;

  constructor(reader: WeightReader, conditionSize: number, private readonly width: number, private readonly spec: FilmSpec) {
    this.conv = conv1x1(reader, conditionSize, (spec.shift ? 2 : 1) * width, true, spec.groups);
  }

  apply(input: Float64Array, condition: Float64Array): Float64Array {
    const params = this.conv.step(condition);
    return input.map((x, i) => x * params[i]! + (this.spec.shift ? params[this.width + i]! : 0));
  }
}

// ---------------------------------------------------------------------------------------------
// Models

/** A model as a per-sample function of its input frame. */
interface Stage {
  readonly inChannels: number;
  step(frame: Float64Array): Float64Array;
  /** What the core's Reset clears: convolution histories (not LSTM state, not direct Linear history). */
  clear(): void;
}

function buildStage(model: NamModel, tanh: ReferenceTanh): Stage {
  const config = model.config;
  const reader = new WeightReader(model.weights, model.source);
  let stage: Stage;
  switch (config.architecture) {
    case "WaveNet":
      stage = new WaveNet(reader, config, tanh, config.conditionDsp && buildStage(config.conditionDsp, tanh));
      break;
    case "LSTM":
      stage = new Lstm(reader, config, tanh);
      break;
    case "ConvNet":
      stage = new ConvNet(reader, config, tanh);
      break;
    case "Linear":
      stage = new Linear(reader, config);
      break;
    case "SlimmableContainer":
      return buildStage(referenceSlimmedModel(model, null), tanh);
  }
  reader.finish();
  return stage;
}

function gateFactor(layer: WaveNetLayerSpec): number {
  return layer.gating === "none" ? 1 : 2;
}

const FILM_ORDER = [
  "convPre",
  "convPost",
  "inputMixinPre",
  "inputMixinPost",
  "activationPre",
  "activationPost",
  "layer1x1Post",
  "head1x1Post",
] as const;

type FilmName = (typeof FILM_ORDER)[number];

/** The layer's active FiLMs in weight order (4.5), each with the width it modulates. */
function layerFilms(array: WaveNetLayerArraySpec, layer: WaveNetLayerSpec) {
  const gated = gateFactor(layer) * array.bottleneck;
  const widths: Record<FilmName, number> = {
    convPre: array.channels,
    convPost: gated,
    inputMixinPre: array.conditionSize,
    inputMixinPost: gated,
    activationPre: gated,
    activationPost: array.bottleneck,
    layer1x1Post: array.channels,
    head1x1Post: array.head1x1.outChannels,
  };
  return FILM_ORDER.flatMap((name) => {
    const spec = array.films[name];
    return spec === null ? [] : [{ name, spec, width: widths[name] }];
  });
}

/** One WaveNet layer (4.2). */
class WaveNetLayer {
  private readonly conv: CausalConv;
  private readonly mixin: CausalConv;
  private readonly layer1x1: CausalConv | null;
  private readonly head1x1: CausalConv | null;
  private readonly films: Partial<Record<FilmName, Film>> = {};
  private readonly activation: Activation;
  private readonly secondary: Activation | null;

  constructor(reader: WeightReader, array: WaveNetLayerArraySpec, private readonly layer: WaveNetLayerSpec, tanh: ReferenceTanh) {
    const { channels: C, bottleneck: B, conditionSize: Cs } = array;
    const gated = gateFactor(layer) * B;
    this.conv = new CausalConv(reader, {
      inChannels: C,
      outChannels: gated,
      kernelSize: layer.kernelSize,
      dilation: layer.dilation,
      bias: true,
      groups: array.groupsInput,
    });
    this.mixin = conv1x1(reader, Cs, gated, false, array.groupsInputMixin);
    this.layer1x1 = array.layer1x1.active ? conv1x1(reader, B, C, true, array.layer1x1.groups) : null;
    this.head1x1 = array.head1x1.active ? conv1x1(reader, B, array.head1x1.outChannels, true, array.head1x1.groups) : null;
    for (const film of layerFilms(array, layer)) this.films[film.name] = new Film(reader, Cs, film.width, film.spec);
    this.activation = activationFunction(layer.activation, tanh);
    this.secondary = layer.secondaryActivation && activationFunction(layer.secondaryActivation, tanh);
  }

  /** Returns the next layer's input and this layer's contribution to the head accumulator. */
  step(x: Float64Array, condition: Float64Array): { next: Float64Array; skip: Float64Array } {
    const film = (name: FilmName, input: Float64Array) => this.films[name]?.apply(input, condition) ?? input;
    const convOut = film("convPost", this.conv.step(film("convPre", x)));
    const mixinOut = film("inputMixinPost", this.mixin.step(film("inputMixinPre", condition)));
    const z = film("activationPre", convOut.map((value, i) => value + mixinOut[i]!));
    const h = film("activationPost", this.gate(z));

    let next = x;
    if (this.layer1x1 !== null) {
      let residual = this.layer1x1.step(h);
      // Core quirk: layer1x1_post_film is only applied in blended layers (its weights are always loaded).
      if (this.layer.gating === "blended") residual = film("layer1x1Post", residual);
      next = x.map((value, i) => value + residual[i]!);
    }
    const skip = this.head1x1 === null ? h : film("head1x1Post", this.head1x1.step(h));
    return { next, skip };
  }

  private gate(z: Float64Array): Float64Array {
    if (this.layer.gating === "none") return activate(this.activation, z);
    const B = z.length / 2;
    const h = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      const primary = this.activation(z[i]!, i);
      const secondary = this.secondary!(z[B + i]!, i);
      h[i] = this.layer.gating === "gated" ? primary * secondary : secondary * primary + (1 - secondary) * z[i]!;
    }
    return h;
  }

  clear(): void {
    this.conv.clear();
  }
}

/** One layer array (4.3). */
class LayerArray {
  private readonly rechannel: CausalConv;
  private readonly layers: WaveNetLayer[];
  private readonly head: CausalConv;
  private readonly headInput: number;

  constructor(reader: WeightReader, array: WaveNetLayerArraySpec, tanh: ReferenceTanh) {
    this.rechannel = conv1x1(reader, array.inputSize, array.channels, false);
    this.layers = array.layers.map((layer) => new WaveNetLayer(reader, array, layer, tanh));
    this.headInput = array.head1x1.active ? array.head1x1.outChannels : array.bottleneck;
    this.head = new CausalConv(reader, {
      inChannels: this.headInput,
      outChannels: array.head.outChannels,
      kernelSize: array.head.kernelSize,
      dilation: array.head.dilation,
      bias: array.head.bias,
      groups: 1,
    });
  }

  step(input: Float64Array, condition: Float64Array, previousHead: Float64Array | null) {
    let x = this.rechannel.step(input);
    const accumulator = previousHead === null ? new Float64Array(this.headInput) : Float64Array.from(previousHead);
    for (const layer of this.layers) {
      const { next, skip } = layer.step(x, condition);
      x = next;
      skip.forEach((value, i) => (accumulator[i] += value));
    }
    return { stream: x, head: this.head.step(accumulator) };
  }

  clear(): void {
    this.layers.forEach((layer) => layer.clear());
    this.head.clear();
  }
}

/** Post-stack head (2.1.4): blocks of activation then conv. */
class PostHead {
  private readonly activation: Activation;
  private readonly convs: CausalConv[];

  constructor(reader: WeightReader, spec: WaveNetPostHeadSpec, tanh: ReferenceTanh) {
    this.activation = activationFunction(spec.activation, tanh);
    const last = spec.kernelSizes.length - 1;
    this.convs = spec.kernelSizes.map(
      (kernelSize, j) =>
        new CausalConv(reader, {
          inChannels: j === 0 ? spec.inChannels : spec.channels,
          outChannels: j === last ? spec.outChannels : spec.channels,
          kernelSize,
          dilation: 1,
          bias: true,
          groups: 1,
        }),
    );
  }

  step(input: Float64Array): Float64Array {
    return this.convs.reduce((signal, conv) => conv.step(activate(this.activation, signal)), input);
  }

  clear(): void {
    this.convs.forEach((conv) => conv.clear());
  }
}

/** WaveNet (4.1, 4.4). */
class WaveNet implements Stage {
  readonly inChannels: number;
  private readonly arrays: LayerArray[];
  private readonly postHead: PostHead | null;
  private readonly headScale: number;

  constructor(reader: WeightReader, config: WaveNetConfig, tanh: ReferenceTanh, private readonly conditionDsp: Stage | null) {
    this.inChannels = config.inChannels;
    this.arrays = config.layerArrays.map((array) => new LayerArray(reader, array, tanh));
    this.postHead = config.postHead && new PostHead(reader, config.postHead, tanh);
    this.headScale = reader.take(1)[0]!; // the last weight overrides config.head_scale
  }

  step(frame: Float64Array): Float64Array {
    const condition = this.conditionDsp === null ? frame : this.conditionDsp.step(frame);
    let stream = frame;
    let head: Float64Array | null = null;
    for (const array of this.arrays) ({ stream, head } = array.step(stream, condition, head));
    const scaled = head!.map((value) => this.headScale * value);
    return this.postHead === null ? scaled : this.postHead.step(scaled);
  }

  clear(): void {
    this.conditionDsp?.clear();
    this.arrays.forEach((array) => array.clear());
    this.postHead?.clear();
  }
}

/** LSTM (section 6). Its state survives Reset. */
class Lstm implements Stage {
  readonly inChannels: number;
  private readonly layers: { inputWidth: number; weights: Float64Array; bias: Float64Array; hidden: Float64Array; cell: Float64Array }[];
  private readonly head: CausalConv;
  private readonly sigmoid: (x: number) => number;
  private readonly tanh: (x: number) => number;

  constructor(reader: WeightReader, config: LstmConfig, tanh: ReferenceTanh) {
    if (config.numLayers === 0) throw new Error("the reference runs LSTMs with at least one layer");
    const H = config.hiddenSize;
    this.inChannels = config.inChannels;
    this.layers = Array.from({ length: config.numLayers }, (_, l) => {
      const inputWidth = l === 0 ? config.inputSize : H;
      return {
        inputWidth,
        weights: reader.take(4 * H * (inputWidth + H)),
        bias: reader.take(4 * H),
        hidden: reader.take(H),
        cell: reader.take(H),
      };
    });
    this.head = conv1x1(reader, H, config.outChannels, true);
    this.sigmoid = tanh === "fast" ? fastSigmoid : sigmoid;
    this.tanh = tanh === "fast" ? fastTanh : Math.tanh;
  }

  step(frame: Float64Array): Float64Array {
    let v = frame;
    for (const layer of this.layers) {
      const H = layer.hidden.length;
      const joined = [...v, ...layer.hidden];
      const gates = new Float64Array(4 * H);
      for (let row = 0; row < 4 * H; row++) {
        let sum = layer.bias[row]!;
        joined.forEach((value, column) => (sum += layer.weights[row * joined.length + column]! * value));
        gates[row] = sum;
      }
      for (let i = 0; i < H; i++) {
        const inputGate = this.sigmoid(gates[i]!);
        const forgetGate = this.sigmoid(gates[H + i]!);
        const candidate = this.tanh(gates[2 * H + i]!);
        const outputGate = this.sigmoid(gates[3 * H + i]!);
        layer.cell[i] = forgetGate * layer.cell[i]! + inputGate * candidate;
        layer.hidden[i] = outputGate * this.tanh(layer.cell[i]!);
      }
      v = layer.hidden;
    }
    return this.head.step(v);
  }

  /** Reset keeps the recurrent state (6.3). */
  clear(): void {}
}

/** ConvNet (7.1). */
class ConvNet implements Stage {
  readonly inChannels: number;
  private readonly blocks: { conv: CausalConv; scale: Float64Array | null; loc: Float64Array | null }[];
  private readonly activation: Activation;
  private readonly head: CausalConv;

  constructor(reader: WeightReader, config: ConvNetConfig, tanh: ReferenceTanh) {
    const C = config.channels;
    this.inChannels = config.inChannels;
    this.blocks = config.dilations.map((dilation, b) => {
      const conv = new CausalConv(reader, {
        inChannels: b === 0 ? config.inChannels : C,
        outChannels: C,
        kernelSize: 2,
        dilation,
        bias: !config.batchnorm,
        groups: config.groups,
      });
      if (!config.batchnorm) return { conv, scale: null, loc: null };
      const mean = reader.take(C);
      const variance = reader.take(C);
      const gamma = reader.take(C);
      const beta = reader.take(C);
      const eps = reader.take(1)[0]!;
      const scale = gamma.map((g, i) => g / Math.sqrt(eps + variance[i]!));
      const loc = beta.map((b, i) => b - scale[i]! * mean[i]!);
      return { conv, scale, loc };
    });
    this.activation = activationFunction(config.activation, tanh);
    this.head = conv1x1(reader, C, config.outChannels, true);
  }

  step(frame: Float64Array): Float64Array {
    let x = frame;
    for (const { conv, scale, loc } of this.blocks) {
      const y = conv.step(x);
      x = activate(this.activation, scale === null ? y : y.map((value, i) => value * scale[i]! + loc![i]!));
    }
    return this.head.step(x);
  }

  clear(): void {
    this.blocks.forEach((block) => block.conv.clear());
  }
}

/** Linear (7.2): w[0] multiplies the current sample (core quirk); min(in, out) channels filtered alike. */
class Linear implements Stage {
  readonly inChannels: number;
  private readonly taps: Float64Array;
  private readonly bias: number;
  private readonly history: FrameHistory;
  /** Only the partitioned-FFT path (R > 256 with "auto") clears its history on Reset. */
  private readonly clearedOnReset: boolean;

  constructor(reader: WeightReader, private readonly config: LinearConfig) {
    this.inChannels = config.inChannels;
    this.taps = reader.take(config.receptiveField);
    this.bias = config.bias ? reader.take(1)[0]! : 0;
    this.history = new FrameHistory(config.receptiveField, config.inChannels);
    this.clearedOnReset =
      config.implementation === "fft" || (config.implementation === "auto" && config.receptiveField > 256);
  }

  step(frame: Float64Array): Float64Array {
    this.history.push(frame);
    const output = new Float64Array(this.config.outChannels);
    for (let channel = 0; channel < Math.min(this.config.inChannels, this.config.outChannels); channel++) {
      let sum = this.bias;
      this.taps.forEach((w, k) => (sum += w * this.history.ago(k)[channel]!));
      output[channel] = sum;
    }
    return output;
  }

  clear(): void {
    if (this.clearedOnReset) this.history.clear();
  }
}
