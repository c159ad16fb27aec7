// GPIO through rpio (memory-mapped BCM283x/BCM2711 registers via /dev/gpiomem): Raspberry Pi 4
// and older. rpio is an optional native dependency, loaded only when this backend opens, so x86
// machines and CI (where it may not build) never load it. rpio reports edges from a 1 ms poll of
// the event-detect registers without timestamps: an edge is dated when the poll sees it, and the
// level is read then (bounce in between collapses into one edge, which the debouncer absorbs).
// Main thread.

import type { ControlClock } from "./clock.js";
import type { GpioBackend, GpioOpenRequest } from "./gpio-backend.js";

/** The part of rpio's API this backend uses (rpio ships no types). */
export interface RpioModule {
  init(options: { gpiomem: boolean; mapping: "gpio" | "physical"; close_on_exit: boolean }): void;
  open(pin: number, mode: number, init?: number): void;
  read(pin: number): number;
  write(pin: number, value: number): void;
  poll(pin: number, callback: ((pin: number) => void) | null, direction?: number): void;
  close(pin: number, reset?: number): void;
  readonly INPUT: number;
  readonly OUTPUT: number;
  readonly PULL_UP: number;
  readonly POLL_BOTH: number;
  readonly LOW: number;
  readonly HIGH: number;
  readonly PIN_RESET: number;
}

/** Loads the optional rpio package; rejects with what to do when it is missing or did not build. */
export async function loadRpio(): Promise<RpioModule> {
  // A variable specifier: rpio is optional and untyped, so the compiler must not resolve it.
  const specifier = "rpio";
  try {
    const loaded = (await import(specifier)) as { default?: RpioModule };
    return loaded.default ?? (loaded as unknown as RpioModule);
  } catch (error) {
    throw new Error(
      `the rpio package is not available (${(error as Error).message.split("\n")[0]}); ` +
        "on a Raspberry Pi 4 or older install the build tools (apt install build-essential python3) and run npm install, " +
        'or set footswitches.backend to "gpiod"',
      { cause: error },
    );
  }
}

export class RpioBackend implements GpioBackend {
  readonly name = "rpio";
  private rpio: RpioModule | null = null;
  private inputs: readonly number[] = [];
  private outputs: readonly number[] = [];
  private request: GpioOpenRequest | null = null;

  constructor(
    private readonly clock: ControlClock,
    private readonly loadModule: () => Promise<RpioModule> = loadRpio,
  ) {}

  async open(request: GpioOpenRequest): Promise<void> {
    const rpio = await this.loadModule();
    // close_on_exit off: close() releases the lines; rpio's own exit hook would race it.
    rpio.init({ gpiomem: true, mapping: "gpio", close_on_exit: false });
    this.rpio = rpio;
    this.request = request;
    this.inputs = [...request.inputs];
    this.outputs = [...request.outputs];
    for (const gpio of this.outputs) rpio.open(gpio, rpio.OUTPUT, rpio.LOW);
    for (const gpio of this.inputs) {
      rpio.open(gpio, rpio.INPUT, rpio.PULL_UP);
      rpio.poll(gpio, () => this.report(gpio), rpio.POLL_BOTH);
    }
  }

  private report(gpio: number): void {
    const rpio = this.rpio;
    if (!rpio || !this.request) return;
    this.request.onEdge({ gpio, high: rpio.read(gpio) === rpio.HIGH, timeUs: this.clock.nowUs() });
  }

  write(gpio: number, high: boolean): void {
    const rpio = this.rpio;
    if (!rpio || !this.outputs.includes(gpio)) {
      this.request?.onError(new Error(`rpio: GPIO${gpio} is not an open output`));
      return;
    }
    rpio.write(gpio, high ? rpio.HIGH : rpio.LOW);
  }

  async close(): Promise<void> {
    const rpio = this.rpio;
    if (!rpio) return;
    this.rpio = null;
    this.request = null;
    for (const gpio of this.inputs) {
      rpio.poll(gpio, null);
      rpio.close(gpio, rpio.PIN_RESET);
    }
    // Outputs go back to inputs (PIN_RESET): the LEDs go dark when the pedal stops.
    for (const gpio of this.outputs) rpio.close(gpio, rpio.PIN_RESET);
    this.inputs = [];
    this.outputs = [];
  }
}
