import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StageActions, type FootswitchAction, type PresetNavigator } from "../../firmware/controls/actions.js";
import { resolveFootswitchConfig } from "../../firmware/controls/footswitch-config.js";
import { FootswitchService } from "../../firmware/controls/footswitch-service.js";
import { MockGpioBackend } from "../../firmware/controls/mock-backend.js";
import { FakeStageEngine, ManualClock, RecordingLog } from "./helpers.js";

const MS = 1000;

class RecordingNavigator implements PresetNavigator {
  readonly calls: string[] = [];
  failNext: Error | null = null;
  private async record(call: string): Promise<void> {
    const failure = this.failNext;
    this.failNext = null;
    if (failure) throw failure;
    this.calls.push(call);
  }
  nextPreset() { return this.record("nextPreset"); }
  previousPreset() { return this.record("previousPreset"); }
  nextBank() { return this.record("nextBank"); }
  previousBank() { return this.record("previousBank"); }
  selectSlot(slot: number) { return this.record(`selectSlot ${slot}`); }
}

function setup(section: unknown = { layout: "3-switch" }) {
  const clock = new ManualClock();
  const backend = new MockGpioBackend();
  const engine = new FakeStageEngine();
  const presets = new RecordingNavigator();
  const log = new RecordingLog();
  const config = resolveFootswitchConfig(section);
  let service: FootswitchService | null = null;
  const actions = new StageActions({ engine, presets, models: null, onBankChanged: () => service!.indicateBankChange() });
  service = new FootswitchService({ config, backend, actions, engine, clock, log });
  /** A bouncy press of `gpio` now, held for holdMs, with the clock run through it. */
  const press = (gpio: number, holdMs: number) => {
    const start = clock.nowUs();
    for (const [high, offsetUs] of [[false, 0], [true, 200], [false, 450]] as const) {
      clock.advanceTo(start + offsetUs);
      backend.edge({ gpio, high, timeUs: start + offsetUs });
    }
    const release = start + holdMs * MS;
    for (const [high, offsetUs] of [[true, 0], [false, 300], [true, 500]] as const) {
      clock.advanceTo(release + offsetUs);
      backend.edge({ gpio, high, timeUs: release + offsetUs });
    }
    clock.advanceBy(100 * MS);
  };
  return { clock, backend, engine, presets, log, service, press };
}

describe("FootswitchService", () => {
  it("claims the switches and LEDs on start, releases them on stop, and touches nothing before", async () => {
    const { backend, service } = setup();
    assert.equal(backend.isOpen, false);
    await service.start();
    assert.equal(backend.isOpen, true);
    await assert.rejects(service.start(), /already started/);
    await service.stop();
    assert.equal(backend.isOpen, false);
    await service.stop();
  });

  it("runs the actions of bouncy presses through the engine and the preset navigator, in order", async () => {
    const { service, press, presets, engine } = setup();
    await service.start();
    press(27, 150); // B short: next preset
    press(27, 150);
    press(17, 120); // A short: previous preset
    press(22, 100); // C short: bypass
    press(22, 700); // C long: tuner
    await service.settled();
    assert.deepEqual(presets.calls, ["nextPreset", "nextPreset", "previousPreset"]);
    assert.equal(engine.bypass, true);
    assert.equal(engine.tunerActive, true);
    await service.stop();
  });

  it("keeps going after an action fails, and says why", async () => {
    const { service, press, presets, log } = setup();
    await service.start();
    presets.failNext = new Error("preset 'Crunch' references a missing model");
    press(27, 100);
    press(27, 100);
    await service.settled();
    assert.deepEqual(presets.calls, ["nextPreset"]);
    assert.ok(log.lines.some((line) => line.startsWith("warn footswitches: switch B short → preset-next failed: preset 'Crunch'")));
    await service.stop();
  });

  it("lights the active LED while the effect is on and blinks it on a bank change", async () => {
    const { service, backend, clock, engine } = setup({ layout: "2-switch", leds: { active: 23, tuner: null } });
    await service.start();
    clock.advanceBy(30 * MS);
    assert.equal(backend.level(23), true);
    engine.bypass = true;
    clock.advanceBy(30 * MS);
    assert.equal(backend.level(23), false);
    engine.bypass = false;
    // Chord A+B: next bank, then three blinks of the active LED over 600 ms.
    const start = clock.nowUs();
    backend.edge({ gpio: 17, high: false, timeUs: start });
    backend.edge({ gpio: 27, high: false, timeUs: start + 30 * MS });
    clock.advanceBy(60 * MS);
    await service.settled();
    const levels: boolean[] = [];
    for (let t = 0; t < 700; t += 25) {
      clock.advanceBy(25 * MS);
      levels.push(backend.level(23));
    }
    const onToOff = levels.filter((lit, i) => i > 0 && levels[i - 1] && !lit).length;
    assert.ok(onToOff >= 3, `active LED blinks: ${levels.map((lit) => (lit ? "#" : ".")).join("")}`);
    assert.equal(levels.at(-1), true);
    // Only changes reach the hardware (gpioset restarts on every write on a Pi 5).
    const lastWritten = new Map<number, boolean>();
    for (const { gpio, high } of backend.writes) {
      assert.notEqual(lastWritten.get(gpio) ?? false, high, `GPIO${gpio} written with an unchanged level`);
      lastWritten.set(gpio, high);
    }
    await service.stop();
  });

  it("shows the tuner on its LED: slow flash listening, fast blink off pitch, solid in tune", async () => {
    const { service, backend, clock, engine } = setup();
    await service.start();
    const pattern = () => {
      const levels: boolean[] = [];
      for (let t = 0; t < 1000; t += 25) {
        clock.advanceBy(25 * MS);
        levels.push(backend.level(24));
      }
      return levels.filter(Boolean).length / levels.length;
    };
    assert.equal(pattern(), 0);
    engine.tunerActive = true;
    const listening = pattern();
    engine.tunerCents = 12;
    const offPitch = pattern();
    engine.tunerCents = -1.5;
    const inTune = pattern();
    assert.ok(listening > 0 && listening < 0.2, `listening duty ${listening}`);
    assert.ok(offPitch > 0.4 && offPitch < 0.6, `off-pitch duty ${offPitch}`);
    assert.equal(inTune, 1);
    await service.stop();
  });

  it("takes the virtual footswitch: taps and held presses", async () => {
    const { service, presets, engine, clock } = setup();
    await service.start();
    service.virtualPress(2, "short");
    service.virtualPress(1, "long");
    service.virtualSwitch(3, true);
    clock.advanceBy(650 * MS);
    service.virtualSwitch(3, false);
    await service.settled();
    assert.deepEqual(presets.calls, ["nextPreset", "previousBank"]);
    assert.equal(engine.tunerActive, true);
    assert.throws(() => service.virtualPress(4, "short"), /no footswitch 4/);
    await service.stop();
    assert.throws(() => service.virtualPress(1, "short"), /not running/);
  });

  it("ignores edges on lines it does not own and reports backend failures", async () => {
    const { service, backend, log, presets } = setup();
    await service.start();
    backend.fail(new Error("gpiomon gpiochip0 exited (1): Device or resource busy"));
    assert.ok(log.lines.includes("error footswitches: gpiomon gpiochip0 exited (1): Device or resource busy"));
    await service.stop();
    assert.deepEqual(presets.calls, []);
  });
});

describe("StageActions", () => {
  it("maps every action to the engine or the navigator", async () => {
    const engine = new FakeStageEngine();
    const presets = new RecordingNavigator();
    let bankChanges = 0;
    const actions = new StageActions({ engine, presets, models: null, onBankChanged: () => bankChanges++ });
    const run = (action: FootswitchAction) => actions.run(action);
    await run("bank-next");
    await run("bank-previous");
    await run("preset-select:2");
    await run("gate-toggle");
    assert.equal(engine.chain.gate.enabled, false);
    assert.equal(engine.chain.gate.thresholdDb, -60);
    await run("gate-toggle");
    assert.equal(engine.chain.gate.enabled, true);
    await run("bypass-toggle");
    await run("tuner-toggle");
    assert.deepEqual(presets.calls, ["nextBank", "previousBank", "selectSlot 2"]);
    assert.equal(bankChanges, 2);
    assert.equal(engine.bypass, true);
    assert.equal(engine.tunerActive, true);
    await assert.rejects(run("model-next"), /no model library is wired/);
    let nextModels = 0;
    const withModels = new StageActions({ engine, presets, models: { nextModel: async () => void nextModels++ }, onBankChanged: () => {} });
    await withModels.run("model-next");
    assert.equal(nextModels, 1);
  });
});
