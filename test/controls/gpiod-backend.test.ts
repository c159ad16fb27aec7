import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { GpiodBackend, type GpiodToolRunner, type ToolProcess } from "../../firmware/controls/gpiod-backend.js";
import {
  gpiomonArgs,
  gpiosetArgs,
  locateGpios,
  parseGpioinfo,
  parseGpiomonLine,
  parseLibgpiodVersion,
} from "../../firmware/controls/gpiod-tools.js";
import type { GpioEdge } from "../../firmware/controls/gpio-backend.js";
import { repoRoot } from "../helpers/paths.js";
import { ManualClock } from "./helpers.js";

const fixture = (name: string) => readFileSync(join(repoRoot, "test", "controls", "fixtures", "gpiod", name), "utf8");
const v1 = { major: 1, minor: 6 };
const v2 = { major: 2, minor: 1 };

class FakeToolProcess extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  constructor(readonly command: string, readonly args: readonly string[]) {
    super();
  }
  /** Both tools catch SIGTERM, release their lines and exit with status 0. */
  kill(): boolean {
    setImmediate(() => this.exit(0, null));
    return true;
  }
  /** The tool exiting (on a signal, or by itself with an error). */
  exit(code: number | null, signal: NodeJS.Signals | null, stderr = ""): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    if (stderr) this.stderr.write(stderr);
    this.exitCode = code;
    this.signalCode = signal;
    setImmediate(() => this.emit("exit", code, signal));
  }
}

class FakeTools implements GpiodToolRunner {
  readonly started: FakeToolProcess[] = [];
  constructor(private readonly outputs: Record<string, string>) {}
  async run(command: string, args: readonly string[]): Promise<string> {
    const key = [command, ...args].join(" ");
    const output = this.outputs[key];
    if (output === undefined) throw new Error(`${command} not found: install Debian's gpiod package (apt install gpiod)`);
    return output;
  }
  start(command: string, args: readonly string[]): ToolProcess {
    const child = new FakeToolProcess(command, args);
    this.started.push(child);
    return child as unknown as ToolProcess;
  }
  running(command: string): FakeToolProcess[] {
    return this.started.filter((c) => c.command === command && c.exitCode === null && c.signalCode === null);
  }
}

describe("gpiod tool output", () => {
  it("reads the libgpiod version of both generations", () => {
    assert.deepEqual(parseLibgpiodVersion(fixture("v1-gpiomon-version.txt")), { major: 1, minor: 6 });
    assert.deepEqual(parseLibgpiodVersion(fixture("v2-gpiomon-version.txt")), { major: 2, minor: 1 });
    assert.throws(() => parseLibgpiodVersion("gpiomon: command not found"), /cannot read the libgpiod version/);
    assert.throws(() => parseLibgpiodVersion("gpiomon (libgpiod) v3.0"), /not supported/);
  });

  it("finds the header lines of a Pi 4 by name, and by offset where the Pi 4 names them otherwise", () => {
    const lines = parseGpioinfo(fixture("v1-gpioinfo-pi4.txt"));
    assert.equal(lines.length, 58 + 8);
    assert.deepEqual(lines[17], { chip: "gpiochip0", offset: 17, name: "GPIO17" });
    assert.deepEqual(lines[58], { chip: "gpiochip1", offset: 0, name: "BT_ON" });
    const located = locateGpios(lines, [17, 27, 4, 14]);
    assert.deepEqual(located.get(17), { chip: "gpiochip0", offset: 17 });
    assert.deepEqual(located.get(4), { chip: "gpiochip0", offset: 4 }); // named GPIO_GCLK
    assert.deepEqual(located.get(14), { chip: "gpiochip0", offset: 14 }); // named TXD1
  });

  it("finds the RP1 of a Pi 5 whatever its chip number", () => {
    const old = parseGpioinfo(fixture("v1-gpioinfo-pi5.txt"));
    assert.deepEqual(old.find((l) => l.chip === "gpiochip0" && l.offset === 3), { chip: "gpiochip0", offset: 3, name: null });
    assert.deepEqual(locateGpios(old, [17, 22]).get(22), { chip: "gpiochip4", offset: 22 });
    const current = parseGpioinfo(fixture("v2-gpioinfo-pi5.txt"));
    assert.deepEqual(locateGpios(current, [17, 23]).get(17), { chip: "gpiochip0", offset: 17 });
    assert.deepEqual(current.find((l) => l.chip === "gpiochip12" && l.offset === 0)?.name, null);
  });

  it("says what is wrong when lines cannot be found", () => {
    assert.throws(() => locateGpios([], [17]), /gpioinfo lists no GPIO lines .*gpio group/);
    assert.throws(() => locateGpios([{ chip: "gpiochip0", offset: 0, name: "LED" }], [17]), /no GPIO line for GPIO17/);
  });

  it("builds gpiomon and gpioset command lines for each generation", () => {
    assert.deepEqual(gpiomonArgs(v1, "gpiochip4", [17, 27]), ["-B", "pull-up", "-b", "-F", "%o %e %s %n", "gpiochip4", "17", "27"]);
    assert.deepEqual(gpiomonArgs(v2, "gpiochip0", [17, 27]), ["-c", "gpiochip0", "-b", "pull-up", "-e", "both", "-F", "%o %e %S", "17", "27"]);
    const levels = new Map([[23, true], [24, false]]);
    assert.deepEqual(gpiosetArgs(v1, "gpiochip4", levels), ["--mode=signal", "gpiochip4", "23=1", "24=0"]);
    assert.deepEqual(gpiosetArgs(v2, "gpiochip0", levels), ["-c", "gpiochip0", "23=1", "24=0"]);
  });

  it("parses recorded gpiomon events of both generations to the same edges", () => {
    const parse = (version: typeof v1, name: string) =>
      fixture(name).split("\n").filter(Boolean).map((line) => parseGpiomonLine(version, line));
    const first = parse(v1, "v1-gpiomon-events.txt");
    assert.deepEqual(first, parse(v2, "v2-gpiomon-events.txt"));
    assert.equal(first.length, 7);
    assert.deepEqual(first[0], { offset: 17, rising: false, timeUs: 5123048023.551 });
    // 1.x prints the nanoseconds unpadded: "5124 7000" is 5124.000007 s, not 5124.7 s.
    assert.deepEqual(first[5], { offset: 27, rising: false, timeUs: 5124000007 });
    assert.equal(parseGpiomonLine(v2, "Monitoring line 'GPIO17'..."), null);
    assert.equal(parseGpiomonLine(v1, "17 2 5123 1"), null);
  });
});

async function openBackend(version: "v1" | "v2", clock = new ManualClock(5_124_000_000)) {
  const tools = new FakeTools({
    "gpiomon --version": fixture(`${version}-gpiomon-version.txt`),
    gpioinfo: fixture(`${version}-gpioinfo-pi5.txt`),
  });
  const backend = new GpiodBackend(clock, tools);
  const edges: GpioEdge[] = [];
  const errors: string[] = [];
  await backend.open({ inputs: [17, 27], outputs: [23, 24], onEdge: (e) => edges.push(e), onError: (e) => errors.push(e.message) });
  await nextTurn();
  return { tools, backend, edges, errors, clock };
}

describe("GpiodBackend", () => {
  for (const version of ["v1", "v2"] as const) {
    it(`monitors inputs and drives LEDs on a Pi 5 with libgpiod ${version}`, async () => {
      const { tools, backend, edges, errors } = await openBackend(version);
      const chip = version === "v1" ? "gpiochip4" : "gpiochip0";
      const [monitor] = tools.running("gpiomon");
      assert.deepEqual(monitor!.args, gpiomonArgs(version === "v1" ? v1 : v2, chip, [17, 27]));
      assert.deepEqual(tools.running("gpioset").map((c) => c.args.slice(-2)), [["23=0", "24=0"]]);

      monitor!.stdout.write(fixture(`${version}-gpiomon-events.txt`));
      await nextTurn();
      assert.deepEqual(edges.map((e) => `${e.gpio}${e.high ? "↑" : "↓"}`), ["17↓", "17↑", "17↓", "17↓", "17↑", "27↓", "27↑"]);
      assert.equal(edges[0]!.timeUs, 5123048023.551);

      // Three changes in a row: at most one restart in flight, the last levels win.
      backend.write(23, true);
      backend.write(24, true);
      backend.write(23, false);
      for (let i = 0; i < 10; i++) await nextTurn();
      const holders = tools.running("gpioset");
      assert.equal(holders.length, 1);
      assert.deepEqual(holders[0]!.args.slice(-2), ["23=0", "24=1"]);
      assert.ok(tools.started.filter((c) => c.command === "gpioset").length <= 3);

      await backend.close();
      assert.deepEqual(tools.running("gpiomon"), []);
      assert.deepEqual(tools.running("gpioset"), []);
      assert.deepEqual(errors, []);
    });
  }

  it("re-bases event timestamps that are not on the monotonic clock", async () => {
    const { tools, edges, backend } = await openBackend("v2", new ManualClock(90_000_000));
    tools.running("gpiomon")[0]!.stdout.write("17 2 1700000000.000000000\n17 1 1700000000.250000000\n");
    await nextTurn();
    assert.deepEqual(edges.map((e) => e.timeUs), [90_000_000, 90_250_000]);
    await backend.close();
  });

  it("reports a monitor or an LED holder that dies, with its stderr", async () => {
    const { tools, errors, backend } = await openBackend("v1");
    tools.running("gpiomon")[0]!.exit(1, null, "gpiomon: error waiting for events: Device or resource busy\n");
    tools.running("gpioset")[0]!.exit(null, "SIGKILL");
    for (let i = 0; i < 3; i++) await nextTurn();
    assert.deepEqual(errors, [
      "gpiomon gpiochip4 exited (1): gpiomon: error waiting for events: Device or resource busy",
      "gpioset gpiochip4 exited (SIGKILL): no message",
    ]);
    await backend.close();
  });

  it("fails to open with what to install when the tools are missing", async () => {
    const backend = new GpiodBackend(new ManualClock(), new FakeTools({}));
    await assert.rejects(
      backend.open({ inputs: [17], outputs: [], onEdge: () => {}, onError: () => {} }),
      /gpiomon not found: install Debian's gpiod package/,
    );
  });
});
