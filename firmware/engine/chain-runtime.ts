// Owns one DSP instance's signal chain: the chain struct of dsp-as/chain/chain.ts, its blocks,
// and the model/IR slots. It lives on the thread that runs the audio (the audio worker, or the
// CLI's thread for offline renders): `process` is the per-period call; everything else runs
// between periods and does only bounded work (program installs are a copy, model prewarm and
// the IR's partition FFTs are sliced).

import { allocZeroed, type DspExports } from "../dsp/abi.js";
import { installProgram } from "../dsp/program-builder.js";
import {
  Convolver, ConvolverBuild, DcBlocker, GainStage, Limiter, NoiseGate, Resampler, ToneEq,
} from "../dsp/chain/index.js";
import { TunerDsp } from "../dsp/tuner.js";
import type { ChainParams, LoadedSlot } from "./api.js";
import type { IrSlotData, ModelSlotData } from "./protocol.js";
import type { SharedState } from "./shared-state.js";

/** Crossfade between models or IRs, ms (the issue allows ≤ 20). */
export const SWAP_FADE_MS = 15;
/** Bypass and tuner-mute ramps, ms. */
const BYPASS_RAMP_MS = 8;
/** Silence primed into a resampled slot's output FIFO, frames: covers the ±1–2 frame jitter. */
const FIFO_PRIME_FRAMES = 4;
/** Prewarm slice when no timing is known yet, frames. */
const FIRST_PREWARM_SLICE_FRAMES = 256;

// Chain struct offsets (dsp-as/chain/chain.ts).
const C = {
  maxFrames: 0, trim: 4, gate: 8, gateEnabled: 12, tone: 16, toneEnabled: 20, outputLevel: 24, dcBlocker: 28,
  limiter: 32, key: 36, gains: 40, scratchA: 44, scratchB: 48, modelCurrent: 52, modelNext: 56, modelFadeFrames: 60,
  modelFadePos: 64, irCurrent: 68, irNext: 72, irFadeFrames: 76, irFadePos: 80, bypass: 84, bypassMix: 88,
  bypassStep: 92, muted: 96, muteGain: 100, muteStep: 104, inputPeak: 108, outputPeak: 112, fadesFinished: 116,
  tuner: 120, tunerActive: 124,
} as const;
// Model slot offsets.
const S = {
  program: 0, upsampler: 4, downsampler: 8, deviceIn: 12, modelIn: 16, modelOut: 20, fifo: 24, fifoFrames: 28,
  inputGain: 32, inputGainNow: 36, outputGain: 40, outputGainNow: 44, gainDelayFrames: 48, gainHistory: 52,
} as const;

const dbToGain = (db: number) => 10 ** (db / 20);
const peakDb = (peak: number) => (peak > 1e-10 ? 20 * Math.log10(peak) : -200);

interface ModelSlot {
  info: LoadedSlot;
  data: Omit<ModelSlotData, "image">;
  ptr: number;
  program: number;
  allocations: number[];
  resamplers: Resampler[];
  /** Device frames the slot's output lags its input (resampler round trip), 0 at equal rates. */
  latencyFrames: number;
  prewarmLeft: number;
}

interface IrSlot {
  info: LoadedSlot;
  convolver: Convolver;
}

/** An IR load whose convolver is still being built, a slice per step, between periods. */
interface IrBuild {
  info: LoadedSlot;
  build: ConvolverBuild;
  /** Called once: when the IR starts playing, or when a newer IR command supersedes this load. */
  onPlaying: () => void;
}

/** A load waiting for its turn: prewarm done, then a fade when no other fade runs. */
interface PendingSwap {
  kind: "model" | "ir";
  /** null = fade to nothing (unload, IR off). */
  target: ModelSlot | IrSlot | null;
  onPlaying: () => void;
}

export interface ChainRuntimeConfig {
  sampleRateHz: number;
  /** Largest period `process` will be called with. */
  maxFrames: number;
  /**
   * WASM heap to claim (and fault in) once, at construction, beyond what the chain itself needs.
   * The audio worker passes HEAP_RESERVE_BYTES so that model and IR loads between periods never
   * grow the memory (an mprotect, fresh page faults, and new typed-array views on the audio
   * thread); offline renders pass nothing.
   */
  heapReserveBytes?: number;
}

/**
 * Room for the loads of a running pedal: two model slots (the largest A2/A1 Standard program is
 * under 1 MiB with its signals) and two 500 ms IR convolvers at 96 kHz (about 1.5 MiB each), with
 * a wide margin for custom architectures and longer IRs.
 */
export const HEAP_RESERVE_BYTES = 16 * 2 ** 20;

export class ChainRuntime {
  private readonly chain: number;
  private readonly allocations: number[] = [];
  private readonly trim: GainStage;
  private readonly gate: NoiseGate;
  private readonly tone: ToneEq;
  private readonly outputLevel: GainStage;
  private readonly dcBlocker: DcBlocker;
  private readonly limiter: Limiter;
  private readonly tuner: TunerDsp;
  private readonly ioIn: number;
  private readonly ioOut: number;
  private views: { buffer: ArrayBuffer; chain: DataView; in: Float32Array; out: Float32Array; i32: Int32Array };
  private currentParams: ChainParams;
  private model: ModelSlot | null = null;
  private ir: IrSlot | null = null;
  /** The IR kept while "IR on" is off, to fade back to. */
  private irParked: IrSlot | null = null;
  private readonly pending: PendingSwap[] = [];
  private prewarming: ModelSlot | null = null;
  private prewarmNsPerFrame = 0;
  private irBuilding: IrBuild | null = null;
  private readonly retiring: { kind: "model" | "ir"; slot: ModelSlot | IrSlot | null }[] = [];
  private readonly fadeFrames: number;

  constructor(private readonly dsp: DspExports, readonly config: ChainRuntimeConfig, params: ChainParams) {
    const { sampleRateHz, maxFrames } = config;
    if (config.heapReserveBytes) {
      // Zeroing faults the pages in; the allocator keeps the freed block and splits it for every
      // later allocation.
      dsp.free(allocZeroed(dsp, config.heapReserveBytes));
    }
    this.currentParams = params;
    this.fadeFrames = Math.round((SWAP_FADE_MS / 1000) * sampleRateHz);
    this.chain = this.alloc(dsp.CHAIN_STATE_BYTES.value);
    this.trim = new GainStage(dsp, sampleRateHz);
    this.gate = new NoiseGate(dsp, sampleRateHz);
    this.tone = new ToneEq(dsp, sampleRateHz);
    this.outputLevel = new GainStage(dsp, sampleRateHz);
    this.dcBlocker = new DcBlocker(dsp, sampleRateHz);
    this.limiter = new Limiter(dsp, sampleRateHz);
    this.tuner = new TunerDsp(dsp, sampleRateHz);
    this.ioIn = this.alloc(maxFrames * 4);
    this.ioOut = this.alloc(maxFrames * 4);
    const scratch = [C.key, C.gains, C.scratchA, C.scratchB].map((offset) => [offset, this.alloc(maxFrames * 4)] as const);
    this.views = this.takeViews();
    const v = this.views.chain;
    v.setInt32(C.maxFrames, maxFrames, true);
    for (const [offset, ptr] of [
      [C.trim, this.trim.statePtr], [C.gate, this.gate.statePtr], [C.tone, this.tone.statePtr],
      [C.outputLevel, this.outputLevel.statePtr], [C.dcBlocker, this.dcBlocker.statePtr],
      [C.limiter, this.limiter.statePtr], [C.tuner, this.tuner.statePtr], ...scratch,
    ] as const) v.setUint32(offset, ptr, true);
    v.setInt32(C.modelFadePos, -1, true);
    v.setInt32(C.irFadePos, -1, true);
    v.setInt32(C.modelFadeFrames, this.fadeFrames, true);
    v.setInt32(C.irFadeFrames, this.fadeFrames, true);
    const rampStep = 1 / ((BYPASS_RAMP_MS / 1000) * sampleRateHz);
    v.setFloat32(C.bypassStep, rampStep, true);
    v.setFloat32(C.muteStep, rampStep, true);
    v.setFloat32(C.muteGain, 1, true);
    this.applyParams(params, { immediate: true });
  }

  // ── Audio thread ──────────────────────────────────────────────────────────────────────────

  /** One period through the whole chain. No allocation (views are re-taken only after growth). */
  process(input: Float32Array, output: Float32Array): void {
    if (this.views.buffer !== this.dsp.memory.buffer) this.views = this.takeViews();
    const frames = input.length;
    this.views.in.set(input);
    this.dsp.chainProcess(this.chain, this.ioIn, this.ioOut, frames);
    const out = this.views.out;
    for (let i = 0; i < frames; i++) output[i] = out[i]!;
  }

  // ── Between periods ───────────────────────────────────────────────────────────────────────

  /**
   * Bounded background work: a prewarm slice that fits `budgetMs`, IR build steps (at least one,
   * more while the budget lasts), starting a pending fade, freeing what finished fading. Call
   * between periods.
   */
  background(budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    this.collectFinishedFades();
    const slot = this.prewarming;
    if (slot !== null) {
      const sliceFrames = this.prewarmNsPerFrame > 0
        ? Math.max(64, Math.floor((budgetMs * 1e6) / this.prewarmNsPerFrame))
        : FIRST_PREWARM_SLICE_FRAMES;
      const frames = Math.min(slot.prewarmLeft, sliceFrames);
      const started = performance.now();
      this.dsp.programProcess(slot.program, 0, 0, frames);
      this.prewarmNsPerFrame = ((performance.now() - started) * 1e6) / frames;
      slot.prewarmLeft -= frames;
      if (slot.prewarmLeft === 0) this.prewarming = null;
    }
    if (this.irBuilding !== null) this.buildIr(deadline);
    this.startNextFade();
  }

  /** Runs background work to completion (offline rendering, tests). */
  settle(): void {
    while (this.prewarming !== null || this.irBuilding !== null || this.pending.length > 0 || this.fadeRunning()) {
      this.background(1000);
      if (this.fadeRunning()) this.finishFadesNow();
    }
    this.collectFinishedFades();
  }

  /**
   * Installs the model in a new slot and prewarms it in background slices; then it fades in. A
   * model command still waiting (prewarming, or queued behind a running fade) is superseded:
   * freed unheard, its onPlaying called now — a half-prewarmed model must never fade in.
   */
  loadModel(data: ModelSlotData, onPlaying: () => void): void {
    const slot = this.createModelSlot(data);
    this.cancelPendingModelCommands();
    this.prewarming = slot;
    this.pending.push({ kind: "model", target: slot, onPlaying });
  }

  unloadModel(onPlaying: () => void): void {
    this.cancelPendingModelCommands();
    this.pending.push({ kind: "model", target: null, onPlaying });
  }

  /**
   * Starts building the IR's convolver (bounded setup here, the partition FFTs in background
   * steps); once built it fades in, or is parked while the IR is off. A load still building is
   * superseded: freed unheard, its onPlaying called now.
   */
  loadIr(data: IrSlotData, onPlaying: () => void): void {
    const build = new ConvolverBuild(this.dsp, data.samples, { blockFrames: this.config.maxFrames });
    this.cancelIrBuild();
    this.irBuilding = { info: data.slot, build, onPlaying };
  }

  unloadIr(onPlaying: () => void): void {
    this.cancelIrBuild();
    this.retireIr(this.irParked);
    this.irParked = null;
    this.pending.push({ kind: "ir", target: null, onPlaying });
  }

  applyParams(params: ChainParams, options: { immediate?: boolean } = {}): void {
    const previous = this.currentParams;
    this.currentParams = params;
    this.trim.configure({ gainDb: params.inputTrimDb });
    this.gate.configure({
      thresholdDb: params.gate.thresholdDb, hysteresisDb: params.gate.hysteresisDb, attackMs: params.gate.attackMs,
      holdMs: params.gate.holdMs, releaseMs: params.gate.releaseMs, rangeDb: params.gate.rangeDb,
    });
    this.tone.configure({ bass: params.eq.bass, middle: params.eq.mid, treble: params.eq.treble, presence: params.eq.presence });
    this.outputLevel.configure({ gainDb: params.outputLevelDb });
    this.limiter.configure({ ceilingDb: params.limiterCeilingDb });
    const v = this.chainView();
    v.setInt32(C.gateEnabled, params.gate.enabled ? 1 : 0, true);
    v.setInt32(C.toneEnabled, params.eq.enabled ? 1 : 0, true);
    for (const slot of [this.model, ...this.pending.map((p) => (p.kind === "model" ? p.target : null))]) {
      if (slot) this.setSlotGains(slot as ModelSlot);
    }
    if (options.immediate) {
      this.trim.reset();
      this.outputLevel.reset();
    }
    if (params.irEnabled !== previous.irEnabled || options.immediate) this.switchIr(params.irEnabled);
  }

  get params(): ChainParams {
    return this.currentParams;
  }

  /** Bypass ramps (click-free) unless `immediate` (offline renders that start bypassed). */
  setBypass(bypass: boolean, immediate = false): void {
    this.chainView().setInt32(C.bypass, bypass ? 1 : 0, true);
    if (immediate) this.chainView().setFloat32(C.bypassMix, bypass ? 1 : 0, true);
  }

  /** Tuner on: mute the output, analyse the input. */
  setTuner(active: boolean): void {
    if (active && this.chainView().getInt32(C.tunerActive, true) === 0) this.tuner.reset();
    this.chainView().setInt32(C.tunerActive, active ? 1 : 0, true);
    this.chainView().setInt32(C.muted, active ? 1 : 0, true);
  }

  /** Meters into the shared state block without allocating (runs on the audio thread between periods). */
  publishMeters(state: SharedState): void {
    const v = this.chainView();
    state.setFloat("inputPeakDb", peakDb(v.getFloat32(C.inputPeak, true)));
    state.setFloat("outputPeakDb", peakDb(v.getFloat32(C.outputPeak, true)));
    // The gate struct's "open" flag (dsp-as/chain/gate.ts +64).
    const gateOpen = !this.currentParams.gate.enabled || this.views.i32[(this.gate.statePtr + 64) >> 2] !== 0;
    state.setInt("gateOpen", gateOpen ? 1 : 0);
    const active = v.getInt32(C.tunerActive, true) !== 0;
    state.setFloat("tunerFrequencyHz", active ? Math.max(0, this.dsp.tunerFrequencyHz(this.tuner.statePtr)) : 0);
    state.setFloat("tunerLevelDb", this.dsp.tunerLevelDb(this.tuner.statePtr));
  }

  get modelSlot(): LoadedSlot | null { return this.model?.info ?? null; }
  get irSlot(): LoadedSlot | null { return (this.ir ?? this.irParked)?.info ?? null; }
  get bypassed(): boolean { return this.chainView().getInt32(C.bypass, true) !== 0; }

  /** Latency the chain adds on top of the device (resampling around the model), ms. */
  get addedLatencyMs(): number {
    return ((this.model?.latencyFrames ?? 0) * 1000) / this.config.sampleRateHz;
  }

  dispose(): void {
    for (const slot of [this.model, this.prewarming, ...this.pending.map((p) => p.kind === "model" ? p.target : null)]) {
      if (slot) this.freeModelSlot(slot as ModelSlot);
    }
    for (const slot of [this.ir, this.irParked, ...this.pending.map((p) => p.kind === "ir" ? p.target : null)]) {
      if (slot) (slot as IrSlot).convolver.dispose();
    }
    this.irBuilding?.build.dispose();
    for (const { kind, slot } of this.retiring) this.freeSlot(kind, slot);
    for (const block of [this.trim, this.gate, this.tone, this.outputLevel, this.dcBlocker, this.limiter, this.tuner]) {
      block.dispose();
    }
    for (const ptr of this.allocations) this.dsp.free(ptr);
  }

  // ── Internals ─────────────────────────────────────────────────────────────────────────────

  private alloc(bytes: number): number {
    const ptr = allocZeroed(this.dsp, bytes);
    this.allocations.push(ptr);
    return ptr;
  }

  private takeViews() {
    const buffer = this.dsp.memory.buffer;
    return {
      buffer,
      chain: new DataView(buffer, this.chain, this.dsp.CHAIN_STATE_BYTES.value),
      in: new Float32Array(buffer, this.ioIn, this.config.maxFrames),
      out: new Float32Array(buffer, this.ioOut, this.config.maxFrames),
      i32: new Int32Array(buffer),
    };
  }

  private chainView(): DataView {
    if (this.views.buffer !== this.dsp.memory.buffer) this.views = this.takeViews();
    return this.views.chain;
  }

  private createModelSlot(data: ModelSlotData): ModelSlot {
    const { maxFrames, sampleRateHz } = this.config;
    const allocations: number[] = [];
    const alloc = (bytes: number) => {
      const ptr = allocZeroed(this.dsp, bytes);
      allocations.push(ptr);
      return ptr;
    };
    const program = installProgram(this.dsp, data.image);
    const ptr = alloc(this.dsp.MODEL_SLOT_BYTES.value);
    const resamplers: Resampler[] = [];
    let latencyFrames = 0;
    const words: [number, number][] = [[S.program, program], [S.deviceIn, alloc(maxFrames * 4)]];
    if (data.modelSampleRateHz !== sampleRateHz) {
      const up = new Resampler(this.dsp, sampleRateHz, data.modelSampleRateHz);
      const down = new Resampler(this.dsp, data.modelSampleRateHz, sampleRateHz);
      resamplers.push(up, down);
      const modelFrames = up.maxOutputFrames(maxFrames);
      const fifoFrames = down.maxOutputFrames(modelFrames) + maxFrames + FIFO_PRIME_FRAMES;
      words.push(
        [S.upsampler, up.statePtr], [S.downsampler, down.statePtr],
        [S.modelIn, alloc(modelFrames * 4)], [S.modelOut, alloc(modelFrames * 4)], [S.fifo, alloc(fifoFrames * 4)],
      );
      // The upsampler's delay is in model-rate frames; in device frames it may be fractional.
      latencyFrames = (up.latencyFrames * sampleRateHz) / data.modelSampleRateHz + down.latencyFrames + FIFO_PRIME_FRAMES;
      // The gate's gain waits as long as the signal does (within half a frame).
      const gainDelayFrames = Math.round(latencyFrames);
      words.push([S.gainDelayFrames, gainDelayFrames], [S.gainHistory, alloc((gainDelayFrames + maxFrames) * 4)]);
    }
    const v = new DataView(this.dsp.memory.buffer, ptr, this.dsp.MODEL_SLOT_BYTES.value);
    for (const [offset, value] of words) v.setUint32(offset, value, true);
    v.setInt32(S.fifoFrames, data.modelSampleRateHz !== sampleRateHz ? FIFO_PRIME_FRAMES : 0, true);
    const { image: _image, ...rest } = data;
    const slot: ModelSlot = {
      info: data.slot, data: rest, ptr, program, allocations, resamplers, latencyFrames,
      prewarmLeft: data.prewarmFrames,
    };
    this.setSlotGains(slot, true);
    return slot;
  }

  /** Input calibration and loudness normalisation belong to the model, so they fade with it. */
  private setSlotGains(slot: ModelSlot, immediate = false): void {
    const p = this.currentParams;
    const calibrationDb = p.inputCalibration.enabled && slot.data.inputLevelDbu !== null
      ? p.inputCalibration.interfaceInputDbu - slot.data.inputLevelDbu : 0;
    const normalisationDb = p.normalizeLoudness && slot.data.loudnessDb !== null ? -18 - slot.data.loudnessDb : 0;
    const v = new DataView(this.dsp.memory.buffer, slot.ptr, this.dsp.MODEL_SLOT_BYTES.value);
    v.setFloat32(S.inputGain, dbToGain(calibrationDb), true);
    v.setFloat32(S.outputGain, dbToGain(normalisationDb), true);
    if (immediate) {
      v.setFloat32(S.inputGainNow, dbToGain(calibrationDb), true);
      v.setFloat32(S.outputGainNow, dbToGain(normalisationDb), true);
    }
  }

  /** IR build steps until done or until the next step would pass `deadline` (performance.now() ms). */
  private buildIr(deadline: number): void {
    const { info, build, onPlaying } = this.irBuilding!;
    for (;;) {
      const started = performance.now();
      const complete = build.step();
      const finished = performance.now();
      if (complete) break;
      // The next step costs about what this one did.
      if (2 * finished - started > deadline) return;
    }
    this.irBuilding = null;
    this.installIr({ info, convolver: build.finish() }, onPlaying);
  }

  /** A built IR: queued to fade in, or parked (replacing the parked one) while the IR is off. */
  private installIr(slot: IrSlot, onPlaying: () => void): void {
    if (this.currentParams.irEnabled) {
      this.pending.push({ kind: "ir", target: slot, onPlaying });
    } else {
      this.retireIr(this.irParked);
      this.irParked = slot;
      onPlaying();
    }
  }

  private cancelPendingModelCommands(): void {
    const superseded = this.pending.filter((swap) => swap.kind === "model");
    if (superseded.length === 0) return;
    this.pending.splice(0, this.pending.length, ...this.pending.filter((swap) => swap.kind !== "model"));
    this.prewarming = null;
    for (const swap of superseded) {
      if (swap.target !== null) this.freeModelSlot(swap.target as ModelSlot);
      swap.onPlaying();
    }
  }

  private cancelIrBuild(): void {
    const building = this.irBuilding;
    if (building === null) return;
    this.irBuilding = null;
    building.build.dispose();
    building.onPlaying();
  }

  private switchIr(enabled: boolean): void {
    if (enabled && this.irParked) {
      const slot = this.irParked;
      this.irParked = null;
      this.pending.push({ kind: "ir", target: slot, onPlaying: () => {} });
    } else if (!enabled && this.ir) {
      this.irParked = this.ir;
      this.pending.push({ kind: "ir", target: null, onPlaying: () => {} });
    }
  }

  private fadeRunning(): boolean {
    const v = this.chainView();
    return v.getInt32(C.modelFadePos, true) >= 0 || v.getInt32(C.irFadePos, true) >= 0;
  }

  /** Starts the oldest pending swap of each kind whose slot is ready and whose kind is not fading. */
  private startNextFade(): void {
    const v = this.chainView();
    for (const kind of ["model", "ir"] as const) {
      const fadePos = kind === "model" ? C.modelFadePos : C.irFadePos;
      if (v.getInt32(fadePos, true) >= 0) continue;
      const index = this.pending.findIndex((p) => p.kind === kind);
      if (index < 0) continue;
      const swap = this.pending[index]!;
      if (swap.target !== null && swap.target === this.prewarming) continue;
      this.pending.splice(index, 1);
      if (kind === "model") {
        const target = swap.target as ModelSlot | null;
        this.retiring.push({ kind, slot: this.model });
        this.model = target;
        v.setUint32(C.modelNext, target?.ptr ?? 0, true);
      } else {
        const target = swap.target as IrSlot | null;
        // An IR parked by "IR off" is kept, not freed, when it fades out.
        this.retiring.push({ kind, slot: this.ir === this.irParked ? null : this.ir });
        this.ir = target;
        v.setUint32(C.irNext, target?.convolver.statePtr ?? 0, true);
      }
      v.setInt32(fadePos, 0, true);
      swap.onPlaying();
    }
  }

  /** Offline: complete running fades at once (the chain's next period starts from the new slot). */
  private finishFadesNow(): void {
    const v = this.chainView();
    for (const [current, next, pos, bit] of [
      [C.modelCurrent, C.modelNext, C.modelFadePos, 1], [C.irCurrent, C.irNext, C.irFadePos, 2],
    ] as const) {
      if (v.getInt32(pos, true) < 0) continue;
      v.setUint32(current, v.getUint32(next, true), true);
      v.setUint32(next, 0, true);
      v.setInt32(pos, -1, true);
      v.setInt32(C.fadesFinished, v.getInt32(C.fadesFinished, true) | bit, true);
    }
  }

  /** Frees slots whose fade-out the audio side has finished. */
  private collectFinishedFades(): void {
    const v = this.chainView();
    const finished = v.getInt32(C.fadesFinished, true);
    if (finished === 0) return;
    v.setInt32(C.fadesFinished, 0, true);
    for (const kind of ["model", "ir"] as const) {
      if ((finished & (kind === "model" ? 1 : 2)) === 0) continue;
      const index = this.retiring.findIndex((r) => r.kind === kind);
      if (index >= 0) this.freeSlot(kind, this.retiring.splice(index, 1)[0]!.slot);
    }
  }

  private retireIr(slot: IrSlot | null): void {
    if (slot) slot.convolver.dispose();
  }

  private freeSlot(kind: "model" | "ir", slot: ModelSlot | IrSlot | null): void {
    if (slot === null) return;
    if (kind === "model") this.freeModelSlot(slot as ModelSlot);
    else (slot as IrSlot).convolver.dispose();
  }

  private freeModelSlot(slot: ModelSlot): void {
    this.dsp.free(slot.program);
    for (const resampler of slot.resamplers) resampler.dispose();
    for (const ptr of slot.allocations) this.dsp.free(ptr);
  }
}
