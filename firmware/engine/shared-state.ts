// The state block the audio worker publishes and the main thread reads: one SharedArrayBuffer,
// fixed layout, no messages per period. Integers go through Atomics; floats are plain aligned
// 64-bit stores (a torn read of a meter is harmless, and aligned 8-byte stores don't tear on
// x86-64 or arm64). Single writer: the thread that runs the chain.

const INT_FIELDS = [
  /** Periods processed since start; the watchdog checks that it moves. */
  "heartbeat",
  "running",
  "xruns",
  "deadlineMisses",
  "gateOpen",
  "tunerActive",
  "bypass",
  "sampleRateHz",
  "periodFrames",
  /** Bumped whenever the playing model/IR changes (swap finished). */
  "slotGeneration",
] as const;

const FLOAT_FIELDS = [
  "inputPeakDb",
  "outputPeakDb",
  "dspLoadMeanPercent",
  "dspLoadP99Percent",
  "dspLoadMaxPercent",
  "latencyMs",
  "tunerFrequencyHz",
  "tunerLevelDb",
  /** Wall-clock ms (performance.timeOrigin + now) of the last period, for stall detection. */
  "lastPeriodAtMs",
] as const;

export type IntField = (typeof INT_FIELDS)[number];
export type FloatField = (typeof FLOAT_FIELDS)[number];

const INT_INDEX = Object.fromEntries(INT_FIELDS.map((name, i) => [name, i])) as Record<IntField, number>;
const FLOAT_INDEX = Object.fromEntries(FLOAT_FIELDS.map((name, i) => [name, i])) as Record<FloatField, number>;
const INT_BYTES = Math.ceil((INT_FIELDS.length * 4) / 8) * 8;

/** DSP load histogram since start: bins of LOAD_BIN_PERCENT, the last one collects everything above. */
export const LOAD_BIN_PERCENT = 0.25;
export const LOAD_BINS = 800;
const HISTOGRAM_OFFSET = INT_BYTES + FLOAT_FIELDS.length * 8;

export function createSharedStateBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HISTOGRAM_OFFSET + LOAD_BINS * 4);
}

/** Typed access to the state block. Both sides wrap the same SharedArrayBuffer. */
export class SharedState {
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private readonly loadBins: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.ints = new Int32Array(buffer, 0, INT_FIELDS.length);
    this.floats = new Float64Array(buffer, INT_BYTES, FLOAT_FIELDS.length);
    this.loadBins = new Int32Array(buffer, HISTOGRAM_OFFSET, LOAD_BINS);
  }

  /** Counts one period's DSP load (% of the period) in the histogram. Audio thread. */
  countLoad(loadPercent: number): void {
    Atomics.add(this.loadBins, Math.min(LOAD_BINS - 1, Math.floor(loadPercent / LOAD_BIN_PERCENT)), 1);
  }

  /** Load (% of the period) below which `fraction` of all periods since start stayed (upper bin edge). */
  loadPercentile(fraction: number): number {
    let total = 0;
    for (let i = 0; i < LOAD_BINS; i++) total += Atomics.load(this.loadBins, i);
    if (total === 0) return 0;
    let seen = 0;
    for (let i = 0; i < LOAD_BINS; i++) {
      seen += Atomics.load(this.loadBins, i);
      if (seen >= fraction * total) return (i + 1) * LOAD_BIN_PERCENT;
    }
    return LOAD_BINS * LOAD_BIN_PERCENT;
  }

  getInt(field: IntField): number {
    return Atomics.load(this.ints, INT_INDEX[field]);
  }

  setInt(field: IntField, value: number): void {
    Atomics.store(this.ints, INT_INDEX[field], value);
  }

  addInt(field: IntField, delta: number): void {
    Atomics.add(this.ints, INT_INDEX[field], delta);
  }

  getFloat(field: FloatField): number {
    return this.floats[FLOAT_INDEX[field]]!;
  }

  setFloat(field: FloatField, value: number): void {
    this.floats[FLOAT_INDEX[field]] = value;
  }
}
