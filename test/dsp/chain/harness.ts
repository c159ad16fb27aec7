// Shared by the chain block tests: a DSP instance, WASM-side buffers, block-wise processing,
// a seeded random source and single-frequency measurements.

import { compileDsp, instantiateDsp, type DspExports } from "../../../firmware/dsp/abi.js";

/** A fresh instance of the plain-SIMD build (each test file gets its own). */
export async function newDsp(): Promise<DspExports> {
  return instantiateDsp(await compileDsp("simd"));
}

/** f32 scratch in WASM memory for moving test signals in and out. */
export class WasmBuffer {
  readonly ptr: number;

  constructor(private readonly dsp: DspExports, readonly frames: number) {
    this.ptr = dsp.alloc(frames * 4);
  }

  write(samples: Float32Array, at = 0): void {
    new Float32Array(this.dsp.memory.buffer, this.ptr + at * 4, samples.length).set(samples);
  }

  read(frames: number, at = 0): Float32Array {
    return new Float32Array(this.dsp.memory.buffer, this.ptr + at * 4, frames).slice();
  }

  free(): void { this.dsp.free(this.ptr); }
}

/**
 * Runs `signal` through `processBlock(ptr, frames)` in place, in blocks whose sizes cycle
 * through `blockSizes`; `between(start)` runs before each block (control-side changes).
 */
export function processInBlocks(
  dsp: DspExports, signal: Float32Array, blockSizes: readonly number[],
  processBlock: (ptr: number, frames: number) => void, between?: (start: number) => void,
): Float32Array {
  const buffer = new WasmBuffer(dsp, Math.max(...blockSizes));
  const output = new Float32Array(signal.length);
  for (let start = 0, i = 0; start < signal.length; i++) {
    const frames = Math.min(blockSizes[i % blockSizes.length]!, signal.length - start);
    between?.(start);
    buffer.write(signal.subarray(start, start + frames));
    processBlock(buffer.ptr, frames);
    output.set(buffer.read(frames), start);
    start += frames;
  }
  buffer.free();
  return output;
}

/** Deterministic uniform numbers in [−1, 1) (LCG; good enough for test signals). */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
}

export function randomSignal(frames: number, seed: number, amplitude = 1): Float32Array {
  const next = randomSource(seed);
  return Float32Array.from({ length: frames }, () => amplitude * next());
}

export function sine(frames: number, frequencyHz: number, sampleRateHz: number, amplitude = 1): Float32Array {
  return Float32Array.from({ length: frames }, (_, n) => amplitude * Math.sin((2 * Math.PI * frequencyHz * n) / sampleRateHz));
}

/** Complex frequency response Σ h[n]·e^(−iωn) of an impulse response at one frequency. */
export function responseAt(impulseResponse: Float32Array, frequencyHz: number, sampleRateHz: number): { re: number; im: number } {
  const omega = (2 * Math.PI * frequencyHz) / sampleRateHz;
  let re = 0;
  let im = 0;
  for (let n = 0; n < impulseResponse.length; n++) {
    re += impulseResponse[n]! * Math.cos(omega * n);
    im -= impulseResponse[n]! * Math.sin(omega * n);
  }
  return { re, im };
}

/**
 * Amplitude of the component at `frequencyHz` in signal[start, end), Hann-windowed so a tone a few
 * hundred Hz away leaks less than −150 dB into the estimate.
 */
export function toneAmplitude(signal: Float32Array, frequencyHz: number, sampleRateHz: number, start: number, end: number): number {
  const omega = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const length = end - start;
  let re = 0;
  let im = 0;
  let windowSum = 0;
  for (let n = 0; n < length; n++) {
    const window = 0.5 - 0.5 * Math.cos((2 * Math.PI * (n + 0.5)) / length);
    re += window * signal[start + n]! * Math.cos(omega * n);
    im -= window * signal[start + n]! * Math.sin(omega * n);
    windowSum += window;
  }
  return (2 * Math.hypot(re, im)) / windowSum;
}

export const toDb = (gain: number): number => 20 * Math.log10(gain);
