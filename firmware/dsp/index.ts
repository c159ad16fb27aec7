// The DSP core's TypeScript face: compile the WASM module once, build model programs in its
// memory, and run them. Whoever owns a DspCore owns its thread: one instance, one thread.

import { prewarmSamples } from "../nam/classify.js";
import { NamFileError } from "../nam/errors.js";
import type { NamModel } from "../nam/model.js";
import { slimModel } from "../nam/slim.js";
import { compileDsp, instantiateDsp, type DspExports } from "./abi.js";
import { compileConvNet } from "./compile-convnet.js";
import { compileLinear } from "./compile-linear.js";
import { compileLstm } from "./compile-lstm.js";
import { compileWaveNet } from "./compile-wavenet.js";
import type { NamDspOptions, NamModelRunner, SimdVariant } from "./contract.js";
import { installProgram, ProgramBuilder, type ProgramImage, type SignalHandle } from "./program-builder.js";

export type { NamDspOptions, NamModelRunner, SimdVariant, TanhMode } from "./contract.js";

export const defaultDspOptions: NamDspOptions = { tanh: "fast", maxBlockFrames: 128, prewarm: true, slim: null };

/** Frames copied into WASM memory per call when `process` gets a longer block. */
const IO_FRAMES = 4096;

/**
 * What this build of the DSP cannot run yet, as short feature names (empty = runs). The pedal is
 * mono in, mono out; a condition DSP (`nested`) may have several output channels.
 */
export function unsupportedFeatures(model: NamModel, nested = false): string[] {
  const missing: string[] = [];
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet":
      if (config.inChannels !== 1) missing.push(`${config.inChannels}-channel input`);
      if (!nested && (config.postHead?.outChannels ?? config.layerArrays.at(-1)!.head.outChannels) !== 1) {
        missing.push("multi-channel output");
      }
      if (config.conditionDsp) missing.push(...unsupportedFeatures(config.conditionDsp, true).map((f) => `condition_dsp ${f}`));
      break;
    case "LSTM":
      if (config.numLayers === 0) missing.push("LSTM without layers");
      if (config.inChannels !== 1 || config.inputSize !== 1) missing.push("multi-channel LSTM input");
      if (config.outChannels !== 1) missing.push("multi-channel output");
      break;
    case "ConvNet":
    case "Linear":
      if (config.inChannels !== 1) missing.push(`${config.inChannels}-channel input`);
      if (config.outChannels !== 1) missing.push("multi-channel output");
      break;
    case "SlimmableContainer":
      for (const submodel of config.submodels) missing.push(...unsupportedFeatures(submodel.model, nested));
      break;
  }
  return [...new Set(missing)];
}

/** Emits `model` reading `input`; returns its output signal. Nested models (condition DSPs) recurse. */
function compileModel(builder: ProgramBuilder, model: NamModel, input: SignalHandle, options: NamDspOptions): SignalHandle {
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet": {
      const condition = config.conditionDsp ? compileModel(builder, config.conditionDsp, input, options) : input;
      return compileWaveNet(builder, config, model.weights, model.source, options.tanh, input, condition);
    }
    case "LSTM":
      return compileLstm(builder, config, model.weights, model.source, options.tanh, input);
    case "ConvNet":
      return compileConvNet(builder, config, model.weights, model.source, options.tanh, input);
    case "Linear":
      return compileLinear(builder, config, model.weights, model.source, input);
    case "SlimmableContainer":
      throw new Error(`${model.source}: a container is compiled through the submodel slimModel selects`);
  }
}

export interface CompiledModel {
  image: ProgramImage;
  /** Zeros the core's Reset feeds: ceil(P / maxBlockFrames) · maxBlockFrames. */
  prewarmFrames: number;
  /** The model that actually runs (a container's selected submodel, a slimmed WaveNet). */
  running: NamModel;
  options: NamDspOptions;
}

/**
 * Checks and compiles `model` into a relocatable program image. Pure computation: runs on any
 * thread (the engine does it on the main thread, then ships the image to the audio worker).
 * Throws NamFileError("not-supported") for models this DSP cannot run.
 */
export function compileModelImage(model: NamModel, options: Partial<NamDspOptions> = {}): CompiledModel {
  const missing = unsupportedFeatures(model);
  if (missing.length > 0) {
    throw new NamFileError(model.source, "", "not-supported", `not supported yet: ${missing.join(", ")}`);
  }
  const resolved: NamDspOptions = { ...defaultDspOptions, ...options };
  if (!Number.isInteger(resolved.maxBlockFrames) || resolved.maxBlockFrames < 1) {
    throw new RangeError(`maxBlockFrames must be a positive integer, got ${resolved.maxBlockFrames}`);
  }
  if (resolved.slim !== null && !(resolved.slim >= 0 && resolved.slim <= 1)) {
    throw new RangeError(`slim must be between 0 and 1, got ${resolved.slim}`);
  }
  const running = slimModel(model, resolved.slim);
  const builder = new ProgramBuilder();
  const input = builder.signal(1, 0);
  builder.setInput(input);
  builder.setOutput(compileModel(builder, running, input, resolved));
  const prewarmFrames = Math.ceil(prewarmSamples(running) / resolved.maxBlockFrames) * resolved.maxBlockFrames;
  return { image: builder.image(), prewarmFrames, running, options: resolved };
}

class ProgramRunner implements NamModelRunner {
  private inView: Float32Array;
  private outView: Float32Array;
  private disposed = false;

  constructor(
    private readonly dsp: DspExports,
    private readonly program: number,
    private readonly io: number,
    private readonly prewarmFrames: number,
    readonly options: NamDspOptions,
  ) {
    this.inView = new Float32Array(dsp.memory.buffer, io, IO_FRAMES);
    this.outView = new Float32Array(dsp.memory.buffer, io + IO_FRAMES * 4, IO_FRAMES);
  }

  reset(): void {
    this.dsp.programClear(this.program);
    if (this.options.prewarm) this.dsp.programProcess(this.program, 0, 0, this.prewarmFrames);
  }

  process(input: Float32Array, output: Float32Array): void {
    if (this.inView.buffer !== this.dsp.memory.buffer) {
      // Another model's allocation grew the memory: re-take the views (only ever off the audio path).
      this.inView = new Float32Array(this.dsp.memory.buffer, this.io, IO_FRAMES);
      this.outView = new Float32Array(this.dsp.memory.buffer, this.io + IO_FRAMES * 4, IO_FRAMES);
    }
    const inView = this.inView;
    const outView = this.outView;
    for (let done = 0; done < input.length; done += IO_FRAMES) {
      const n = Math.min(IO_FRAMES, input.length - done);
      for (let i = 0; i < n; i++) inView[i] = input[done + i]!;
      this.dsp.programProcess(this.program, this.io, this.io + IO_FRAMES * 4, n);
      for (let i = 0; i < n; i++) output[done + i] = outView[i]!;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.dsp.free(this.program);
    this.dsp.free(this.io);
  }
}

export class DspCore {
  private constructor(readonly variant: SimdVariant, readonly exports: DspExports) {}

  static async load(options: { variant?: SimdVariant | "auto" } = {}): Promise<DspCore> {
    const compiled = await compileDsp(options.variant ?? "auto");
    return new DspCore(compiled.variant, instantiateDsp(compiled));
  }

  unsupportedFeatures(model: NamModel): string[] {
    return unsupportedFeatures(model);
  }

  /** Compiles `model` into this instance's memory, resets and prewarms it. Control side. */
  createRunner(model: NamModel, options: Partial<NamDspOptions> = {}): NamModelRunner {
    const compiled = compileModelImage(model, options);
    const program = installProgram(this.exports, compiled.image);
    const io = this.exports.alloc(2 * IO_FRAMES * 4);
    const runner = new ProgramRunner(this.exports, program, io, compiled.prewarmFrames, compiled.options);
    runner.reset();
    return runner;
  }

  /** Bytes of WASM linear memory (grows on model loads, never during process). */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
}

export function loadDsp(options: { variant?: SimdVariant | "auto" } = {}): Promise<DspCore> {
  return DspCore.load(options);
}
