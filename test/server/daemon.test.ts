// `namstomp start` as a child process: settings from config.json and flags, the API answering on
// the port it reports, a graceful stop on SIGTERM (exit 0), and a refusal of invalid settings
// (exit 2, one line naming the setting).

import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import type { Readable } from "node:stream";
import type { Status } from "../../firmware/api-contract/index.js";
import { repoRoot } from "../helpers/paths.js";

const CLI = join(repoRoot, "dist", "firmware", "cli", "main.js");

/**
 * Starts the CLI with `dataDir`. When the test ends, however it ends, the daemon is killed (if
 * still running) and then its data directory removed, so a failed assertion leaves neither behind.
 */
function startCli(t: TestContext, dataDir: string, args: string[]): ChildProcess & { stdout: Readable; stderr: Readable } {
  const child = spawn(process.execPath, [CLI, "start", "--data", dataDir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  return child;
}

describe("namstomp start", () => {
  it("serves the API, and stops in order on SIGTERM", async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), "namstomp-daemon-"));
    await writeFile(join(dataDir, "config.json"), JSON.stringify({ version: 1, budget: { calibrationMsPerShape: 20 }, controls: { footswitches: { backend: "mock" } } }));
    const child = startCli(t, dataDir, ["--host", "127.0.0.1", "--port", "0", "--audio", "virtual"]);
    let log = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" line in 15 s:\n${log}`)), 15_000);
      child.stdout.on("data", () => {
        const ready = /namstomp ready: (http:\/\/[^ ]+)/.exec(log);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      });
    });
    const status = (await (await fetch(`${url}/api/status`)).json()) as Status;
    assert.equal(status.audio.running, true);
    assert.equal(status.audio.backend, "virtual");
    const page = await fetch(`${url}/`);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);

    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0, log);
    assert.match(log, /SIGTERM: stopping/);
    assert.match(log, /namstomp stopped/);
    // The calibration was measured once and cached for the next start.
    assert.ok((await readFile(join(dataDir, "calibration.json"), "utf8")).includes("a1-standard"));
  });

  it("refuses to start with an unknown setting, naming it", async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), "namstomp-daemon-"));
    await writeFile(join(dataDir, "config.json"), JSON.stringify({ audio: { periodFrames: 100 } }));
    const child = startCli(t, dataDir, []);
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 2);
    assert.equal(stderr, `error: settings: ${join(dataDir, "config.json")}: /audio/periodFrames: must be one of 64, 128, 256, got 100\n`);
  });
});
