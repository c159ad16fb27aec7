// Which board this is, from the device tree's model string, and so which GPIO backend fits:
// rpio maps the BCM283x/2711 GPIO registers (Raspberry Pi 4 and older); the Raspberry Pi 5
// family's GPIO sits on the RP1 chip, which only the kernel's character device (gpiod) reaches.
// Main thread.

import { readFile } from "node:fs/promises";
import type { GpioBackendName } from "./gpio-backend.js";

export const DEVICE_TREE_MODEL_PATH = "/proc/device-tree/model";

export interface BoardInfo {
  /** The model string, e.g. "Raspberry Pi 4 Model B Rev 1.5"; null when there is none (not a Pi, or a container). */
  model: string | null;
  /** Raspberry Pi generation: 1…5 (Pi 400 → 4, Pi 500 and CM5 → 5, Zero 2 W → 3); null when unknown or not a Pi. */
  piGeneration: number | null;
  /** The backend that drives this board's GPIO. */
  gpioBackend: GpioBackendName;
}

function generationOf(model: string): number | null {
  const numbered = /^Raspberry Pi (?:Compute Module )?(\d+)/.exec(model);
  if (numbered) {
    const number = Number(numbered[1]);
    return number >= 100 ? Math.floor(number / 100) : number;
  }
  if (/^Raspberry Pi Zero 2/.test(model)) return 3;
  if (/^Raspberry Pi (Zero|Model [AB])/.test(model)) return 1;
  return null;
}

/** Classifies a device-tree model string (trailing NUL and whitespace allowed). */
export function boardFromModel(rawModel: string | null): BoardInfo {
  const model = rawModel?.replace(/\0+$/, "").trim() || null;
  if (model === null || !model.startsWith("Raspberry Pi")) return { model, piGeneration: null, gpioBackend: "mock" };
  const piGeneration = generationOf(model);
  // An unrecognised Pi is most likely newer: the character device works on every kernel since 5.5.
  const gpioBackend: GpioBackendName = piGeneration !== null && piGeneration <= 4 ? "rpio" : "gpiod";
  return { model, piGeneration, gpioBackend };
}

/** Reads the model string at `modelPath` (missing file = not a Pi). */
export async function detectBoard(modelPath = DEVICE_TREE_MODEL_PATH): Promise<BoardInfo> {
  try {
    return boardFromModel(await readFile(modelPath, "latin1"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return boardFromModel(null);
    throw error;
  }
}
