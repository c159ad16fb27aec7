// Development mode: the keyboard as a footswitch, when stdin is a terminal. A terminal reports
// key presses but never releases, so keys give whole presses:
//   1 2 3 …            short press of switch 1, 2, 3 …
//   Shift+1 2 3 … (! @ # on US layouts) or q w e …   long press
//   Ctrl-C             interrupt (raw mode swallows the terminal's SIGINT, so it is passed on)
// Main thread.

import type { ControlsLog } from "./footswitch-service.js";

export interface KeyboardInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface KeyboardFootswitchDeps {
  input: KeyboardInput;
  footswitches: { virtualPress(switchNumber: number, gesture: "short" | "long"): void };
  switchCount: number;
  /** Ctrl-C (e.g. () => process.kill(process.pid, "SIGINT")). */
  onInterrupt(): void;
  log: ControlsLog;
}

const SHORT_KEYS = "123456789";
const SHIFTED_KEYS = "!@#$%^&*(";
const LONG_KEYS = "qwertyuio";
const CTRL_C = "\u0003";

/** The press a key stands for, or null for other keys. */
export function keyToPress(key: string): { switchNumber: number; gesture: "short" | "long" } | null {
  const short = SHORT_KEYS.indexOf(key);
  if (short >= 0) return { switchNumber: short + 1, gesture: "short" };
  const long = Math.max(SHIFTED_KEYS.indexOf(key), LONG_KEYS.indexOf(key.toLowerCase()));
  return long >= 0 ? { switchNumber: long + 1, gesture: "long" } : null;
}

export class KeyboardFootswitch {
  private attached = false;
  private readonly onData = (chunk: Buffer | string) => {
    for (const key of chunk.toString()) {
      if (key === CTRL_C) {
        this.deps.onInterrupt();
        continue;
      }
      const press = keyToPress(key);
      if (press && press.switchNumber <= this.deps.switchCount) this.deps.footswitches.virtualPress(press.switchNumber, press.gesture);
    }
  };

  constructor(private readonly deps: KeyboardFootswitchDeps) {}

  async start(): Promise<void> {
    const { input, log, switchCount } = this.deps;
    if (!input.isTTY || !input.setRawMode) {
      log.info("keyboard footswitch off: stdin is not a terminal");
      return;
    }
    input.setRawMode(true);
    input.on("data", this.onData);
    input.resume();
    this.attached = true;
    const last = Math.min(switchCount, SHORT_KEYS.length);
    log.info(`keyboard footswitch: keys 1–${last} short press, Shift+1–${last} or ${LONG_KEYS.slice(0, last)} long press`);
  }

  async stop(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    const { input } = this.deps;
    input.off("data", this.onData);
    input.setRawMode?.(false);
    input.pause();
  }
}
