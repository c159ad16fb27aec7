// The one boundary between the firmware and GPIO hardware. Three implementations: rpio (memory-
// mapped registers, Raspberry Pi 4 and older), gpiod (the kernel's character device through
// Debian's gpiod tools; Raspberry Pi 5, whose GPIO sits on the RP1 chip) and mock (tests, CI and
// machines without GPIO). Nothing outside firmware/controls touches GPIO.
// Main thread: every method and callback runs on the Node event loop.

export type GpioBackendName = "rpio" | "gpiod" | "mock";

/** A level change on an input line. */
export interface GpioEdge {
  /** BCM GPIO number ("GPIO17" on pinout diagrams), not the header pin number. */
  gpio: number;
  /** Level after the edge. Switches close to ground against the pull-up: low = pressed. */
  high: boolean;
  /** When the edge happened, µs on CLOCK_MONOTONIC (the clock of process.hrtime). */
  timeUs: number;
}

export interface GpioOpenRequest {
  /** Lines to claim as inputs with pull-ups, reporting both edges. */
  inputs: readonly number[];
  /** Lines to claim as outputs, driven low at first. */
  outputs: readonly number[];
  onEdge(edge: GpioEdge): void;
  /** A failure after open resolved (a helper process died, a write failed). */
  onError(error: Error): void;
}

export interface GpioBackend {
  readonly name: GpioBackendName;
  /** Claims the lines and starts reporting edges. Rejects with a message saying what to fix. */
  open(request: GpioOpenRequest): Promise<void>;
  /** Drives an output. Returns at once; a failure arrives through onError. */
  write(gpio: number, high: boolean): void;
  /** Stops reporting and releases every line. Idempotent. */
  close(): Promise<void>;
}

/** Line name the kernel gives BCM GPIO `gpio` on every Raspberry Pi (Pi 5: on the RP1 chip). */
export function lineNameOf(gpio: number): string {
  return `GPIO${gpio}`;
}
