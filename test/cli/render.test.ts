import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wavefile from "wavefile";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/index.js";
import { readWavMono, writeWavFloat32 } from "../../firmware/util/wav.js";
import { fixtures } from "../helpers/paths.js";
import { modelText, twoOutputLstm } from "../nam/synthetic-models.js";
import { runCli } from "./run-cli.js";

const referenceDirectory = join(fixtures, "reference");
const tinyModel = join(referenceDirectory, "models", "wavenet_tiny_core.nam");
/** States no sample_rate, so 48 kHz is assumed. */
const standardModel = join(referenceDirectory, "models", "standard_core_a1.nam");

async function readF32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("namstomp render", () => {
  let dir: string;
  let guitarWav: string;
  let guitar: Float32Array;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-render-"));
    guitar = await readF32(join(referenceDirectory, "signals", "guitar_di_a.f32"));
    guitarWav = join(dir, "guitar.wav");
    await writeWavFloat32(guitarWav, guitar, 48000);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("renders like NAM core with the defaults (block 128, fast tanh, prewarm)", async () => {
    const output = join(dir, "tiny-default.wav");
    const result = await runCli(["render", "--model", tinyModel, "--input", guitarWav, "--output", output]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /tiny-default\.wav: 0\.50 s through .*block 128, fast tanh, prewarm/);

    const rendered = await readWavMono(output);
    assert.deepEqual(
      { sampleRate: rendered.sampleRate, channels: rendered.channels, bitDepth: rendered.bitDepth },
      { sampleRate: 48000, channels: 1, bitDepth: 32 },
    );
    const namCore = await readF32(join(referenceDirectory, "outputs", "wavenet_tiny_core__guitar_di_a__b128__fasttanh.f32"));
    assert.ok(maxAbsDiff(rendered.samples, namCore) < 5e-5);
  });

  it("writes exactly what the runner produces for the given block, tanh and prewarm options", async () => {
    const output = join(dir, "standard-options.wav");
    const args = ["--block", "37", "--tanh", "exact", "--no-prewarm"];
    const result = await runCli(["render", "--model", standardModel, "--input", guitarWav, "--output", output, ...args]);
    assert.equal(result.exitCode, 0, result.stderr);

    const dsp = await loadDsp();
    const runner = dsp.createRunner(await loadNamFile(standardModel), { tanh: "exact", maxBlockFrames: 37, prewarm: false });
    const expected = new Float32Array(guitar.length);
    for (let start = 0; start < guitar.length; start += 37) {
      const end = Math.min(start + 37, guitar.length);
      runner.process(guitar.subarray(start, end), expected.subarray(start, end));
    }
    runner.dispose();
    assert.deepEqual((await readWavMono(output)).samples, expected);
  });

  it("--slim picks the slimmed model: A2 at slim 0 is its narrow submodel, not the full one", async () => {
    const a2 = join(fixtures, "models", "core-examples", "A2.nam");
    const input = join(dir, "short.wav");
    await writeWavFloat32(input, guitar.subarray(0, 4800), 48000);
    const dsp = await loadDsp();
    const model = await loadNamFile(a2);
    const renderRunner = async (slim: number | null) => {
      const runner = dsp.createRunner(model, { tanh: "fast", maxBlockFrames: 128, slim });
      const out = new Float32Array(4800);
      for (let start = 0; start < out.length; start += 128) {
        runner.process(guitar.subarray(start, Math.min(start + 128, 4800)), out.subarray(start, Math.min(start + 128, 4800)));
      }
      runner.dispose();
      return out;
    };
    const output = join(dir, "a2-slim0.wav");
    const result = await runCli(["render", "--model", a2, "--input", input, "--output", output, "--slim", "0"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /slim 0\)/);
    const rendered = (await readWavMono(output)).samples;
    assert.deepEqual(rendered, await renderRunner(0));
    assert.ok(maxAbsDiff(rendered, await renderRunner(null)) > 1e-3, "slim 0 should sound different from full width");
    const bad = await runCli(["render", "--model", a2, "--input", input, "--output", output, "--slim", "1.5"]);
    assert.equal(bad.exitCode, 2);
  });

  it("renders the first channel of a 24-bit stereo file", async () => {
    const stereo = join(dir, "stereo24.wav");
    const wav = new wavefile.WaveFile();
    const left = Array.from(guitar.subarray(0, 4800), (sample) => Math.round(sample * 2 ** 23));
    wav.fromScratch(2, 48000, "24", [left, left.map(() => 0)]);
    await writeFile(stereo, wav.toBuffer());
    const output = join(dir, "stereo-out.wav");
    const result = await runCli(["render", "--model", tinyModel, "--input", stereo, "--output", output]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stderr, /2 channels; rendering the first/);
    assert.equal((await readWavMono(output)).samples.length, 4800);
  });

  describe("bad input: exit code 2, one stderr line naming the file, no output written", () => {
    async function assertBadInput(args: string[], fileInMessage: string, pattern: RegExp): Promise<void> {
      const output = join(dir, "never-written.wav");
      const result = await runCli(["render", "--output", output, ...args]);
      assert.equal(result.exitCode, 2, result.stderr);
      assert.match(result.stderr, /^error: [^\n]+\n$/);
      assert.ok(result.stderr.includes(fileInMessage), `should name ${fileInMessage}: ${result.stderr}`);
      assert.match(result.stderr, pattern);
      assert.equal(await exists(output), false);
    }

    it("missing model file", async () => {
      await assertBadInput(["--model", join(dir, "absent.nam"), "--input", guitarWav], "absent.nam", /./);
    });

    it("missing input file", async () => {
      const input = join(dir, "absent.wav");
      await assertBadInput(["--model", tinyModel, "--input", input], input, /file not found/);
    });

    it("input that is not a WAV", async () => {
      const input = join(dir, "notes.wav");
      await writeFile(input, "just some text\n");
      await assertBadInput(["--model", tinyModel, "--input", input], input, /not a WAV file/);
    });

    it("input rate differs from the model's stated sample_rate", async () => {
      const input = join(dir, "guitar-44k.wav");
      await writeWavFloat32(input, guitar, 44100);
      await assertBadInput(["--model", tinyModel, "--input", input], input, /44100 Hz.*48000 Hz \(stated by/);
    });

    it("input rate differs from the 48 kHz assumed for a model without sample_rate", async () => {
      const input = join(dir, "guitar-96k.wav");
      await writeWavFloat32(input, guitar, 96000);
      await assertBadInput(["--model", standardModel, "--input", input], input, /96000 Hz.*48000 Hz \(assumed/);
    });

    it("a model the DSP cannot run", async () => {
      const model = join(dir, "stereo-lstm.nam");
      await writeFile(model, modelText(twoOutputLstm()));
      await assertBadInput(["--model", model, "--input", guitarWav], model, /cannot run this model \(multi-channel output\)/);
    });
  });

  it("rejects a block size that is not a positive integer with exit code 2", async () => {
    const result = await runCli(["render", "--model", tinyModel, "--input", guitarWav, "--output", join(dir, "x.wav"), "--block", "0"]);
    assert.equal(result.exitCode, 2);
    assert.match(result.stderr, /--block/);
  });
});
