// Band-limited polyphase resampler (dsp-as/chain/resampler.ts), two uses:
// - around a NAM model whose rate differs from the device's, streaming on the audio thread:
//   the engine calls resamplerProcess(rs.statePtr, inPtr, inFrames, outPtr) per block (it returns
//   the frames written, which vary by ±1 around the average; keep a frame or two of slack when a
//   round trip must give exactly one device block);
// - converting an IR to the device rate on the control thread: resampleSignal().
// Construction (filter design, memory) is control side.

import type { DspExports } from "../abi.js";
import { StateBlock, checkSampleRate } from "./state-block.js";

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class Resampler {
  private readonly state: StateBlock;
  private readonly upFactor: number;
  private readonly downFactor: number;

  constructor(private readonly dsp: DspExports, readonly inRateHz: number, readonly outRateHz: number) {
    checkSampleRate(inRateHz);
    checkSampleRate(outRateHz);
    const common = gcd(inRateHz, outRateHz);
    this.upFactor = outRateHz / common;
    this.downFactor = inRateHz / common;
    if (this.upFactor > 4096 || this.downFactor > 4096) {
      throw new RangeError(`${inRateHz} → ${outRateHz} Hz needs ${this.upFactor} filter phases; at most 4096 are supported`);
    }
    this.state = new StateBlock(dsp, dsp.resamplerBytes(inRateHz, outRateHz));
    dsp.resamplerInit(this.state.ptr, inRateHz, outRateHz);
  }

  /** The struct the engine passes to resamplerProcess. */
  get statePtr(): number { return this.state.ptr; }

  /** Output frames by which the output lags the ideally resampled input (an integer). */
  get latencyFrames(): number { return this.dsp.resamplerLatencyFrames(this.state.ptr); }

  /** Output frames the next process call with `inFrames` inputs will write (exact). */
  outputFrames(inFrames: number): number { return this.dsp.resamplerOutputFrames(this.state.ptr, inFrames); }

  /** Upper bound of outputFrames(inFrames) in any state: size output buffers with it. */
  maxOutputFrames(inFrames: number): number {
    return Math.ceil(((inFrames + 1) * this.upFactor) / this.downFactor) + 1;
  }

  /** Back to silence before the first input. */
  reset(): void { this.dsp.resamplerReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}

/** Frames handed to the WASM resampler per call by resampleSignal. */
const CHUNK_FRAMES = 4096;

/**
 * `input` at inRateHz → the same waveform at outRateHz, time-aligned (latency removed) and
 * ceil(length·out/in) frames long. Control side (allocates). Amplitudes are kept: an IR loader
 * that wants the IR's loudness kept must also scale by inRateHz / outRateHz.
 */
export function resampleSignal(dsp: DspExports, input: Float32Array, inRateHz: number, outRateHz: number): Float32Array {
  const resampler = new Resampler(dsp, inRateHz, outRateHz);
  const output = new Float32Array(Math.ceil((input.length * outRateHz) / inRateHz));
  const inPtr = dsp.alloc(CHUNK_FRAMES * 4);
  const outPtr = dsp.alloc(resampler.maxOutputFrames(CHUNK_FRAMES) * 4);
  try {
    const skip = resampler.latencyFrames;
    let produced = 0; // output frames so far, the first `skip` of them being latency
    for (let consumed = 0; produced < skip + output.length; consumed += CHUNK_FRAMES) {
      // After the input come zeros, until the last output frame has left the filter.
      const chunk = new Float32Array(dsp.memory.buffer, inPtr, CHUNK_FRAMES);
      chunk.fill(0);
      if (consumed < input.length) chunk.set(input.subarray(consumed, consumed + CHUNK_FRAMES));
      const written = dsp.resamplerProcess(resampler.statePtr, inPtr, CHUNK_FRAMES, outPtr);
      const frames = new Float32Array(dsp.memory.buffer, outPtr, written);
      for (let i = 0; i < written; i++) {
        const j = produced + i - skip;
        if (j >= 0 && j < output.length) output[j] = frames[i]!;
      }
      produced += written;
    }
  } finally {
    dsp.free(inPtr);
    dsp.free(outPtr);
    resampler.dispose();
  }
  return output;
}
