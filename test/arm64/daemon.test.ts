// The daemon on arm64: `namstomp start` with the virtual audio device and mocked footswitches
// answers GET /api/status (readable without the admin PIN) and stops cleanly on SIGTERM.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Status } from "../../firmware/api-contract/index.js";
import { repoRoot } from "../helpers/paths.js";
import { arm64Skip, cliPath, nodeCommand } from "./emulator.js";

/** Start-up under emulation (V8, WASM compile, the DSP budget calibration) is 10–50× slower. */
const READY_TIMEOUT_MS = 5 * 60_000;

test("namstomp start on arm64 serves /api/status with the virtual device, and stops on SIGTERM", { skip: arm64Skip }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "namstomp-arm64-daemon-"));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  await writeFile(join(dataDir, "config.json"), JSON.stringify({ version: 1, budget: { calibrationMsPerShape: 20 }, controls: { footswitches: { backend: "mock" } } }));
  const { command, args, env } = nodeCommand("arm64", [cliPath, "start", "--data", dataDir, "--host", "127.0.0.1", "--port", "0", "--audio", "virtual"]);
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let log = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  const exited = once(child, "exit");
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" line in ${READY_TIMEOUT_MS / 1000} s:\n${log}`)), READY_TIMEOUT_MS);
    child.stdout.on("data", () => {
      const ready = /namstomp ready: (http:\/\/[^ \n]+)/.exec(log);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${String(code)}) before it was ready:\n${log}`));
    });
  });
  const response = await fetch(`${url}/api/status`);
  assert.equal(response.status, 200);
  const status = (await response.json()) as Status;
  assert.equal(status.audio.running, true);
  assert.equal(status.audio.backend, "virtual");

  child.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, log);
  assert.match(log, /namstomp stopped/);
});
