import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtures, hasSharedReference, sharedReference } from "../helpers/paths.js";
import { modelText, slimmableWaveNet, twoOutputLstm } from "../nam/synthetic-models.js";
import { runCli } from "./run-cli.js";

const tinyFixtureModel = join(fixtures, "reference", "models", "wavenet_tiny_core.nam");
const nanoReferenceModel = join(sharedReference, "models", "nano_boss_sd1.nam");

describe("namstomp inspect", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-inspect-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints a text summary of a reference A1 nano capture", { skip: !hasSharedReference && "no shared reference set" }, async () => {
    const result = await runCli(["inspect", nanoReferenceModel]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.match(result.stdout, /^architecture\s+WaveNet$/m);
    assert.match(result.stdout, /^class\s+A1 Nano \(a1-nano\)$/m);
    assert.match(result.stdout, /^weights\s+842$/m);
    assert.match(result.stdout, /^receptive field\s+4,093 samples \(85\.3 ms\)$/m);
    assert.match(result.stdout, /^sample rate\s+not stated \(48 kHz assumed\)$/m);
    assert.match(result.stdout, /^DSP support\s+yes \((simd|relaxed-simd)\)$/m);
  });

  it("prints one JSON object for a reference model", { skip: !hasSharedReference && "no shared reference set" }, async () => {
    const result = await runCli(["inspect", nanoReferenceModel, "--json"]);
    assert.equal(result.exitCode, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(report.file, nanoReferenceModel);
    assert.equal(report.architecture, "WaveNet");
    assert.equal(report.class, "a1-nano");
    assert.equal(report.weights, 842);
    assert.equal(report.receptiveFieldSamples, 4093);
    assert.equal(report.prewarmSamples, 4093);
    assert.equal(report.sampleRate, null);
    assert.equal("slimWidths" in report, false);
    assert.ok((report.multiplyAddsPerSample as number) > 0);
    assert.deepEqual((report.dsp as { supported: boolean; unsupportedFeatures: string[] }).unsupportedFeatures, []);
  });

  it("describes the committed tiny WaveNet fixture, which states its sample rate", async () => {
    const text = await runCli(["inspect", tinyFixtureModel]);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /^sample rate\s+48,000 Hz$/m);
    assert.match(text.stdout, /^weights\s+131$/m);
    assert.match(text.stdout, /^prewarm\s+23 samples$/m);

    const json = await runCli(["inspect", "--json", tinyFixtureModel]);
    assert.equal(json.exitCode, 0, json.stderr);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(report.sampleRate, 48000);
    assert.equal(report.weights, 131);
    assert.equal(report.receptiveFieldSamples, 23);
    assert.equal(report.version, "0.5.4");
    assert.equal((report.dsp as { supported: boolean }).supported, true);
    assert.equal(typeof report.metadata, "object");
  });

  it("lists the sizes of a slimmable model", async () => {
    const model = join(dir, "slimmable.nam");
    await writeFile(model, modelText(slimmableWaveNet()));
    const result = await runCli(["inspect", model]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /^slimmable widths\n\s+slim ratio\s+channels\s+weights\s+multiply-adds\/sample\n/m);
    assert.match(result.stdout, /^\s+0\.00–0\.50\s+2\s+50\s+\d+$/m);
    assert.match(result.stdout, /^\s+0\.50–1\.00\s+4\s+162\s+\d+$/m);
  });

  it("reports what the DSP cannot run, in text and JSON", async () => {
    // The pedal is mono: a two-output model loads but cannot play.
    const model = join(dir, "stereo-lstm.nam");
    await writeFile(model, modelText(twoOutputLstm()));
    const text = await runCli(["inspect", model]);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.match(text.stdout, /^DSP support\s+no, unsupported: multi-channel output$/m);
    const json = await runCli(["inspect", model, "--json"]);
    assert.deepEqual(JSON.parse(json.stdout).dsp.unsupportedFeatures, ["multi-channel output"]);
    assert.equal(JSON.parse(json.stdout).dsp.supported, false);
  });

  it("exits 2 naming a missing model file", async () => {
    const missing = join(dir, "missing.nam");
    const result = await runCli(["inspect", missing, "--json"]);
    assert.equal(result.exitCode, 2);
    assert.equal(result.stdout, "");
    assertOneErrorLine(result.stderr, "missing.nam");
  });

  it("exits 2 naming a file that is not a valid .nam", async () => {
    const broken = join(dir, "broken.nam");
    await writeFile(broken, '{"version": "0.5.4", "architecture": "WaveNet"');
    const result = await runCli(["inspect", broken]);
    assert.equal(result.exitCode, 2);
    assertOneErrorLine(result.stderr, "broken.nam");
  });

  it("exits 2 on an unknown option", async () => {
    const result = await runCli(["inspect", tinyFixtureModel, "--yaml"]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /unknown option '--yaml'/);
  });
});

function assertOneErrorLine(stderr: string, fileName: string): void {
  assert.match(stderr, /^error: [^\n]+\n$/, `expected one error line, got: ${stderr}`);
  assert.ok(stderr.includes(fileName), `error should name ${fileName}: ${stderr}`);
}
