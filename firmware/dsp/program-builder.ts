// Lays a compiled model out in WebAssembly memory: header, signal descriptors, ops, constant
// blobs (weights, tap offsets) and signal storage, all in one allocation so a model is freed
// with one call. Control thread only; the audio side just reads the result.

import {
  CHUNK_FRAMES, OP_WORDS, PROGRAM_HEADER_BYTES, SIGNAL_DESC_BYTES, SIGNAL_KEEP_ON_CLEAR, type DspExports,
} from "./abi.js";

export interface SignalHandle {
  readonly kind: "signal";
  readonly index: number;
  readonly rows: number;
  /** Rows allocated: a multiple of 4, so kernels always write whole groups of 4 rows. */
  readonly rowsPadded: number;
  readonly historyFrames: number;
  readonly strideFrames: number;
  /** History survives a reset (the core's Linear in direct mode). */
  readonly keepOnClear: boolean;
}

export interface BlobHandle {
  readonly kind: "blob";
  readonly index: number;
}

/** An f32 argument stored bit-for-bit in an i32 op word. */
export interface FloatArg {
  readonly kind: "f32";
  readonly value: number;
}

export type OpArg = number | boolean | SignalHandle | BlobHandle | FloatArg | null;

export const f32Arg = (value: number): FloatArg => ({ kind: "f32", value });

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * Columns per row. Scratch signals hold one chunk; signals with history hold the history, one
 * chunk, and slack so the copy-back of the history happens at most every few chunks.
 */
function strideFor(historyFrames: number): number {
  if (historyFrames === 0) return CHUNK_FRAMES;
  const stride = historyFrames + Math.max(historyFrames, 4 * CHUNK_FRAMES) + CHUNK_FRAMES;
  return (stride + 3) & ~3;
}

export class ProgramBuilder {
  private readonly signals: SignalHandle[] = [];
  private readonly blobs: (Float32Array | Int32Array)[] = [];
  private readonly ops: OpArg[][] = [];
  private input: SignalHandle | null = null;
  private output: { signal: SignalHandle; row: number } | null = null;

  signal(rows: number, historyFrames = 0, keepOnClear = false): SignalHandle {
    const handle: SignalHandle = {
      kind: "signal",
      index: this.signals.length,
      rows,
      rowsPadded: Math.max(4, Math.ceil(rows / 4) * 4),
      historyFrames,
      strideFrames: strideFor(historyFrames),
      keepOnClear,
    };
    this.signals.push(handle);
    return handle;
  }

  blob(data: Float32Array | Int32Array): BlobHandle {
    this.blobs.push(data);
    return { kind: "blob", index: this.blobs.length - 1 };
  }

  op(code: number, ...args: OpArg[]): void {
    if (args.length > OP_WORDS - 1) throw new Error(`op ${code} has too many arguments`);
    this.ops.push([code, ...args]);
  }

  setInput(signal: SignalHandle): void {
    this.input = signal;
  }

  setOutput(signal: SignalHandle, row = 0): void {
    this.output = { signal, row };
  }

  /** Total bytes the program will occupy. */
  byteSize(): number {
    return this.layout().total;
  }

  private layout() {
    let offset = PROGRAM_HEADER_BYTES;
    const descsAt = offset;
    offset = align16(offset + this.signals.length * SIGNAL_DESC_BYTES);
    const opsAt = offset;
    offset = align16(offset + this.ops.length * OP_WORDS * 4);
    const blobAt: number[] = [];
    for (const blob of this.blobs) {
      blobAt.push(offset);
      offset = align16(offset + blob.byteLength);
    }
    const signalAt: number[] = [];
    for (const s of this.signals) {
      signalAt.push(offset);
      offset = align16(offset + s.rowsPadded * s.strideFrames * 4);
    }
    return { descsAt, opsAt, blobAt, signalAt, total: offset };
  }

  /**
   * The program as a relocatable byte image: every pointer is stored relative to the image start
   * and listed in `relocations`. Built on any thread (e.g. the main thread), transferred to the
   * thread that owns the DSP and installed there with installProgram — a copy and a few thousand
   * additions, cheap enough to do between two audio periods.
   */
  image(): ProgramImage {
    if (!this.input || !this.output) throw new Error("program needs an input and an output signal");
    const layout = this.layout();
    const bytes = new Uint8Array(layout.total);
    const view = new DataView(bytes.buffer);
    const relocations: number[] = [];
    const pointer = (at: number, offset: number) => {
      view.setUint32(at, offset, true);
      relocations.push(at);
    };
    const signalOffset = (s: SignalHandle) => layout.descsAt + s.index * SIGNAL_DESC_BYTES;

    view.setInt32(0, this.signals.length, true);
    pointer(4, layout.descsAt);
    pointer(8, layout.opsAt);
    view.setInt32(12, this.ops.length, true);
    pointer(16, signalOffset(this.input));
    pointer(20, signalOffset(this.output.signal));
    view.setInt32(24, this.output.row, true);

    this.signals.forEach((s, i) => {
      const at = layout.descsAt + i * SIGNAL_DESC_BYTES;
      pointer(at, layout.signalAt[i]!);
      view.setInt32(at + 4, s.strideFrames, true);
      view.setInt32(at + 8, s.historyFrames, true);
      view.setInt32(at + 12, s.historyFrames, true);
      view.setInt32(at + 16, s.rowsPadded, true);
      view.setInt32(at + 20, s.keepOnClear ? SIGNAL_KEEP_ON_CLEAR : 0, true);
    });

    this.blobs.forEach((blob, i) => {
      bytes.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), layout.blobAt[i]!);
    });

    this.ops.forEach((words, i) => {
      const at = layout.opsAt + i * OP_WORDS * 4;
      words.forEach((word, w) => {
        const wordAt = at + w * 4;
        if (word === null || word === false) view.setInt32(wordAt, 0, true);
        else if (word === true) view.setInt32(wordAt, 1, true);
        else if (typeof word === "number") view.setInt32(wordAt, word, true);
        else if (word.kind === "signal") pointer(wordAt, signalOffset(word));
        else if (word.kind === "blob") pointer(wordAt, layout.blobAt[word.index]!);
        else view.setFloat32(wordAt, word.value, true);
      });
    });
    return { bytes, relocations: Uint32Array.from(relocations) };
  }
}

/** A compiled program ready to be copied into a DSP instance's memory (see ProgramBuilder.image). */
export interface ProgramImage {
  bytes: Uint8Array;
  /** Byte offsets of the u32 fields that hold image-relative pointers. */
  relocations: Uint32Array;
}

/** Copies `image` into `dsp` memory and turns its relative pointers absolute. Returns the program pointer. */
export function installProgram(dsp: DspExports, image: ProgramImage): number {
  const base = dsp.alloc(image.bytes.length);
  if (base === 0) throw new Error(`DSP memory exhausted allocating ${image.bytes.length} bytes`);
  new Uint8Array(dsp.memory.buffer, base, image.bytes.length).set(image.bytes);
  const view = new DataView(dsp.memory.buffer, base, image.bytes.length);
  for (const at of image.relocations) view.setUint32(at, view.getUint32(at, true) + base, true);
  return base;
}
