// namstomp DSP core: the WebAssembly module's exported ABI (pointers and integers only).
// Control thread: alloc/free and writing compiled programs into memory.
// Audio thread: programProcess / programClear. Nothing here allocates after alloc().

export { programProcess, programClear, OP_WORDS, OP_CONV, OP_ACTIVATE, OP_GATE, OP_COPY, OP_FILM, OP_LSTM, OP_ZERO, OP_AFFINE } from "./program";
export { CHUNK_FRAMES, SIGNAL_DESC_BYTES, SIGNAL_KEEP_ON_CLEAR } from "./signal";
export {
  ACT_IDENTITY, ACT_TANH_EXACT, ACT_TANH_FAST, ACT_HARDTANH, ACT_RELU, ACT_LEAKY_RELU, ACT_PRELU,
  ACT_SIGMOID, ACT_SILU, ACT_HARDSWISH, ACT_LEAKY_HARDTANH, ACT_SOFTSIGN,
} from "./activation";

/** Allocates `bytes` of linear memory, 16-byte aligned. Control thread only. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees memory from alloc(). Control thread only, never while the audio side uses it. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
