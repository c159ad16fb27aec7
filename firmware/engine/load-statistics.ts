// DSP load per period (% of the period) over a sliding window: mean, 99th percentile and max.
// Preallocated; add() runs on the audio thread, summary() between periods (it sorts a copy of
// the window into a preallocated array — a few hundred floats, a few microseconds).

export interface LoadSummary {
  mean: number;
  p99: number;
  max: number;
}

export class LoadStatistics {
  private readonly window: Float64Array;
  private readonly sorted: Float64Array;
  private readonly result: LoadSummary = { mean: 0, p99: 0, max: 0 };
  private count = 0;
  private next = 0;

  constructor(windowPeriods: number) {
    this.window = new Float64Array(Math.max(1, windowPeriods));
    this.sorted = new Float64Array(this.window.length);
  }

  add(loadPercent: number): void {
    this.window[this.next] = loadPercent;
    this.next = (this.next + 1) % this.window.length;
    if (this.count < this.window.length) this.count++;
  }

  /** The same object every call, updated in place. */
  summary(): Readonly<LoadSummary> {
    const n = this.count;
    if (n === 0) return this.result;
    // Unfilled slots sort to the end as +Infinity; only the first n are read.
    this.sorted.set(this.window);
    this.sorted.fill(Infinity, n);
    this.sorted.sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.sorted[i]!;
    this.result.mean = sum / n;
    this.result.p99 = this.sorted[Math.min(n - 1, Math.floor(0.99 * n))]!;
    this.result.max = this.sorted[n - 1]!;
    return this.result;
  }
}
