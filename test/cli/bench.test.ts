import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtures } from "../helpers/paths.js";
import { runCli } from "./run-cli.js";

const tinyModel = join(fixtures, "reference", "models", "wavenet_tiny_core.nam");

interface EngineSpeed {
  nsPerSample: number;
  realtimeFactor: number;
}

function assertEngineSpeed(speed: EngineSpeed): void {
  assert.deepEqual(Object.keys(speed).sort(), ["nsPerSample", "realtimeFactor"]);
  assert.ok(speed.nsPerSample > 0 && Number.isFinite(speed.nsPerSample));
  assert.ok(speed.realtimeFactor > 0 && Number.isFinite(speed.realtimeFactor));
  // RTF at 48 kHz is the inverse of the CPU time per sample.
  assert.ok(Math.abs(speed.realtimeFactor * speed.nsPerSample * 48000 - 1e9) < 1e-3);
}

describe("namstomp bench", () => {
  it("prints only a JSON array with --json", async () => {
    const result = await runCli(["bench", "--json", "--seconds", "0.05", tinyModel]);
    assert.equal(result.exitCode, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(rows));
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.deepEqual(Object.keys(row).sort(), ["class", "model", "namstomp", "peer", "slim", "speedup"]);
    assert.equal(row.model, "wavenet_tiny_core");
    assert.equal(row.class, "custom-wavenet");
    assertEngineSpeed(row.namstomp as EngineSpeed);
    // @opendaw/nam-wasm is a devDependency, so it is installed wherever the tests run.
    assertEngineSpeed(row.peer as EngineSpeed);
    const peer = row.peer as EngineSpeed;
    const namstomp = row.namstomp as EngineSpeed;
    assert.ok(Math.abs((row.speedup as number) - peer.nsPerSample / namstomp.nsPerSample) < 1e-9);
    // The explanation and the peer's agreement check go to stderr.
    assert.match(result.stderr, /ns\/sample/);
    assert.match(result.stderr, /wavenet_tiny_core: peer vs namstomp \(fast tanh\) max \|diff\| /);
    assert.match(result.stderr, /the peer runs fast tanh/);
  });

  it("prints a table by default", async () => {
    const result = await runCli(["bench", "--seconds", "0.05", "--block", "64", tinyModel]);
    assert.equal(result.exitCode, 0, result.stderr);
    const [header, row, ...rest] = result.stdout.trimEnd().split("\n");
    assert.deepEqual(rest, []);
    assert.match(header, /^model\s+class\s+namstomp ns\/sample\s+RTF\s+peer ns\/sample\s+RTF\s+speedup$/);
    assert.match(row, /^wavenet_tiny_core\s+custom-wavenet\s+[\d.]+\s+[\d.]+×\s+[\d.]+\s+[\d.]+×\s+[\d.]+×$/);
    assert.match(result.stderr, /blocks of 64 frames/);
  });

  it("exits 2 naming a missing model file", async () => {
    const result = await runCli(["bench", "--json", "--seconds", "0.05", "no-such-model.nam"]);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^error: .*no-such-model\.nam/m);
  });

  it("exits 2 on a bad --seconds value", async () => {
    const result = await runCli(["bench", "--seconds", "-1", tinyModel]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /--seconds/);
  });
});
