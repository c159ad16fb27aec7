// A chain block's state struct in WASM linear memory (layouts: dsp-as/chain/*.ts).
// Control side only: allocation, parameter writes and meter reads happen between audio blocks on
// the thread that owns the DSP instance; the audio side only ever sees the pointer.

import { allocZeroed, type DspExports } from "../abi.js";

export class StateBlock {
  readonly ptr: number;
  private released = false;

  /** `clear: false` is for structs whose init writes every byte (large ones: clearing is O(bytes)). */
  constructor(private readonly dsp: DspExports, readonly bytes: number, options: { clear?: boolean } = {}) {
    // Every block starts from zeroed state unless its init covers it all.
    this.ptr = (options.clear ?? true) ? allocZeroed(dsp, bytes) : dsp.alloc(bytes);
  }

  // A fresh DataView per access: an allocation elsewhere may have grown (replaced) the buffer.
  private view(): DataView {
    return new DataView(this.dsp.memory.buffer, this.ptr, this.bytes);
  }

  setI32(offset: number, value: number): void { this.view().setInt32(offset, value, true); }
  setF32(offset: number, value: number): void { this.view().setFloat32(offset, value, true); }
  getI32(offset: number): number { return this.view().getInt32(offset, true); }
  getF32(offset: number): number { return this.view().getFloat32(offset, true); }

  /** Returns the memory to the allocator; the audio side must no longer use the pointer. */
  free(): void {
    if (this.released) return;
    this.released = true;
    this.dsp.free(this.ptr);
  }
}

/** Size of a fixed-size state struct, as exported by the module (e.g. "GATE_STATE_BYTES"). */
export function stateBytes(dsp: DspExports, name: "GATE_STATE_BYTES" | "TONE_STATE_BYTES" | "GAIN_STATE_BYTES"
  | "DC_BLOCKER_STATE_BYTES" | "LIMITER_STATE_BYTES"): number {
  return dsp[name].value as number;
}

/** Throws a RangeError naming the parameter unless min ≤ value ≤ max. */
export function checkRange(name: string, value: number, min: number, max: number): void {
  if (!(value >= min && value <= max)) throw new RangeError(`${name} must be within ${min}…${max}, got ${value}`);
}

/** Throws unless `sampleRateHz` is a whole number of Hz the chain supports. */
export function checkSampleRate(sampleRateHz: number): void {
  if (!Number.isInteger(sampleRateHz) || sampleRateHz < 8000 || sampleRateHz > 384000) {
    throw new RangeError(`sampleRateHz must be an integer within 8000…384000, got ${sampleRateHz}`);
  }
}
