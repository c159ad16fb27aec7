// The pedal's own DSP speed: every reference shape timed on this machine with the configured
// period and tanh, interleaved round by round so a slow phase of the machine hits every shape
// alike. Cached in the data directory by machine + firmware version + DSP build + timing, so the
// measurement runs once per board and upgrade. Main thread, before audio starts (it would take
// the CPU from the audio worker, and be disturbed by it).

import { readFile } from "node:fs/promises";
import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { measureInterleaved } from "../cli/bench/interleaved-timing.js";
import type { TanhMode } from "../dsp/contract.js";
import type { DspCore } from "../dsp/index.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { referenceShapes, type ReferenceShape } from "./reference-shapes.js";

const CalibrationKeySchema = Type.Object({
  board: Type.Union([Type.String(), Type.Null()]),
  cpuModel: Type.String(),
  arch: Type.String(),
  namstompVersion: Type.String(),
  dspVariant: Type.String(),
  nodeVersion: Type.String(),
  periodFrames: Type.Integer(),
  tanh: Type.Union([Type.Literal("fast"), Type.Literal("exact")]),
});

const CalibrationPointSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  family: Type.Union([Type.Literal("wavenet-a1"), Type.Literal("wavenet-a2"), Type.Literal("lstm")]),
  multiplyAddsPerSample: Type.Number(),
  /** Wall-clock ns of one core per sample, median of the rounds. */
  nsPerSample: Type.Number({ exclusiveMinimum: 0 }),
});

const CalibrationSchema = Type.Object({
  key: CalibrationKeySchema,
  measuredAt: Type.String(),
  /** Wall-clock time the measurement took, ms. */
  measuredMs: Type.Number(),
  points: Type.Array(CalibrationPointSchema),
});

const CACHE_FILE_VERSION = 1;
const CalibrationCacheSchema = Type.Object({
  version: Type.Literal(CACHE_FILE_VERSION),
  calibrations: Type.Array(CalibrationSchema),
});

export type CalibrationKey = Static<typeof CalibrationKeySchema>;
export type CalibrationPoint = Static<typeof CalibrationPointSchema>;
export type Calibration = Static<typeof CalibrationSchema>;

/** Calibrations kept in the cache (one per period/tanh setting tried on this board). */
const MAX_CACHED = 8;
const ROUNDS = 5;
/** Upper bound of the warm-up (V8 tiers the WASM kernels up while it runs), s. */
const MAX_WARMUP_SECONDS = 0.1;

export interface MeasureOptions {
  periodFrames: number;
  tanh: TanhMode;
  /** Measured wall-clock time per shape, over all rounds, ms. */
  msPerShape: number;
}

/** Times every reference shape in blocks of the period; blocks the thread for about 1.3 × msPerShape per shape. */
export function measureReferenceShapes(dsp: DspCore, options: MeasureOptions): CalibrationPoint[] {
  const shapes = referenceShapes();
  const runners = shapes.map((shape) =>
    dsp.createRunner(shape.model, { maxBlockFrames: options.periodFrames, prewarm: true, tanh: options.tanh, slim: null }));
  try {
    const nsPerSample = measureInterleaved(runners, guitarLikeBlocks(options.periodFrames), {
      rounds: ROUNDS,
      measuredSecondsPerEngine: options.msPerShape / 1000,
      maxWarmupSeconds: MAX_WARMUP_SECONDS,
    });
    return shapes.map((shape, i) => pointOf(shape, nsPerSample[i]!));
  } finally {
    for (const runner of runners) runner.dispose();
  }
}

function pointOf(shape: ReferenceShape, nsPerSample: number): CalibrationPoint {
  return { id: shape.id, label: shape.label, family: shape.family, multiplyAddsPerSample: shape.multiplyAddsPerSample, nsPerSample };
}

/** One second at 48 kHz of decaying plucked-string-like tones, in blocks of `blockFrames`. */
function guitarLikeBlocks(blockFrames: number): Float32Array[] {
  const rateHz = 48000;
  const blockCount = Math.max(1, Math.floor(rateHz / blockFrames));
  const signal = new Float32Array(blockCount * blockFrames);
  const notesHz = [82.4, 110, 146.8, 196, 246.9, 329.6];
  const noteFrames = Math.floor(signal.length / notesHz.length);
  for (let i = 0; i < signal.length; i++) {
    const note = Math.min(notesHz.length - 1, Math.floor(i / noteFrames));
    const t = (i - note * noteFrames) / rateHz;
    const f = notesHz[note]!;
    const tone = Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(4 * Math.PI * f * t) + 0.25 * Math.sin(6 * Math.PI * f * t);
    signal[i] = 0.3 * Math.exp(-3 * t) * tone;
  }
  return Array.from({ length: blockCount }, (_, b) => signal.subarray(b * blockFrames, (b + 1) * blockFrames));
}

export function sameKey(a: CalibrationKey, b: CalibrationKey): boolean {
  return (Object.keys(a) as (keyof CalibrationKey)[]).every((field) => a[field] === b[field]);
}

/** calibration.json in the data directory: the latest calibrations, newest first. */
export class CalibrationCache {
  constructor(private readonly path: string) {}

  /** The cached calibration for `key`, or null (no file, another machine or version, or an unreadable file). */
  async find(key: CalibrationKey): Promise<Calibration | null> {
    return (await this.readAll()).find((calibration) => sameKey(calibration.key, key)) ?? null;
  }

  async save(calibration: Calibration): Promise<void> {
    const others = (await this.readAll()).filter((cached) => !sameKey(cached.key, calibration.key));
    const document = { version: CACHE_FILE_VERSION, calibrations: [calibration, ...others].slice(0, MAX_CACHED) };
    await writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`);
  }

  private async readAll(): Promise<Calibration[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.path, "utf8"));
    } catch {
      // Missing or damaged: it is only a cache, the pedal measures again.
      return [];
    }
    return Value.Check(CalibrationCacheSchema, parsed) ? parsed.calibrations : [];
  }
}
