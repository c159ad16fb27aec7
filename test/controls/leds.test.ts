import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ledLevels, type StageLightsState } from "../../firmware/controls/leds.js";

const idle: StageLightsState = { bypass: false, tunerActive: false, tunerCents: null, bankChangedAtMs: null };
const allLeds = { active: 23, tuner: 24, bank: 25 };

describe("ledLevels", () => {
  it("shows active/bypass on the active LED", () => {
    assert.deepEqual([...ledLevels(allLeds, idle, 0)], [[23, true], [24, false], [25, false]]);
    assert.equal(ledLevels(allLeds, { ...idle, bypass: true }, 0).get(23), false);
  });

  it("blinks the bank LED three times after a bank change, then goes dark", () => {
    const state = { ...idle, bankChangedAtMs: 1000 };
    const lit = Array.from({ length: 8 }, (_, i) => ledLevels(allLeds, state, 1000 + i * 100 + 50).get(25));
    assert.deepEqual(lit, [true, false, true, false, true, false, false, false]);
  });

  it("uses the active LED for the bank blink and the tuner when they have no LED of their own", () => {
    const lines = { active: 23, tuner: null, bank: null };
    assert.equal(ledLevels(lines, { ...idle, bankChangedAtMs: 0 }, 150).get(23), false);
    assert.equal(ledLevels(lines, { ...idle, tunerActive: true, tunerCents: 0.5 }, 600).get(23), true);
    assert.equal(ledLevels(lines, { ...idle, tunerActive: true, tunerCents: null }, 600).get(23), false);
    assert.deepEqual([...ledLevels(lines, idle, 0).keys()], [23]);
  });

  it("blinks the tuner LED fast off pitch and holds it in tune", () => {
    const at = (cents: number | null, ms: number) => ledLevels(allLeds, { ...idle, tunerActive: true, tunerCents: cents }, ms).get(24);
    assert.deepEqual([at(20, 0), at(20, 130)], [true, false]);
    assert.deepEqual([at(-2.9, 0), at(-2.9, 130)], [true, true]);
    assert.deepEqual([at(null, 50), at(null, 500)], [true, false]);
  });
});
