// Cab IR convolution without added latency (dsp-as/chain/convolver.ts). The engine calls
// convolverProcess(conv.statePtr, signalPtr, frames) on the audio thread. A new IR means a new
// Convolver, swapped in by the engine with its crossfade, then the old one disposed.
//
// Construction (the IR's partition FFTs: ~1.5 µs per 128-tap partition here, so ~0.3 ms for a
// 500 ms IR at 48 kHz, several times that on a Pi 4) is a ConvolverBuild: a bounded setup, then
// step() calls of at most BUILD_SLICE_TAPS taps each, which the audio worker runs between periods
// so no single piece can cost a period. Convolver.build runs one to completion (offline, tests).

import type { DspExports } from "../abi.js";
import { StateBlock } from "./state-block.js";

/** Longest IR accepted: 1 s at 96 kHz (memory ≈ 16 bytes per tap). */
export const MAX_IR_FRAMES = 96000;

/**
 * IR taps one build step transforms: 16 partitions of 128 (≈ 25 µs on the x86-64 dev machine,
 * ≈ 0.1 ms on a Pi 4, under 10 % of a 64-frame period at 48 kHz); never less than one partition.
 */
export const BUILD_SLICE_TAPS = 2048;

export interface ConvolverOptions {
  /** Block size the engine will process (any size works; this only picks the partition size). */
  blockFrames?: number;
  /** Partition size (power of two, 16…4096); overrides the choice from blockFrames. */
  partitionFrames?: number;
}

/**
 * The host block size rounded up to a power of two, within 128…512. Partition = block gives every
 * block the same load (one FFT step each). Below 128 the FDL (≈ IR length / partition complex
 * multiply-adds per sample) gets expensive; above 512 the time-domain head (partition taps per
 * sample) does. Measured at 48 kHz, block 128: 128 is best for a 200 ms IR and within ~15 % of
 * 256 for 500 ms.
 */
export function defaultPartitionFrames(blockFrames: number): number {
  let partition = 128;
  while (partition < blockFrames && partition < 512) partition *= 2;
  return partition;
}

/** Partitions of `partitionFrames` taps one build step transforms. */
export function partitionsPerSlice(partitionFrames: number): number {
  return Math.max(1, Math.floor(BUILD_SLICE_TAPS / partitionFrames));
}

export class Convolver {
  /** One-shot construction, for the control side (offline renders, tests). Refuses non-finite taps. */
  static build(dsp: DspExports, ir: Float32Array, options: ConvolverOptions = {}): Convolver {
    if (!ir.every(Number.isFinite)) throw new RangeError("IR contains a NaN or infinite sample");
    const build = new ConvolverBuild(dsp, ir, options);
    while (!build.step());
    return build.finish();
  }

  /** Takes over a finished build's state (ConvolverBuild.finish). */
  constructor(private readonly dsp: DspExports, private readonly state: StateBlock, readonly irFrames: number,
    readonly partitionFrames: number) {}

  /** The struct the engine passes to convolverProcess. */
  get statePtr(): number { return this.state.ptr; }

  /** Forgets the input history (the IR's tail stops at once). */
  reset(): void { this.dsp.convolverReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}

/**
 * A convolver under construction. The constructor does the O(partition) setup; each step()
 * transforms the next partitionsPerSlice(partitionFrames) tail partitions. Runs on the thread that
 * owns the DSP instance (the audio worker: between periods). The taps must be finite (the control
 * side checks them: firmware/ir/prepare.ts); `ir` is read until the build is done, not after.
 */
export class ConvolverBuild {
  readonly irFrames: number;
  readonly partitionFrames: number;
  /** Tail partitions to transform (0 when the IR fits the first partition). */
  readonly partitions: number;
  readonly partitionsPerSlice: number;
  private state: StateBlock | null;
  /** f32[partitionsPerSlice · partitionFrames]: the taps of one step, in WASM memory. */
  private staging: number;
  private nextPartition = 1;

  constructor(private readonly dsp: DspExports, private readonly ir: Float32Array, options: ConvolverOptions = {}) {
    if (ir.length < 1 || ir.length > MAX_IR_FRAMES) {
      throw new RangeError(`IR length must be within 1…${MAX_IR_FRAMES} frames, got ${ir.length}`);
    }
    const partitionFrames = options.partitionFrames ?? defaultPartitionFrames(options.blockFrames ?? 128);
    if (!Number.isInteger(Math.log2(partitionFrames)) || partitionFrames < 16 || partitionFrames > 4096) {
      throw new RangeError(`partitionFrames must be a power of two within 16…4096, got ${partitionFrames}`);
    }
    this.irFrames = ir.length;
    this.partitionFrames = partitionFrames;
    this.partitionsPerSlice = partitionsPerSlice(partitionFrames);
    // convolverSetup and the steps write every byte before it is read: no clearing pass.
    this.state = new StateBlock(dsp, dsp.convolverBytes(ir.length, partitionFrames), { clear: false });
    const stagingFrames = this.partitionsPerSlice * partitionFrames;
    this.staging = dsp.alloc(stagingFrames * 4);
    const headFrames = Math.min(ir.length, partitionFrames);
    new Float32Array(dsp.memory.buffer, this.staging, headFrames).set(ir.subarray(0, headFrames));
    dsp.convolverSetup(this.state.ptr, this.staging, ir.length, partitionFrames);
    this.partitions = dsp.convolverPartitionCount(this.state.ptr);
  }

  get done(): boolean { return this.nextPartition > this.partitions; }

  /** Transforms the next slice of partitions; returns whether the convolver is complete. */
  step(): boolean {
    if (this.done) return true;
    const first = this.nextPartition;
    const count = Math.min(this.partitionsPerSlice, this.partitions - first + 1);
    const from = first * this.partitionFrames;
    const taps = this.ir.subarray(from, Math.min(this.irFrames, from + count * this.partitionFrames));
    new Float32Array(this.dsp.memory.buffer, this.staging, taps.length).set(taps);
    this.dsp.convolverSetPartitions(this.state!.ptr, this.staging, first, count);
    this.nextPartition += count;
    return this.done;
  }

  /** The finished convolver (reset, ready for the audio thread); the build is spent. */
  finish(): Convolver {
    if (!this.done || this.state === null) throw new Error("ConvolverBuild.finish: the build is not complete");
    const convolver = new Convolver(this.dsp, this.state, this.irFrames, this.partitionFrames);
    this.state = null;
    this.releaseStaging();
    return convolver;
  }

  /** Abandons the build (a newer IR superseded it) and frees its memory. */
  dispose(): void {
    this.state?.free();
    this.state = null;
    this.releaseStaging();
  }

  private releaseStaging(): void {
    if (this.staging !== 0) this.dsp.free(this.staging);
    this.staging = 0;
  }
}
