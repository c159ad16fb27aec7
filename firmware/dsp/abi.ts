// Loading the WebAssembly DSP module and the constants of its ABI (mirrors dsp-as/*.ts).
// Thread: whichever thread owns the DSP instance (the audio worker, or the CLI's main thread).

import { readFile } from "node:fs/promises";
import type { SimdVariant } from "./contract.js";

export const OP_WORDS = 16;
export const OP_CONV = 1;
export const OP_ACTIVATE = 2;
export const OP_GATE = 3;
export const OP_COPY = 4;
export const OP_FILM = 5;
export const OP_LSTM = 6;
export const OP_ZERO = 7;
export const OP_AFFINE = 8;
export const SIGNAL_DESC_BYTES = 32;
export const SIGNAL_KEEP_ON_CLEAR = 1;
export const CHUNK_FRAMES = 128;
export const PROGRAM_HEADER_BYTES = 32;

export const ActivationCode = {
  identity: 0,
  tanhExact: 1,
  tanhFast: 2,
  hardtanh: 3,
  relu: 4,
  leakyRelu: 5,
  prelu: 6,
  sigmoid: 7,
  silu: 8,
  hardswish: 9,
  leakyHardtanh: 10,
  softsign: 11,
} as const;

export interface DspExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  programProcess(program: number, input: number, output: number, frames: number): void;
  programClear(program: number): void;
  // Signal-chain blocks (dsp-as/chain/*.ts; typed wrappers in firmware/dsp/chain/). Pointers are
  // state structs laid out as documented in each .ts file; signals are f32 arrays of `frames`.
  GATE_STATE_BYTES: WebAssembly.Global;
  gateConfigure(gate: number): void;
  gateReset(gate: number): void;
  gateAnalyse(gate: number, key: number, gains: number, frames: number): void;
  applyGain(signal: number, gains: number, frames: number): void;
  TONE_STATE_BYTES: WebAssembly.Global;
  toneConfigure(tone: number): void;
  toneReset(tone: number): void;
  toneProcess(tone: number, signal: number, frames: number): void;
  GAIN_STATE_BYTES: WebAssembly.Global;
  gainConfigure(stage: number): void;
  gainReset(stage: number): void;
  gainProcess(stage: number, signal: number, frames: number): void;
  DC_BLOCKER_STATE_BYTES: WebAssembly.Global;
  dcBlockerConfigure(blocker: number): void;
  dcBlockerReset(blocker: number): void;
  dcBlockerProcess(blocker: number, signal: number, frames: number): void;
  LIMITER_STATE_BYTES: WebAssembly.Global;
  limiterConfigure(limiter: number): void;
  limiterReset(limiter: number): void;
  limiterProcess(limiter: number, signal: number, frames: number): void;
  convolverBytes(irFrames: number, partitionFrames: number): number;
  convolverSetup(conv: number, head: number, irFrames: number, partitionFrames: number): void;
  convolverPartitionCount(conv: number): number;
  convolverSetPartitions(conv: number, taps: number, first: number, count: number): void;
  convolverReset(conv: number): void;
  convolverProcess(conv: number, signal: number, frames: number): void;
  resamplerBytes(inRateHz: number, outRateHz: number): number;
  resamplerInit(rs: number, inRateHz: number, outRateHz: number): void;
  resamplerReset(rs: number): void;
  resamplerLatencyFrames(rs: number): number;
  resamplerOutputFrames(rs: number, inFrames: number): number;
  resamplerProcess(rs: number, input: number, inFrames: number, output: number): number;
  // Tuner (dsp-as/tuner/tuner.ts; wrapper in firmware/dsp/tuner.ts). `signal`: f32[frames], read only.
  tunerBytes(sampleRateHz: number): number;
  tunerInit(tuner: number, sampleRateHz: number): void;
  tunerReset(tuner: number): void;
  tunerProcess(tuner: number, signal: number, frames: number): void;
  tunerFrequencyHz(tuner: number): number;
  tunerLevelDb(tuner: number): number;
  tunerClarity(tuner: number): number;
  tunerAnalyses(tuner: number): number;
  // The whole chain (dsp-as/chain/chain.ts; prepared by firmware/engine/chain-runtime.ts).
  CHAIN_STATE_BYTES: WebAssembly.Global;
  MODEL_SLOT_BYTES: WebAssembly.Global;
  chainProcess(chain: number, input: number, output: number, frames: number): void;
}

const wasmUrls: Record<SimdVariant, URL> = {
  "simd": new URL("../../dsp/namstomp-dsp.wasm", import.meta.url),
  "relaxed-simd": new URL("../../dsp/namstomp-dsp-relaxed.wasm", import.meta.url),
};

/** Exported WebAssembly globals that must equal the constants above (guards against a stale build). */
const abiConstants: Record<string, number> = {
  OP_WORDS, OP_CONV, OP_ACTIVATE, OP_GATE, OP_COPY, OP_FILM, OP_LSTM, OP_ZERO, OP_AFFINE, SIGNAL_DESC_BYTES,
  SIGNAL_KEEP_ON_CLEAR, CHUNK_FRAMES,
};

export interface CompiledDsp {
  variant: SimdVariant;
  module: WebAssembly.Module;
}

/** Compiles the module once; "auto" picks relaxed SIMD only where this engine validates it. */
export async function compileDsp(requested: SimdVariant | "auto" = "auto"): Promise<CompiledDsp> {
  const relaxedBytes = await readFile(wasmUrls["relaxed-simd"]);
  const relaxedSupported = WebAssembly.validate(relaxedBytes);
  if (requested === "relaxed-simd" && !relaxedSupported) {
    throw new Error("relaxed SIMD is not supported by this JavaScript engine");
  }
  const variant: SimdVariant = requested === "simd" || !relaxedSupported ? "simd" : "relaxed-simd";
  const bytes = variant === "relaxed-simd" ? relaxedBytes : await readFile(wasmUrls.simd);
  return { variant, module: await WebAssembly.compile(bytes) };
}

export function instantiateDsp(compiled: CompiledDsp): DspExports {
  const instance = new WebAssembly.Instance(compiled.module, {
    env: {
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`DSP module aborted at ${line}:${column}`);
      },
    },
  });
  const exports = instance.exports as unknown as DspExports & Record<string, WebAssembly.Global>;
  for (const [name, expected] of Object.entries(abiConstants)) {
    const actual = exports[name]?.value;
    if (actual !== expected) throw new Error(`DSP module ABI mismatch: ${name} is ${actual}, expected ${expected}`);
  }
  return exports;
}

/** `bytes` of linear memory from the module's allocator, zeroed (alloc does not clear). Control side. */
export function allocZeroed(dsp: DspExports, bytes: number): number {
  const ptr = dsp.alloc(bytes);
  new Uint8Array(dsp.memory.buffer, ptr, bytes).fill(0);
  return ptr;
}
