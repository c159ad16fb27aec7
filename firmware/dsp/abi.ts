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
