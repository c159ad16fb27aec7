import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileDsp, instantiateDsp, type DspExports } from "../../firmware/dsp/abi.js";
import { frequencyOfMidiNote, noteFromFrequency, TunerDsp } from "../../firmware/dsp/tuner.js";
import { seededRandom as random } from "../helpers/random.js";

const BLOCK_FRAMES = 128;


interface ToneSpec {
  frequencyHz: number;
  sampleRateHz: number;
  seconds: number;
  /** Amplitude of harmonic h (1-based) relative to the others; harmonics stop below 0.45 × the rate. */
  harmonicAmplitude: (h: number) => number;
  /** Noise RMS relative to the tone's RMS, dB. */
  noiseDb: number;
  seed: number;
}

/** A steady harmonic tone with random harmonic phases and white noise, peak ≈ 0.5 (−6 dBFS). */
function tone(spec: ToneSpec): Float32Array {
  const next = random(spec.seed);
  const frames = Math.round(spec.seconds * spec.sampleRateHz);
  const harmonics: { omega: number; amplitude: number; phase: number }[] = [];
  for (let h = 1; h <= 12 && h * spec.frequencyHz < 0.45 * spec.sampleRateHz; h++) {
    harmonics.push({ omega: (2 * Math.PI * h * spec.frequencyHz) / spec.sampleRateHz, amplitude: spec.harmonicAmplitude(h), phase: 2 * Math.PI * next() });
  }
  const clean = new Float64Array(frames);
  let peak = 0;
  for (let i = 0; i < frames; i++) {
    let x = 0;
    for (const { omega, amplitude, phase } of harmonics) x += amplitude * Math.sin(omega * i + phase);
    clean[i] = x;
    peak = Math.max(peak, Math.abs(x));
  }
  const toneRms = Math.sqrt(harmonics.reduce((sum, { amplitude }) => sum + (amplitude * amplitude) / 2, 0)) * (0.5 / peak);
  // Uniform noise of RMS r has half-width r·√3.
  const noiseHalfWidth = toneRms * 10 ** (spec.noiseDb / 20) * Math.sqrt(3);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = (clean[i]! * 0.5) / peak + noiseHalfWidth * (2 * next() - 1);
  return out;
}

interface Measurement {
  /** Pitch reported by every analysis after the settle time (null = none). */
  readingsHz: (number | null)[];
  /** Analysis after which the first pitch was reported, in seconds of input. */
  firstPitchSeconds: number | null;
}

/** Streams `signal` in blocks; collects every new analysis after `settleSeconds`. */
function measure(tuner: TunerDsp, signal: Float32Array, settleSeconds: number): Measurement {
  const readingsHz: (number | null)[] = [];
  let firstPitchSeconds: number | null = null;
  let seen = tuner.analysis().analyses;
  for (let start = 0; start < signal.length; start += BLOCK_FRAMES) {
    tuner.process(signal.subarray(start, Math.min(signal.length, start + BLOCK_FRAMES)));
    const analysis = tuner.analysis();
    if (analysis.analyses === seen) continue;
    seen = analysis.analyses;
    const seconds = (start + BLOCK_FRAMES) / tuner.sampleRateHz;
    if (analysis.frequencyHz !== null && firstPitchSeconds === null) firstPitchSeconds = seconds;
    if (seconds >= settleSeconds) readingsHz.push(analysis.frequencyHz);
  }
  return { readingsHz, firstPitchSeconds };
}

function centsBetween(measuredHz: number, trueHz: number): number {
  return 1200 * Math.log2(measuredHz / trueHz);
}

const guitarLike = (h: number) => 1 / h;
/** A bass's low string through a small amp: the second harmonic dominates the fundamental. */
const weakFundamental = (h: number) => (h === 1 ? 0.4 : h === 2 ? 1 : 0.8 / h);

describe("tuner DSP", () => {
  let dsp: DspExports;
  before(async () => {
    dsp = instantiateDsp(await compileDsp("simd"));
  });

  // E1 (41.2 Hz) … E6 (1318.5 Hz), both low B strings, the open strings in between; each detuned.
  const notes: { name: string; midi: number; detuneCents: number; harmonics: (h: number) => number; label: string }[] = [
    { name: "B0", midi: 23, detuneCents: 0, harmonics: guitarLike, label: "1/h" },
    { name: "B0", midi: 23, detuneCents: -17.3, harmonics: weakFundamental, label: "weak fundamental" },
    { name: "E1", midi: 28, detuneCents: 0, harmonics: guitarLike, label: "1/h" },
    { name: "E1", midi: 28, detuneCents: 9.6, harmonics: weakFundamental, label: "weak fundamental" },
    { name: "A1", midi: 33, detuneCents: -4.2, harmonics: guitarLike, label: "1/h" },
    { name: "B1", midi: 35, detuneCents: 0, harmonics: guitarLike, label: "1/h" },
    { name: "B1", midi: 35, detuneCents: 23.1, harmonics: weakFundamental, label: "weak fundamental" },
    { name: "E2", midi: 40, detuneCents: -31.7, harmonics: guitarLike, label: "1/h" },
    { name: "A2", midi: 45, detuneCents: 2.5, harmonics: guitarLike, label: "1/h" },
    { name: "D3", midi: 50, detuneCents: -8.8, harmonics: guitarLike, label: "1/h" },
    { name: "G3", midi: 55, detuneCents: 14.4, harmonics: guitarLike, label: "1/h" },
    { name: "B3", midi: 59, detuneCents: -45.0, harmonics: guitarLike, label: "1/h" },
    { name: "E4", midi: 64, detuneCents: 0, harmonics: guitarLike, label: "1/h" },
    { name: "A4", midi: 69, detuneCents: 44.9, harmonics: guitarLike, label: "1/h" },
    { name: "E5", midi: 76, detuneCents: -12.6, harmonics: guitarLike, label: "1/h" },
    { name: "B5", midi: 83, detuneCents: 6.1, harmonics: guitarLike, label: "1/h" },
    { name: "E6", midi: 88, detuneCents: 0, harmonics: guitarLike, label: "1/h" },
    { name: "E6", midi: 88, detuneCents: -27.5, harmonics: guitarLike, label: "1/h" },
  ];

  for (const sampleRateHz of [48000, 44100]) {
    it(`is within ±1 cent from B0 to E6 with harmonics and noise (−30 dB) at ${sampleRateHz} Hz`, () => {
      const tuner = new TunerDsp(dsp, sampleRateHz);
      const rows: string[] = [];
      let worstCents = 0;
      let seed = 1;
      for (const note of notes) {
        const trueHz = frequencyOfMidiNote(note.midi) * 2 ** (note.detuneCents / 1200);
        tuner.reset();
        const signal = tone({ frequencyHz: trueHz, sampleRateHz, seconds: 0.8, harmonicAmplitude: note.harmonics, noiseDb: -30, seed: seed++ });
        const { readingsHz, firstPitchSeconds } = measure(tuner, signal, 0.3);
        assert.ok(readingsHz.length >= 20, `${note.name}: ${readingsHz.length} analyses after settling`);
        const errors = readingsHz.map((hz) => {
          assert.notEqual(hz, null, `${note.name} ${note.label}: lost the pitch after settling`);
          return centsBetween(hz!, trueHz);
        });
        const noteWorst = Math.max(...errors.map(Math.abs));
        worstCents = Math.max(worstCents, noteWorst);
        const reading = noteFromFrequency(readingsHz.at(-1)!);
        assert.equal(reading.note, note.name, `${note.name} read as ${reading.note}`);
        rows.push(
          `  ${note.name.padEnd(3)} ${trueHz.toFixed(2).padStart(8)} Hz ${note.detuneCents.toFixed(1).padStart(6)} ¢ ` +
            `${note.label.padEnd(16)} worst ${noteWorst.toFixed(3)} ¢  first pitch after ${((firstPitchSeconds ?? NaN) * 1000).toFixed(0)} ms`,
        );
      }
      tuner.dispose();
      console.log(`tuner accuracy at ${sampleRateHz} Hz (note, true pitch, detune, harmonics, worst error over 0.3–0.8 s):\n${rows.join("\n")}\n  worst overall: ${worstCents.toFixed(3)} cents`);
      assert.ok(worstCents <= 1, `worst error ${worstCents.toFixed(3)} cents`);
    });
  }

  it("reports no pitch for silence and for noise alone, and a level for both", () => {
    const tuner = new TunerDsp(dsp, 48000);
    tuner.process(new Float32Array(48000));
    assert.equal(tuner.analysis().frequencyHz, null);
    assert.ok(tuner.analysis().levelDb <= -100);
    const next = random(7);
    const noise = Float32Array.from({ length: 48000 }, () => 0.3 * (2 * next() - 1));
    const { readingsHz } = measure(tuner, noise, 0.2);
    assert.ok(readingsHz.every((hz) => hz === null), `noise read as ${readingsHz.find((hz) => hz !== null)} Hz`);
    const levelDb = tuner.analysis().levelDb;
    // Uniform noise of half-width 0.3: RMS 0.3/√3 → −15.2 dBFS.
    assert.ok(Math.abs(levelDb - 20 * Math.log10(0.3 / Math.sqrt(3))) < 0.5, `level ${levelDb} dB`);
    tuner.dispose();
  });

  it("follows a change of note within 100 ms", () => {
    const sampleRateHz = 48000;
    const tuner = new TunerDsp(dsp, sampleRateHz);
    const a2 = tone({ frequencyHz: 110, sampleRateHz, seconds: 0.5, harmonicAmplitude: guitarLike, noiseDb: -40, seed: 3 });
    const e4 = tone({ frequencyHz: frequencyOfMidiNote(64), sampleRateHz, seconds: 0.5, harmonicAmplitude: guitarLike, noiseDb: -40, seed: 4 });
    measure(tuner, a2, 0);
    assert.equal(noteFromFrequency(tuner.analysis().frequencyHz!).note, "A2");
    const { readingsHz } = measure(tuner, e4, 0);
    const framesPerAnalysis = Math.round(0.02 * sampleRateHz);
    const firstE4 = readingsHz.findIndex((hz) => hz !== null && noteFromFrequency(hz).note === "E4");
    assert.ok(firstE4 >= 0 && (firstE4 + 1) * framesPerAnalysis <= 0.1 * sampleRateHz, `E4 shown after analysis ${firstE4}`);
    tuner.dispose();
  });

  it("does not grow memory while processing", () => {
    const tuner = new TunerDsp(dsp, 96000);
    const bytesBefore = dsp.memory.buffer.byteLength;
    tuner.process(tone({ frequencyHz: 82.41, sampleRateHz: 96000, seconds: 2, harmonicAmplitude: guitarLike, noiseDb: -30, seed: 9 }));
    assert.equal(dsp.memory.buffer.byteLength, bytesBefore);
    assert.equal(noteFromFrequency(tuner.analysis().frequencyHz!).note, "E2");
    tuner.dispose();
  });
});

describe("noteFromFrequency", () => {
  it("names notes and cents against A4 = 440 Hz", () => {
    assert.deepEqual(noteFromFrequency(440), { note: "A4", midiNote: 69, cents: 0 });
    const e1 = noteFromFrequency(41.2034);
    assert.equal(e1.note, "E1");
    assert.ok(Math.abs(e1.cents) < 0.01);
    assert.equal(noteFromFrequency(30.8677).note, "B0");
    assert.equal(noteFromFrequency(1318.51).note, "E6");
    const sharp = noteFromFrequency(440 * 2 ** (30 / 1200));
    assert.equal(sharp.note, "A4");
    assert.ok(Math.abs(sharp.cents - 30) < 1e-9);
    assert.equal(noteFromFrequency(466.16).note, "A#4");
    assert.equal(noteFromFrequency(432, 432).note, "A4");
    assert.throws(() => noteFromFrequency(0), RangeError);
  });
});
