import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RpioBackend, loadRpio, type RpioModule } from "../../firmware/controls/rpio-backend.js";
import type { GpioEdge } from "../../firmware/controls/gpio-backend.js";
import { ManualClock } from "./helpers.js";

/** rpio's API over a simulated pin bank, recording every call. */
class FakeRpio implements RpioModule {
  readonly INPUT = 0;
  readonly OUTPUT = 1;
  readonly PULL_UP = 2;
  readonly POLL_BOTH = 3;
  readonly LOW = 0;
  readonly HIGH = 1;
  readonly PIN_RESET = 1;
  readonly calls: string[] = [];
  readonly levels = new Map<number, number>();
  private readonly pollers = new Map<number, (pin: number) => void>();

  init(options: { gpiomem: boolean; mapping: "gpio" | "physical"; close_on_exit: boolean }): void {
    this.calls.push(`init ${JSON.stringify(options)}`);
  }
  open(pin: number, mode: number, init?: number): void {
    this.calls.push(`open ${pin} ${mode} ${init}`);
    this.levels.set(pin, mode === this.INPUT ? 1 : (init ?? 0));
  }
  read(pin: number): number {
    return this.levels.get(pin) ?? 0;
  }
  write(pin: number, value: number): void {
    this.calls.push(`write ${pin} ${value}`);
    this.levels.set(pin, value);
  }
  poll(pin: number, callback: ((pin: number) => void) | null, direction?: number): void {
    this.calls.push(`poll ${pin} ${callback ? direction : "off"}`);
    if (callback) this.pollers.set(pin, callback);
    else this.pollers.delete(pin);
  }
  close(pin: number, reset?: number): void {
    this.calls.push(`close ${pin} ${reset}`);
  }
  /** The switch moves: the level changes and rpio's 1 ms poll sees the edge. */
  drive(pin: number, level: number): void {
    this.levels.set(pin, level);
    this.pollers.get(pin)?.(pin);
  }
}

describe("RpioBackend", () => {
  it("claims inputs with pull-ups, reports polled edges with the clock's time, drives and releases outputs", async () => {
    const rpio = new FakeRpio();
    const clock = new ManualClock(42_000_000);
    const backend = new RpioBackend(clock, async () => rpio);
    const edges: GpioEdge[] = [];
    const errors: string[] = [];
    await backend.open({ inputs: [17, 27], outputs: [23], onEdge: (e) => edges.push(e), onError: (e) => errors.push(e.message) });
    assert.deepEqual(rpio.calls, [
      'init {"gpiomem":true,"mapping":"gpio","close_on_exit":false}',
      "open 23 1 0",
      "open 17 0 2",
      "poll 17 3",
      "open 27 0 2",
      "poll 27 3",
    ]);
    rpio.drive(17, 0);
    clock.advanceBy(150_000);
    rpio.drive(17, 1);
    assert.deepEqual(edges, [
      { gpio: 17, high: false, timeUs: 42_000_000 },
      { gpio: 17, high: true, timeUs: 42_150_000 },
    ]);
    backend.write(23, true);
    backend.write(22, true);
    assert.equal(rpio.levels.get(23), 1);
    assert.deepEqual(errors, ["rpio: GPIO22 is not an open output"]);
    rpio.calls.length = 0;
    await backend.close();
    assert.deepEqual(rpio.calls, ["poll 17 off", "close 17 1", "poll 27 off", "close 27 1", "close 23 1"]);
    await backend.close();
    rpio.drive(27, 0);
    assert.equal(edges.length, 2);
  });

  it("loads the optional rpio package lazily, or explains how to get it", async () => {
    // rpio is an optional native dependency: present where it built, absent on CI without a compiler.
    try {
      const rpio = await loadRpio();
      assert.equal(typeof rpio.init, "function");
      assert.equal(typeof rpio.poll, "function");
    } catch (error) {
      assert.match((error as Error).message, /rpio package is not available .*build-essential.*"gpiod"/);
    }
    const backend = new RpioBackend(new ManualClock(), async () => {
      throw new Error("the rpio package is not available");
    });
    await assert.rejects(backend.open({ inputs: [17], outputs: [], onEdge: () => {}, onError: () => {} }), /not available/);
  });
});
