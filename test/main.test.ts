// The daemon's start as systemd runs it (`namstomp start`, a child process): the last preset comes
// back by itself, and the time from process start to sound is measured and logged at every start.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Status } from "../firmware/api-contract/index.js";
import { repoRoot } from "./helpers/paths.js";
import { irWavBytes, modelBytes } from "./server/fixtures.js";
import { build, multipart } from "./server/helper.js";

const START_TIMEOUT_MS = 20_000;

describe("daemon start", () => {
  it("restores the last preset and logs the time from process start to sound", async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), "namstomp-start-"));
    t.after(() => rm(dataDir, { recursive: true, force: true }));

    // A gig saved on an earlier run: preset "Crunch" (a Feather through a cab) was playing.
    const earlier = await build(t, { dataDir });
    const model = await earlier.app.inject({ method: "POST", url: "/api/models", ...multipart("Plexi.nam", await modelBytes("feather")) });
    const ir = await earlier.app.inject({ method: "POST", url: "/api/irs", ...multipart("Greenback.wav", await irWavBytes()) });
    const preset = await earlier.app.inject({
      method: "POST", url: "/api/presets",
      payload: { name: "Crunch", modelId: (model.json() as { id: string }).id, irId: (ir.json() as { id: string }).id },
    });
    const activated = await earlier.app.inject({ method: "POST", url: `/api/presets/${(preset.json() as { id: string }).id}/activate`, payload: {} });
    assert.equal(activated.statusCode, 200, activated.body);
    await earlier.daemon.stop();

    await writeFile(join(dataDir, "config.json"), JSON.stringify({ version: 1, budget: { calibrationMsPerShape: 20 }, controls: { footswitches: { backend: "mock" } } }));
    const child = spawn(process.execPath, [join(repoRoot, "dist", "firmware", "cli", "main.js"), "start", "--data", dataDir, "--host", "127.0.0.1", "--port", "0", "--audio", "virtual"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    t.after(() => {
      child.kill("SIGKILL");
    });
    const log: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" line in ${START_TIMEOUT_MS} ms:\n${log.join("\n")}`)), START_TIMEOUT_MS);
      child.once("exit", (code) => reject(new Error(`the daemon exited with ${code}:\n${log.join("\n")}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        log.push(line);
        const ready = /namstomp ready: (http:\/\/[^ ]+)/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      });
    });

    const line = log.find((entry) => entry.includes("start to sound:"));
    assert.ok(line, `no "start to sound" line in:\n${log.join("\n")}`);
    const measured = /start to sound: (\d+\.\d\d) s \(audio running at (\d+\.\d\d) s; playing Plexi \+ Greenback\)/.exec(line);
    assert.ok(measured, line);
    const [startToSoundS, audioRunningS] = [Number(measured[1]), Number(measured[2])];
    assert.ok(audioRunningS > 0 && audioRunningS <= startToSoundS, line);
    t.diagnostic(`start to sound ${startToSoundS.toFixed(2)} s (audio running at ${audioRunningS.toFixed(2)} s) with the last preset restored`);

    const status = (await (await fetch(`${url}/api/status`)).json()) as Status;
    assert.equal(status.audio.running, true);
    assert.equal(status.preset?.name, "Crunch");
    assert.equal(status.model?.name, "Plexi");
    assert.equal(status.ir?.name, "Greenback");
  });
});
