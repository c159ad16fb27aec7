// GPIO through the kernel's character device, by running Debian's gpiod tools (package `gpiod`):
// the Raspberry Pi 5 family (GPIO on the RP1 chip, out of rpio's reach), and any Pi as a fallback.
// Lines are found by name (GPIO17…) in gpioinfo, never by a hard-coded chip: the RP1 is
// gpiochip4 on early Pi 5 kernels and gpiochip0 since 6.6.45. One gpiomon per chip reports edges
// with kernel timestamps; one gpioset per chip holds the LED levels and is restarted with the new
// levels on a change (coalesced: at most one restart in flight, the latest levels win).
// Tool syntax for libgpiod 1.x and 2.x: gpiod-tools.ts. Main thread.

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import type { ControlClock } from "./clock.js";
import type { GpioBackend, GpioOpenRequest } from "./gpio-backend.js";
import {
  gpiomonArgs,
  gpiosetArgs,
  locateGpios,
  parseGpioinfo,
  parseGpiomonLine,
  parseLibgpiodVersion,
  type LibgpiodVersion,
  type LineLocation,
} from "./gpiod-tools.js";

/** The part of a ChildProcess the backend uses (tests pass fakes). */
export type ToolProcess = Pick<ChildProcess, "stdout" | "stderr" | "kill" | "once" | "exitCode" | "signalCode">;

export interface GpiodToolRunner {
  /** Runs a tool to completion; resolves with its stdout, rejects with its stderr. */
  run(command: string, args: readonly string[]): Promise<string>;
  /** Starts a long-running tool (gpiomon, gpioset). */
  start(command: string, args: readonly string[]): ToolProcess;
}

const execFileAsync = promisify(execFile);

export const systemToolRunner: GpiodToolRunner = {
  async run(command, args) {
    try {
      return (await execFileAsync(command, [...args], { timeout: 5000 })).stdout;
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code === "ENOENT") throw new Error(`${command} not found: install Debian's gpiod package (apt install gpiod)`);
      throw new Error(`${command} ${args.join(" ")} failed: ${failure.stderr?.trim() || failure.message}`);
    }
  },
  start(command, args) {
    return spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });
  },
};

/** Edges further than this from now are on another clock (1.x before Linux 5.7 stamped CLOCK_REALTIME). */
const CLOCK_MISMATCH_US = 1_000_000;

function hasExited(child: ToolProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Tools this backend asked to stop: their exit is no failure (they catch SIGTERM and exit with 0). */
const terminating = new WeakSet<ToolProcess>();

/** SIGTERM and wait for the exit (both tools release their lines on SIGTERM). */
async function terminate(child: ToolProcess): Promise<void> {
  if (hasExited(child)) return;
  terminating.add(child);
  // A tool that never started emits "error" and maybe no "exit".
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  if (!child.kill("SIGTERM")) return;
  await exited;
}

/** Collects the last lines of a tool's stderr for error messages. */
function stderrTail(child: ToolProcess): () => string {
  let tail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-400);
  });
  return () => tail.trim();
}

/** One gpioset per chip holding every LED of that chip; restarted with the new levels on a change. */
class GpiosetHolder {
  private child: ToolProcess | null = null;
  private applying: Promise<void> | null = null;
  private changedWhileApplying = false;
  private closed = false;

  constructor(
    private readonly tools: GpiodToolRunner,
    private readonly version: LibgpiodVersion,
    private readonly chip: string,
    private readonly levels: Map<number, boolean>,
    private readonly onError: (error: Error) => void,
  ) {}

  set(offset: number, high: boolean): void {
    if (this.closed || this.levels.get(offset) === high) return;
    this.levels.set(offset, high);
    this.apply();
  }

  apply(): void {
    if (this.applying) {
      this.changedWhileApplying = true;
      return;
    }
    this.applying = this.restart().catch((error: Error) => this.onError(error)).finally(() => {
      this.applying = null;
      if (this.changedWhileApplying && !this.closed) {
        this.changedWhileApplying = false;
        this.apply();
      }
    });
  }

  private async restart(): Promise<void> {
    if (this.child) await terminate(this.child);
    if (this.closed) return;
    const child = this.tools.start("gpioset", gpiosetArgs(this.version, this.chip, this.levels));
    this.child = child;
    const tail = stderrTail(child);
    child.once("error", (error) => this.onError(new Error(`gpioset could not start: ${error.message}`)));
    child.once("exit", (code, signal) => {
      // Any exit we did not ask for means the LEDs stopped being driven.
      if (!terminating.has(child)) this.onError(new Error(`gpioset ${this.chip} exited (${code ?? signal}): ${tail() || "no message"}`));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.applying;
    if (this.child) await terminate(this.child);
  }
}

export class GpiodBackend implements GpioBackend {
  readonly name = "gpiod";
  private monitors: ToolProcess[] = [];
  private holders = new Map<string, GpiosetHolder>();
  private outputLocations = new Map<number, LineLocation>();
  private clockOffsetUs = 0;
  private request: GpioOpenRequest | null = null;

  constructor(
    private readonly clock: ControlClock,
    private readonly tools: GpiodToolRunner = systemToolRunner,
  ) {}

  async open(request: GpioOpenRequest): Promise<void> {
    if (this.request) throw new Error("gpiod backend is already open");
    const version = parseLibgpiodVersion(await this.tools.run("gpiomon", ["--version"]));
    const locations = locateGpios(parseGpioinfo(await this.tools.run("gpioinfo", [])), [...request.inputs, ...request.outputs]);
    const locate = (gpio: number) => locations.get(gpio)!;
    this.request = request;

    const inputsByChip = new Map<string, Map<number, number>>();
    for (const gpio of request.inputs) {
      const { chip, offset } = locate(gpio);
      if (!inputsByChip.has(chip)) inputsByChip.set(chip, new Map());
      inputsByChip.get(chip)!.set(offset, gpio);
    }
    for (const [chip, gpioByOffset] of inputsByChip) {
      this.monitors.push(this.startMonitor(version, chip, gpioByOffset, request));
    }

    const levelsByChip = new Map<string, Map<number, boolean>>();
    for (const gpio of request.outputs) {
      const location = locate(gpio);
      this.outputLocations.set(gpio, location);
      if (!levelsByChip.has(location.chip)) levelsByChip.set(location.chip, new Map());
      levelsByChip.get(location.chip)!.set(location.offset, false);
    }
    for (const [chip, levels] of levelsByChip) {
      const holder = new GpiosetHolder(this.tools, version, chip, levels, request.onError);
      this.holders.set(chip, holder);
      holder.apply();
    }
  }

  private startMonitor(version: LibgpiodVersion, chip: string, gpioByOffset: Map<number, number>, request: GpioOpenRequest): ToolProcess {
    const child = this.tools.start("gpiomon", gpiomonArgs(version, chip, [...gpioByOffset.keys()]));
    const tail = stderrTail(child);
    child.once("error", (error) => request.onError(new Error(`gpiomon could not start: ${error.message}`)));
    child.once("exit", (code, signal) => {
      if (!terminating.has(child)) request.onError(new Error(`gpiomon ${chip} exited (${code ?? signal}): ${tail() || "no message"}`));
    });
    if (child.stdout) {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const event = parseGpiomonLine(version, line);
        if (!event) return;
        const gpio = gpioByOffset.get(event.offset);
        if (gpio !== undefined) request.onEdge({ gpio, high: event.rising, timeUs: this.toMonotonicUs(event.timeUs) });
      });
    }
    return child;
  }

  /** Kernel timestamps are CLOCK_MONOTONIC, like ControlClock; re-bases them if they are not. */
  private toMonotonicUs(kernelUs: number): number {
    const nowUs = this.clock.nowUs();
    if (Math.abs(kernelUs + this.clockOffsetUs - nowUs) > CLOCK_MISMATCH_US) this.clockOffsetUs = nowUs - kernelUs;
    return kernelUs + this.clockOffsetUs;
  }

  write(gpio: number, high: boolean): void {
    const location = this.outputLocations.get(gpio);
    if (!location) {
      this.request?.onError(new Error(`gpiod: GPIO${gpio} is not an open output`));
      return;
    }
    this.holders.get(location.chip)!.set(location.offset, high);
  }

  async close(): Promise<void> {
    if (!this.request) return;
    this.request = null;
    await Promise.all([...this.monitors.map(terminate), ...[...this.holders.values()].map((holder) => holder.close())]);
    this.monitors = [];
    this.holders.clear();
    this.outputLocations.clear();
  }
}
