import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chooseGpioBackend } from "../../firmware/controls/backends.js";
import { FootswitchConfigError, defaultLayouts, resolveFootswitchConfig } from "../../firmware/controls/footswitch-config.js";
import type { RpioModule } from "../../firmware/controls/rpio-backend.js";
import { ManualClock, RecordingLog } from "./helpers.js";

describe("footswitch config", () => {
  it("defaults to the 3-switch layout, 20 ms debounce, 600 ms long press and three LEDs", () => {
    const config = resolveFootswitchConfig(undefined);
    assert.equal(config.backend, "auto");
    assert.deepEqual(config.layout, defaultLayouts["3-switch"]);
    assert.equal(config.debounceUs, 20_000);
    assert.deepEqual(config.timing, { longPressUs: 600_000, repeatIntervalUs: 200_000 });
    assert.deepEqual(config.leds, { active: 23, tuner: 24, bank: null });
  });

  it("selects the 2-switch layout with its chord, or takes a custom mapping", () => {
    assert.deepEqual(resolveFootswitchConfig({ layout: "2-switch" }).layout, defaultLayouts["2-switch"]);
    const custom = resolveFootswitchConfig({
      switches: [{ gpio: 5, short: "preset-select:1" }, { gpio: 6, short: "preset-select:2", long: "gate-toggle" }],
      debounceMs: 10,
    });
    assert.deepEqual(custom.layout.chords, []);
    assert.equal(custom.layout.switches[1]!.long, "gate-toggle");
    assert.equal(custom.debounceUs, 10_000);
  });

  it("names the field of every mistake", () => {
    const failure = (section: unknown) => {
      try {
        resolveFootswitchConfig(section);
      } catch (error) {
        assert.ok(error instanceof FootswitchConfigError);
        return error.message;
      }
      assert.fail("accepted an invalid section");
    };
    assert.match(failure({ switches: [{ gpio: 17, long: "explode" }] }), /^footswitches\/switches\/0\/long: Expected string to match/);
    assert.match(failure({ switches: [{ gpio: 17, short: "preset-select:0" }] }), /switches\/0\/short/);
    assert.match(failure({ debounceMs: 0 }), /footswitches\/debounceMs: Expected number to be greater or equal to 1/);
    assert.match(failure({ switches: [{ gpio: 2 }] }), /switches\/0\/gpio/);
    assert.match(failure({ leds: { active: 17 } }), /footswitches\/leds\/active: GPIO17 is already used by switches\/0\/gpio/);
    assert.match(failure({ layout: "2-switch", chords: [{ switches: [1, 3], action: "tuner-toggle" }] }), /chords\/0\/switches: needs two different switch numbers from 1 to 2/);
    assert.match(failure({ pedals: 3 }), /footswitches\/pedals: Unexpected property/);
  });
});

describe("chooseGpioBackend", () => {
  const deps = (model: string | null, rpio: () => Promise<RpioModule>) => ({
    clock: new ManualClock(),
    log: new RecordingLog(),
    detect: async () => ({
      model,
      piGeneration: model?.includes(" 5 ") ? 5 : model ? 4 : null,
      gpioBackend: (model?.includes(" 5 ") ? "gpiod" : model ? "rpio" : "mock") as "gpiod" | "rpio" | "mock",
    }),
    loadRpioModule: rpio,
  });
  const noRpio = async (): Promise<RpioModule> => {
    throw new Error("the rpio package is not available");
  };

  it("follows the board for auto, and falls back to gpiod where rpio did not install", async () => {
    assert.equal((await chooseGpioBackend("auto", deps(null, noRpio))).name, "mock");
    assert.equal((await chooseGpioBackend("auto", deps("Raspberry Pi 5 Model B Rev 1.0", noRpio))).name, "gpiod");
    assert.equal((await chooseGpioBackend("auto", deps("Raspberry Pi 4 Model B Rev 1.5", async () => ({}) as RpioModule))).name, "rpio");
    const fallback = deps("Raspberry Pi 4 Model B Rev 1.5", noRpio);
    assert.equal((await chooseGpioBackend("auto", fallback)).name, "gpiod");
    assert.ok(fallback.log.lines.includes("warn footswitches: the rpio package is not available; using gpiod instead"));
  });

  it("takes an explicit choice without looking at the board", async () => {
    assert.equal((await chooseGpioBackend("gpiod", deps(null, noRpio))).name, "gpiod");
    assert.equal((await chooseGpioBackend("rpio", deps(null, noRpio))).name, "rpio");
    assert.equal((await chooseGpioBackend("mock", deps(null, noRpio))).name, "mock");
  });
});
