// Cab IR convolution without added latency (dsp-as/chain/convolver.ts). Construction (memory,
// the IR's partition FFTs) is control side; the engine calls convolverProcess(conv.statePtr,
// signalPtr, frames) on the audio thread. A new IR means a new Convolver, prepared off the audio
// path and swapped in by the engine (with its crossfade), then the old one disposed.

import type { DspExports } from "../abi.js";
import { StateBlock } from "./state-block.js";

/** Longest IR accepted: 1 s at 96 kHz (memory ≈ 16 bytes per tap). */
export const MAX_IR_FRAMES = 96000;

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

export class Convolver {
  private readonly state: StateBlock;
  readonly irFrames: number;
  readonly partitionFrames: number;

  /** Copies `ir` (f32 taps, h[0] on the current sample) into a ready, reset convolver. */
  constructor(private readonly dsp: DspExports, ir: Float32Array, options: ConvolverOptions = {}) {
    if (ir.length < 1 || ir.length > MAX_IR_FRAMES) {
      throw new RangeError(`IR length must be within 1…${MAX_IR_FRAMES} frames, got ${ir.length}`);
    }
    if (!ir.every(Number.isFinite)) throw new RangeError("IR contains a NaN or infinite sample");
    const partitionFrames = options.partitionFrames ?? defaultPartitionFrames(options.blockFrames ?? 128);
    if (!Number.isInteger(Math.log2(partitionFrames)) || partitionFrames < 16 || partitionFrames > 4096) {
      throw new RangeError(`partitionFrames must be a power of two within 16…4096, got ${partitionFrames}`);
    }
    this.irFrames = ir.length;
    this.partitionFrames = partitionFrames;
    this.state = new StateBlock(dsp, dsp.convolverBytes(ir.length, partitionFrames));
    const irPtr = dsp.alloc(ir.length * 4);
    new Float32Array(dsp.memory.buffer, irPtr, ir.length).set(ir);
    dsp.convolverInit(this.state.ptr, irPtr, ir.length, partitionFrames);
    dsp.free(irPtr);
  }

  /** The struct the engine passes to convolverProcess. */
  get statePtr(): number { return this.state.ptr; }

  /** Forgets the input history (the IR's tail stops at once). */
  reset(): void { this.dsp.convolverReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}
