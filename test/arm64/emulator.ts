// The emulated arm64 Node that scripts/test-arm64.sh sets up (QEMU user mode, one Raspberry Pi CPU
// model per run), as its environment describes it. Without that environment (a plain `npm test`)
// the arm64 tests skip, saying how to run them.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../helpers/paths.js";

export interface Arm64Emulation {
  /** The arm64 `node` binary. */
  node: string;
  /** qemu-aarch64-static when the kernel has no binfmt handler for arm64, else null. */
  launcher: string | null;
  /** node_modules holding the arm64 builds of the native addons. */
  addons: string;
  /** QEMU CPU model: cortex-a72 (Pi 4) or cortex-a76 (Pi 5). */
  cpu: string;
  /** "ci": one reference case per model; "all": every case. */
  referenceCases: "ci" | "all";
}

function readEmulation(): Arm64Emulation | null {
  const env = process.env;
  if (!env.NAMSTOMP_ARM64_NODE) return null;
  // QEMU's default CPU has features no Pi has (SVE, newer atomics): a run must name the Pi's.
  if (!env.QEMU_CPU) throw new Error("NAMSTOMP_ARM64_NODE is set but QEMU_CPU is not: name the Pi's CPU model");
  if (!env.NAMSTOMP_ARM64_ADDONS) throw new Error("NAMSTOMP_ARM64_NODE is set but NAMSTOMP_ARM64_ADDONS is not");
  return {
    node: env.NAMSTOMP_ARM64_NODE,
    launcher: env.NAMSTOMP_ARM64_LAUNCHER || null,
    addons: env.NAMSTOMP_ARM64_ADDONS,
    cpu: env.QEMU_CPU,
    referenceCases: env.NAMSTOMP_ARM64_REFERENCE_CASES === "all" ? "all" : "ci",
  };
}

export const emulation = readEmulation();

/** `skip` option of every arm64 test. */
export const arm64Skip = emulation ? false : "no arm64 emulation set up: run npm run test:arm64";

export const cliPath = join(repoRoot, "dist", "firmware", "cli", "main.js");

/** File URL of a compiled module under dist/, for scripts run with --eval. */
export function distModuleUrl(...parts: string[]): string {
  return pathToFileURL(join(repoRoot, "dist", ...parts)).href;
}

export interface NodeRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type Machine = "x86-64" | "arm64";

/** The command line and environment that start `node args…` on `machine`. */
export function nodeCommand(machine: Machine, args: readonly string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (machine === "x86-64") return { command: process.execPath, args: [...args], env: process.env };
  const e = emulation;
  if (!e) throw new Error("no arm64 emulation set up");
  const preload = pathToFileURL(join(repoRoot, "scripts", "arm64", "native-addons.mjs")).href;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `--import=${preload}`,
    // An x86-64 JACK server (the CI rig) cannot serve an arm64 client: libjack crashes on its
    // shared memory. Point PortAudio's JACK host API at a server name nobody runs.
    JACK_DEFAULT_SERVER: "namstomp-arm64-no-server",
    JACK_NO_START_SERVER: "1",
  };
  // Set by the outer test runner; an inner test file must report as a process of its own (TAP).
  delete env.NODE_TEST_CONTEXT;
  const command = e.launcher ? [e.launcher, "-L", "/", e.node] : [e.node];
  return { command: command[0]!, args: [...command.slice(1), ...args], env };
}

/** Runs `node args…` on `machine` in the repository and collects its output; kills it after timeoutMs. */
export function runNode(machine: Machine, args: readonly string[], timeoutMs: number): Promise<NodeRun> {
  const { command, args: fullArgs, env } = nodeCommand(machine, args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, fullArgs, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });
}

/** Prefix of the line a --eval probe prints its JSON result on (libraries print lines of their own). */
export const RESULT_MARKER = "arm64-probe-result ";

/** Runs an ES module `source` on arm64 that prints `RESULT_MARKER + JSON`; returns the parsed JSON. */
export async function probeOnArm64<T>(source: string, timeoutMs = 120_000): Promise<T> {
  const run = await runNode("arm64", ["--input-type=module", "--eval", source], timeoutMs);
  const line = run.stdout.split("\n").find((text) => text.startsWith(RESULT_MARKER));
  if (run.exitCode !== 0 || line === undefined) {
    throw new Error(`arm64 probe failed (exit ${run.exitCode ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
  return JSON.parse(line.slice(RESULT_MARKER.length)) as T;
}

export interface TestFileResult {
  run: NodeRun;
  pass: number;
  fail: number;
  skipped: number;
  cancelled: number;
  /** Top-level tests by name: "pass", "fail" or the skip reason. */
  tests: Map<string, string>;
}

/**
 * Runs a compiled test file inside the arm64 Node itself (not through `node --test`, which would
 * start a child process) with the TAP reporter, optionally only the tests matching namePatterns.
 */
export async function runTestFileOnArm64(file: string, namePatterns: readonly string[], timeoutMs: number): Promise<TestFileResult> {
  const patterns = namePatterns.map((pattern) => `--test-name-pattern=${pattern}`);
  const run = await runNode("arm64", ["--test-reporter=tap", ...patterns, join(repoRoot, "dist", "test", file)], timeoutMs);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(run.stdout)?.[1] ?? NaN);
  const tests = new Map<string, string>();
  for (const match of run.stdout.matchAll(/^(not )?ok \d+ - (.*?)(?: # SKIP ?(.*))?$/gm)) {
    tests.set(match[2]!, match[1] ? "fail" : match[3] !== undefined ? match[3] || "skip" : "pass");
  }
  return { run, pass: count("pass"), fail: count("fail"), skipped: count("skipped"), cancelled: count("cancelled"), tests };
}

/** One line for a failed run: the exit and the output's tail. */
export function describeRun(run: NodeRun): string {
  return `exit ${run.exitCode ?? run.signal}\n${run.stdout.slice(-6000)}\n${run.stderr.slice(-3000)}`;
}
