// The tuner's TypeScript face (DSP in dsp-as/tuner/tuner.ts) and the note arithmetic for readings.
// TunerDsp is control side: allocation, reset and reads happen between blocks on the thread that
// owns the DSP instance. On the audio thread the engine calls
// `dsp.tunerProcess(tuner.statePtr, signalPtr, frames)` with the pedal's input, while the tuner is on.

import type { DspExports } from "./abi.js";

/** What the last analysis found. */
export interface TunerAnalysis {
  /** Median pitch of the recent analyses of the same note, Hz; null when there is no stable pitch. */
  frequencyHz: number | null;
  /** RMS input level, dBFS (a full-scale sine reads −3). */
  levelDb: number;
  /** How periodic the input is, 0..1. */
  clarity: number;
  /** Analyses since the last reset (one every ≈ 20 ms of input). */
  analyses: number;
}

/** Frames copied into WASM memory per call by `process` (offline use and tests). */
const IO_FRAMES = 1024;

export class TunerDsp {
  readonly statePtr: number;
  private readonly ioPtr: number;
  private released = false;

  /** Allocates and lays out the tuner for `sampleRateHz`. Control side. */
  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number) {
    if (!Number.isInteger(sampleRateHz) || sampleRateHz < 8000 || sampleRateHz > 384000) {
      throw new RangeError(`sampleRateHz must be an integer within 8000…384000, got ${sampleRateHz}`);
    }
    this.statePtr = dsp.alloc(dsp.tunerBytes(sampleRateHz));
    this.ioPtr = dsp.alloc(IO_FRAMES * 4);
    dsp.tunerInit(this.statePtr, sampleRateHz);
  }

  /** Forgets the input so far; call when the tuner is switched on. */
  reset(): void {
    this.dsp.tunerReset(this.statePtr);
  }

  /** Feeds input through a scratch buffer: for offline rendering and tests (the engine passes pointers). */
  process(input: Float32Array): void {
    for (let done = 0; done < input.length; done += IO_FRAMES) {
      const frames = Math.min(IO_FRAMES, input.length - done);
      // A fresh view each time: another allocation may have grown (replaced) the memory buffer.
      new Float32Array(this.dsp.memory.buffer, this.ioPtr, frames).set(input.subarray(done, done + frames));
      this.dsp.tunerProcess(this.statePtr, this.ioPtr, frames);
    }
  }

  analysis(): TunerAnalysis {
    const frequencyHz = this.dsp.tunerFrequencyHz(this.statePtr);
    return {
      frequencyHz: frequencyHz > 0 ? frequencyHz : null,
      levelDb: this.dsp.tunerLevelDb(this.statePtr),
      clarity: this.dsp.tunerClarity(this.statePtr),
      analyses: this.dsp.tunerAnalyses(this.statePtr),
    };
  }

  /** Returns the memory to the allocator; the audio side must no longer use statePtr. */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.dsp.free(this.statePtr);
    this.dsp.free(this.ioPtr);
  }
}

const NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"] as const;

export interface NotePosition {
  /** Nearest equal-tempered note with its octave (scientific pitch notation), e.g. "E2", "A#4". */
  note: string;
  /** MIDI number of that note (A4 = 69). */
  midiNote: number;
  /** Distance from that note, cents (−50..+50; positive = sharp). */
  cents: number;
}

/** Nearest note and cents off for a frequency in Hz, equal temperament with A4 = a4Hz. */
export function noteFromFrequency(frequencyHz: number, a4Hz = 440): NotePosition {
  if (!(frequencyHz > 0) || !Number.isFinite(frequencyHz)) {
    throw new RangeError(`frequencyHz must be a positive number, got ${frequencyHz}`);
  }
  const midi = 69 + 12 * Math.log2(frequencyHz / a4Hz);
  const midiNote = Math.round(midi);
  const name = NOTE_NAMES[((midiNote % 12) + 12) % 12]!;
  return { note: `${name}${Math.floor(midiNote / 12) - 1}`, midiNote, cents: (midi - midiNote) * 100 };
}

/** Equal-tempered frequency of a MIDI note, Hz (A4 = 69 = a4Hz). */
export function frequencyOfMidiNote(midiNote: number, a4Hz = 440): number {
  return a4Hz * 2 ** ((midiNote - 69) / 12);
}
