// Contact debounce on edge timestamps. A level counts once it has held, with no further edge, for
// debounceUs; the change is then dated at the first edge of its burst, so press durations are
// measured from when the foot actually hit the switch. Settling needs no edge: the caller asks
// at settleDeadlineUs() (a timer), which is why this is a pure state machine over given times.
// A glitch (a short spike on a long cable) that returns to the settled level never counts.
// Main thread; no I/O.

export interface SettledChange {
  pressed: boolean;
  /** First edge of the burst that ended in this level, µs. */
  timeUs: number;
}

export class SwitchDebouncer {
  private settledPressed = false;
  private rawPressed = false;
  private lastEdgeUs = Number.NEGATIVE_INFINITY;
  private burstStartUs = Number.NEGATIVE_INFINITY;

  constructor(private readonly debounceUs: number) {
    if (!(debounceUs >= 0)) throw new RangeError(`debounceUs must be ≥ 0, got ${debounceUs}`);
  }

  get pressed(): boolean {
    return this.settledPressed;
  }

  /** A raw edge. Edges must come in time order; a repeated level (a missed edge) still restarts the wait. */
  edge(pressed: boolean, timeUs: number): void {
    if (timeUs - this.lastEdgeUs > this.debounceUs) this.burstStartUs = timeUs;
    this.lastEdgeUs = timeUs;
    this.rawPressed = pressed;
  }

  /** Start of a burst that has not settled yet (nothing after it is certain), or null. */
  unsettledSinceUs(): number | null {
    return this.rawPressed !== this.settledPressed ? this.burstStartUs : null;
  }

  /** When the raw level will have held long enough to count, or null when nothing is pending. */
  settleDeadlineUs(): number | null {
    return this.rawPressed !== this.settledPressed ? this.lastEdgeUs + this.debounceUs : null;
  }

  /** The settled change, once the raw level has held for debounceUs by nowUs. */
  settle(nowUs: number): SettledChange | null {
    if (this.rawPressed === this.settledPressed || nowUs < this.lastEdgeUs + this.debounceUs) return null;
    this.settledPressed = this.rawPressed;
    return { pressed: this.settledPressed, timeUs: this.burstStartUs };
  }
}
