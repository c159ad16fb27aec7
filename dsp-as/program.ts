// A model is compiled by the control side (firmware/dsp/compile-*.ts) into a "program": signal
// descriptors, weights and a flat list of ops, all inside one allocation of linear memory.
// The audio side only walks that list per chunk; it never parses, allocates or branches on
// model structure beyond one switch per op.
//
// Program header (bytes):
//   +0 numSignals  +4 signals ptr (SIGNAL_DESC_BYTES each)  +8 ops ptr  +12 numOps
//   +16 input signal  +20 output signal  +24 output row
// Op record: OP_WORDS i32 words, word 0 = opcode, the rest its arguments (see each case).

import { CHUNK_FRAMES, SIGNAL_DESC_BYTES, sigAt, sigBeginChunk, sigClear, sigEndChunk } from "./signal";
import { convTapped } from "./conv";
import { activateRows, affineRows, copyRows, filmRows, gateRows } from "./activation";
import { lstmProcess } from "./lstm";

export const OP_WORDS: i32 = 16;
export const OP_CONV: i32 = 1;
export const OP_ACTIVATE: i32 = 2;
export const OP_GATE: i32 = 3;
export const OP_COPY: i32 = 4;
export const OP_FILM: i32 = 5;
export const OP_LSTM: i32 = 6;
export const OP_ZERO: i32 = 7;
export const OP_AFFINE: i32 = 8;

// @ts-ignore: decorator
@inline function arg(op: usize, index: i32): i32 { return load<i32>(op + ((<usize>index) << 2)); }
// @ts-ignore: decorator
@inline function ptr(op: usize, index: i32): usize { return <usize>load<u32>(op + ((<usize>index) << 2)); }

/** Rows [row, row + rows) of the current chunk (padded width) ← 0. */
function zeroRows(desc: usize, row: i32, rows: i32): void {
  for (let r = 0; r < rows; r++) memory.fill(sigAt(desc, row + r), 0, (<usize>CHUNK_FRAMES) << 2);
}

function runOps(program: usize, frames: i32): void {
  const numOps = load<i32>(program, 12);
  let op = <usize>load<u32>(program, 8);
  for (let i = 0; i < numOps; i++) {
    switch (arg(op, 0)) {
      case OP_CONV:
        convTapped(ptr(op, 1), arg(op, 2), ptr(op, 3), arg(op, 4), ptr(op, 5), arg(op, 6), arg(op, 7), ptr(op, 8),
          ptr(op, 9), ptr(op, 10), arg(op, 11), ptr(op, 12), ptr(op, 13), frames);
        break;
      case OP_ACTIVATE:
        activateRows(ptr(op, 1), arg(op, 2), arg(op, 3), arg(op, 4), ptr(op, 5), ptr(op, 6), arg(op, 7), frames);
        break;
      case OP_GATE:
        gateRows(ptr(op, 1), arg(op, 2), ptr(op, 3), arg(op, 4), arg(op, 5), ptr(op, 6), arg(op, 7), ptr(op, 8),
          arg(op, 9) != 0, frames);
        break;
      case OP_COPY:
        copyRows(ptr(op, 1), arg(op, 2), ptr(op, 3), arg(op, 4), arg(op, 5), load<f32>(op, 24), arg(op, 7) != 0, frames);
        break;
      case OP_FILM:
        filmRows(ptr(op, 1), arg(op, 2), arg(op, 3), ptr(op, 4), arg(op, 5) != 0, frames);
        break;
      case OP_LSTM:
        lstmProcess(ptr(op, 1), ptr(op, 2), ptr(op, 3), arg(op, 4), arg(op, 5), arg(op, 6), arg(op, 7), arg(op, 8) != 0,
          frames);
        break;
      case OP_AFFINE:
        affineRows(ptr(op, 1), arg(op, 2), arg(op, 3), ptr(op, 4), ptr(op, 5), frames);
        break;
      case OP_ZERO:
        zeroRows(ptr(op, 1), arg(op, 2), arg(op, 3));
        break;
      default:
        break;
    }
    op += (<usize>OP_WORDS) << 2;
  }
}

/**
 * Runs `frames` samples (any count) from `input` to `output` in chunks of CHUNK_FRAMES.
 * input = 0 feeds zeros (prewarm); output = 0 discards. Thread: audio. No allocation.
 */
export function programProcess(program: usize, input: usize, output: usize, frames: i32): void {
  const numSignals = load<i32>(program);
  const signals = <usize>load<u32>(program, 4);
  const inSignal = <usize>load<u32>(program, 16);
  const outSignal = <usize>load<u32>(program, 20);
  const outRow = load<i32>(program, 24);
  let done = 0;
  while (done < frames) {
    const n = min(CHUNK_FRAMES, frames - done);
    const nPadded = (n + 7) & ~7;
    for (let s = 0; s < numSignals; s++) sigBeginChunk(signals + <usize>s * SIGNAL_DESC_BYTES);
    const inAt = sigAt(inSignal, 0);
    if (input != 0) memory.copy(inAt, input + ((<usize>done) << 2), (<usize>n) << 2);
    else memory.fill(inAt, 0, (<usize>n) << 2);
    memory.fill(inAt + ((<usize>n) << 2), 0, (<usize>(nPadded - n)) << 2);
    runOps(program, n);
    if (output != 0) memory.copy(output + ((<usize>done) << 2), sigAt(outSignal, outRow), (<usize>n) << 2);
    for (let s = 0; s < numSignals; s++) sigEndChunk(signals + <usize>s * SIGNAL_DESC_BYTES, n);
    done += n;
  }
}

/** The core's Reset: every convolution history back to zero. Recurrent state (LSTM h/c) is kept. */
export function programClear(program: usize): void {
  const numSignals = load<i32>(program);
  const signals = <usize>load<u32>(program, 4);
  for (let s = 0; s < numSignals; s++) sigClear(signals + <usize>s * SIGNAL_DESC_BYTES);
}
