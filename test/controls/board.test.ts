import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boardFromModel, detectBoard } from "../../firmware/controls/board.js";

describe("board detection", () => {
  const cases: [string, number | null, string][] = [
    ["Raspberry Pi 5 Model B Rev 1.0", 5, "gpiod"],
    ["Raspberry Pi 5 Model B Rev 1.1", 5, "gpiod"],
    ["Raspberry Pi 500 Rev 1.0", 5, "gpiod"],
    ["Raspberry Pi Compute Module 5 Rev 1.0", 5, "gpiod"],
    ["Raspberry Pi 4 Model B Rev 1.5", 4, "rpio"],
    ["Raspberry Pi 4 Model B Rev 1.1", 4, "rpio"],
    ["Raspberry Pi 400 Rev 1.0", 4, "rpio"],
    ["Raspberry Pi Compute Module 4 Rev 1.0", 4, "rpio"],
    ["Raspberry Pi 3 Model B Plus Rev 1.3", 3, "rpio"],
    ["Raspberry Pi Zero 2 W Rev 1.0", 3, "rpio"],
    ["Raspberry Pi Zero W Rev 1.1", 1, "rpio"],
    ["Raspberry Pi Model B Plus Rev 1.2", 1, "rpio"],
    ["Raspberry Pi Something New Rev 1.0", null, "gpiod"],
    ["Pine64 RockPro64 v2.1", null, "mock"],
  ];
  for (const [model, generation, backend] of cases) {
    it(`${model} → Pi ${generation ?? "?"}, ${backend}`, () => {
      // The device tree string ends in a NUL byte.
      assert.deepEqual(boardFromModel(`${model}\0`), { model, piGeneration: generation, gpioBackend: backend });
    });
  }

  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-board-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the model from an injected path; no file means no Pi", async () => {
    const path = join(dir, "model");
    await writeFile(path, "Raspberry Pi 4 Model B Rev 1.5\0");
    assert.equal((await detectBoard(path)).gpioBackend, "rpio");
    assert.deepEqual(await detectBoard(join(dir, "missing")), { model: null, piGeneration: null, gpioBackend: "mock" });
  });
});
