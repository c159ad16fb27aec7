import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { KeyboardFootswitch, keyToPress } from "../../firmware/controls/keyboard-footswitch.js";
import { RecordingLog } from "./helpers.js";

class FakeTerminal extends EventEmitter {
  rawMode = false;
  paused = true;
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(raw: boolean): this {
    this.rawMode = raw;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
}

function setup(isTTY: boolean) {
  const input = new FakeTerminal(isTTY);
  const presses: string[] = [];
  let interrupts = 0;
  const log = new RecordingLog();
  const keyboard = new KeyboardFootswitch({
    input,
    footswitches: { virtualPress: (n, gesture) => presses.push(`${n} ${gesture}`) },
    switchCount: 3,
    onInterrupt: () => interrupts++,
    log,
  });
  return { input, presses, keyboard, log, interrupts: () => interrupts };
}

describe("KeyboardFootswitch", () => {
  it("maps digits to short presses and Shift+digit or the row below to long presses", () => {
    assert.deepEqual(keyToPress("2"), { switchNumber: 2, gesture: "short" });
    assert.deepEqual(keyToPress("@"), { switchNumber: 2, gesture: "long" });
    assert.deepEqual(keyToPress("E"), { switchNumber: 3, gesture: "long" });
    assert.equal(keyToPress("x"), null);
  });

  it("reads keys in raw mode on a terminal and restores it on stop", async () => {
    const { input, presses, keyboard, interrupts } = setup(true);
    await keyboard.start();
    assert.equal(input.rawMode, true);
    assert.equal(input.paused, false);
    input.emit("data", Buffer.from("12#q4z"));
    input.emit("data", "\u0003");
    assert.deepEqual(presses, ["1 short", "2 short", "3 long", "1 long"]);
    assert.equal(interrupts(), 1);
    await keyboard.stop();
    assert.equal(input.rawMode, false);
    assert.equal(input.paused, true);
    input.emit("data", "1");
    assert.equal(presses.length, 4);
  });

  it("stays off when stdin is not a terminal", async () => {
    const { input, keyboard, log } = setup(false);
    await keyboard.start();
    assert.equal(input.rawMode, false);
    assert.equal(input.listenerCount("data"), 0);
    assert.deepEqual(log.lines, ["info keyboard footswitch off: stdin is not a terminal"]);
    await keyboard.stop();
  });
});
