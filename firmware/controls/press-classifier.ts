// Turns one switch's debounced presses and releases into gestures: down, short (released before
// the long-press time), long (held that long) and repeat (while still held, every repeat
// interval after the long press). Pure: times are given, and long/repeat come out of advance(),
// which the caller runs at deadlineUs() (a timer). Main thread; no I/O.

export interface PressTiming {
  /** Held this long, a press is long (default 600 ms). */
  longPressUs: number;
  /** Interval of the repeats that follow a long press while the switch stays down. */
  repeatIntervalUs: number;
}

export type PressGesture =
  | { kind: "down"; timeUs: number }
  | { kind: "short"; timeUs: number; heldUs: number }
  | { kind: "long"; timeUs: number }
  /** `count` = 1 for the first repeat after the long press. */
  | { kind: "repeat"; timeUs: number; count: number }
  | { kind: "up"; timeUs: number; heldUs: number };

export class PressClassifier {
  private downAtUs: number | null = null;
  /** Long presses and repeats already emitted for the current press (0 = not long yet). */
  private holdsEmitted = 0;

  constructor(private readonly timing: PressTiming) {
    if (!(timing.longPressUs > 0) || !(timing.repeatIntervalUs > 0)) {
      throw new RangeError(`longPressUs and repeatIntervalUs must be > 0, got ${timing.longPressUs} and ${timing.repeatIntervalUs}`);
    }
  }

  /** A debounced change. Call advance(timeUs) first so holds due before it come out in order. */
  change(pressed: boolean, timeUs: number): PressGesture[] {
    if (pressed) {
      if (this.downAtUs !== null) return [];
      this.downAtUs = timeUs;
      this.holdsEmitted = 0;
      return [{ kind: "down", timeUs }];
    }
    if (this.downAtUs === null) return [];
    const heldUs = timeUs - this.downAtUs;
    const wasLong = this.holdsEmitted > 0;
    this.downAtUs = null;
    const up: PressGesture = { kind: "up", timeUs, heldUs };
    return wasLong ? [up] : [{ kind: "short", timeUs, heldUs }, up];
  }

  /** The long press and repeats due by nowUs, each dated when it fell due. */
  advance(nowUs: number): PressGesture[] {
    const gestures: PressGesture[] = [];
    for (let due = this.deadlineUs(); due !== null && due <= nowUs; due = this.deadlineUs()) {
      gestures.push(this.holdsEmitted === 0 ? { kind: "long", timeUs: due } : { kind: "repeat", timeUs: due, count: this.holdsEmitted });
      this.holdsEmitted++;
    }
    return gestures;
  }

  /** When the next long press or repeat falls due, or null when the switch is up. */
  deadlineUs(): number | null {
    if (this.downAtUs === null) return null;
    return this.downAtUs + this.timing.longPressUs + this.holdsEmitted * this.timing.repeatIntervalUs;
  }
}
