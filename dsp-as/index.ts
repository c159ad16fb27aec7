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

// Signal-chain blocks (dsp-as/chain/): each file documents its memory layout and which thread calls what.
export { GATE_STATE_BYTES, gateConfigure, gateReset, gateAnalyse, applyGain } from "./chain/gate";
export { TONE_STATE_BYTES, toneConfigure, toneReset, toneProcess } from "./chain/tone";
export {
  GAIN_STATE_BYTES, gainConfigure, gainReset, gainProcess,
  DC_BLOCKER_STATE_BYTES, dcBlockerConfigure, dcBlockerReset, dcBlockerProcess,
  LIMITER_STATE_BYTES, limiterConfigure, limiterReset, limiterProcess,
} from "./chain/levels";
export {
  convolverBytes, convolverSetup, convolverPartitionCount, convolverSetPartitions, convolverReset, convolverProcess,
} from "./chain/convolver";
export {
  resamplerBytes, resamplerInit, resamplerReset, resamplerLatencyFrames, resamplerOutputFrames, resamplerProcess,
} from "./chain/resampler";

// Tuner (dsp-as/tuner/): layout and threads documented in tuner.ts; typed wrapper in firmware/dsp/tuner.ts.
export {
  tunerBytes, tunerInit, tunerReset, tunerProcess, tunerFrequencyHz, tunerLevelDb, tunerClarity, tunerAnalyses,
} from "./tuner/tuner";

// The whole chain in one call per period (dsp-as/chain/chain.ts); prepared by firmware/engine/chain-runtime.ts.
export {
  CHAIN_STATE_BYTES, MODEL_SLOT_BYTES, FADE_MODEL_FINISHED, FADE_IR_FINISHED, chainProcess,
} from "./chain/chain";
