// GPIO stand-in for machines without GPIO (CI, laptops) and for tests: inputs are driven by
// calling edge(), outputs are recorded. The one stand-in for the GPIO boundary. Main thread.

import type { GpioBackend, GpioEdge, GpioOpenRequest } from "./gpio-backend.js";

export interface RecordedWrite {
  gpio: number;
  high: boolean;
}

export class MockGpioBackend implements GpioBackend {
  readonly name = "mock";
  /** Every output write, in order. */
  readonly writes: RecordedWrite[] = [];
  private request: GpioOpenRequest | null = null;
  private readonly outputLevels = new Map<number, boolean>();

  async open(request: GpioOpenRequest): Promise<void> {
    if (this.request) throw new Error("mock GPIO is already open");
    this.request = request;
    for (const gpio of request.outputs) this.outputLevels.set(gpio, false);
  }

  get isOpen(): boolean {
    return this.request !== null;
  }

  /** Simulates an edge on an input line (as the hardware would report it). */
  edge(edge: GpioEdge): void {
    if (!this.request) throw new Error("mock GPIO is not open");
    if (!this.request.inputs.includes(edge.gpio)) throw new Error(`GPIO${edge.gpio} is not a claimed input`);
    this.request.onEdge(edge);
  }

  /** Simulates a failure of the hardware side (a helper process dying). */
  fail(error: Error): void {
    this.request?.onError(error);
  }

  write(gpio: number, high: boolean): void {
    if (!this.outputLevels.has(gpio)) throw new Error(`GPIO${gpio} is not a claimed output`);
    this.outputLevels.set(gpio, high);
    this.writes.push({ gpio, high });
  }

  /** Current level of an output (false before the first write). */
  level(gpio: number): boolean {
    return this.outputLevels.get(gpio) ?? false;
  }

  async close(): Promise<void> {
    this.request = null;
  }
}
