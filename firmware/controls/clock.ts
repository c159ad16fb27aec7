// Time for the footswitch logic: one monotonic microsecond clock shared with the GPIO edge
// timestamps (CLOCK_MONOTONIC, like the kernel's gpio events), and timers at absolute times.
// Tests substitute a manual clock. Main thread.

export interface ControlClock {
  /** µs on CLOCK_MONOTONIC. */
  nowUs(): number;
  /** Calls `callback` once, at or soon after `atUs`; returns a function that cancels it. */
  setTimer(atUs: number, callback: () => void): () => void;
}

function monotonicNowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export const systemClock: ControlClock = {
  nowUs: monotonicNowUs,
  setTimer(atUs, callback) {
    const timer = setTimeout(callback, Math.max(0, (atUs - monotonicNowUs()) / 1000));
    return () => clearTimeout(timer);
  },
};
