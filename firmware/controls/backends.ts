// Picks the GPIO backend for this machine. Main thread (called while wiring services).

import { detectBoard, type BoardInfo } from "./board.js";
import type { ControlClock } from "./clock.js";
import type { ControlsLog } from "./footswitch-service.js";
import type { FootswitchConfig } from "./footswitch-config.js";
import { GpiodBackend, systemToolRunner, type GpiodToolRunner } from "./gpiod-backend.js";
import type { GpioBackend } from "./gpio-backend.js";
import { MockGpioBackend } from "./mock-backend.js";
import { loadRpio, RpioBackend, type RpioModule } from "./rpio-backend.js";

export interface BackendChoiceDeps {
  clock: ControlClock;
  log: ControlsLog;
  detect?: () => Promise<BoardInfo>;
  loadRpioModule?: () => Promise<RpioModule>;
  tools?: GpiodToolRunner;
}

/**
 * The configured backend, or for "auto" the board's: rpio on a Pi 4 or older (gpiod when rpio did
 * not install there), gpiod on a Pi 5, mock when this is not a Raspberry Pi. Opens nothing.
 */
export async function chooseGpioBackend(choice: FootswitchConfig["backend"], deps: BackendChoiceDeps): Promise<GpioBackend> {
  const loadModule = deps.loadRpioModule ?? loadRpio;
  const rpio = () => new RpioBackend(deps.clock, loadModule);
  const gpiod = () => new GpiodBackend(deps.clock, deps.tools ?? systemToolRunner);
  switch (choice) {
    case "mock":
      return new MockGpioBackend();
    case "rpio":
      return rpio();
    case "gpiod":
      return gpiod();
    case "auto": {
      const board = await (deps.detect ?? detectBoard)();
      deps.log.info(`footswitches: board ${board.model ?? "(no device-tree model)"} → ${board.gpioBackend}`);
      if (board.gpioBackend === "mock") return new MockGpioBackend();
      if (board.gpioBackend === "gpiod") return gpiod();
      try {
        const module = await loadModule();
        return new RpioBackend(deps.clock, async () => module);
      } catch (error) {
        deps.log.warn(`footswitches: ${(error as Error).message}; using gpiod instead`);
        return gpiod();
      }
    }
  }
}
