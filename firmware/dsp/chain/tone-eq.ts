// Tone EQ (dsp-as/chain/tone.ts): the NAM plugin's bass/middle/treble plus presence.
// The engine calls toneProcess(eq.statePtr, signalPtr, frames) on the audio thread; everything in
// this class is control side (between blocks, on the thread owning the DSP). Knob changes glide
// on the audio side (≈20 ms), so configure() may be called at any rate without clicks.

import type { DspExports } from "../abi.js";
import { StateBlock, checkRange, checkSampleRate, stateBytes } from "./state-block.js";

/** Knob positions 0…10; 5 is flat. */
export interface ToneEqParams {
  /** Low shelf 150 Hz, 4 dB per step (±20 dB). */
  bass: number;
  /** Peak 425 Hz, 3 dB per step (±15 dB); Q 1.5 cutting, 0.7 boosting. */
  middle: number;
  /** High shelf 1.8 kHz, 2 dB per step (±10 dB). */
  treble: number;
  /** High shelf 3.6 kHz, 2 dB per step (±10 dB). */
  presence: number;
}

export const flatToneEqParams: Readonly<ToneEqParams> = { bass: 5, middle: 5, treble: 5, presence: 5 };

const knobOffsets: Record<keyof ToneEqParams, number> = { bass: 4, middle: 8, treble: 12, presence: 16 };

export class ToneEq {
  private readonly state: StateBlock;
  private current: ToneEqParams;

  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number, params: Partial<ToneEqParams> = {}) {
    checkSampleRate(sampleRateHz);
    this.state = new StateBlock(dsp, stateBytes(dsp, "TONE_STATE_BYTES"));
    this.state.setI32(0, sampleRateHz);
    this.current = { ...flatToneEqParams };
    this.configure(params);
    this.reset();
  }

  /** The struct the engine passes to toneProcess. */
  get statePtr(): number { return this.state.ptr; }

  get params(): Readonly<ToneEqParams> { return this.current; }

  /** Moves knobs (others keep their positions); the audio side glides to the new response. */
  configure(params: Partial<ToneEqParams>): void {
    const next = { ...this.current, ...params };
    for (const knob of Object.keys(knobOffsets) as (keyof ToneEqParams)[]) {
      checkRange(knob, next[knob], 0, 10);
      this.state.setF32(knobOffsets[knob], next[knob]);
    }
    this.dsp.toneConfigure(this.state.ptr);
    this.current = next;
  }

  /** Clears the filter state and jumps to the current knobs without gliding. */
  reset(): void { this.dsp.toneReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}
