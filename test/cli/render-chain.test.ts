// `namstomp render --ir/--chain`: the whole chain from the command line, through the same code
// the pedal runs (compared with renderChainOffline), and its input errors.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wavefile from "wavefile";
import { renderChainOffline } from "../../firmware/engine/offline.js";
import { defaultChainParams, mergeChainParams } from "../../firmware/engine/params.js";
import { readIrFile } from "../../firmware/ir/prepare.js";
import { loadNamFile } from "../../firmware/nam/index.js";
import { readWavMono, writeWavFloat32 } from "../../firmware/util/wav.js";
import { fixtures } from "../helpers/paths.js";
import { writeStereoCabWav } from "../helpers/stereo-cab.js";
import { readF32 } from "../dsp/reference-cases.js";
import { runCli } from "./run-cli.js";

const model = join(fixtures, "reference", "models", "wavenet_tiny_core.nam");

describe("namstomp render through the whole chain", () => {
  let dir: string;
  let diWav: string;
  let di: Float32Array;
  let stereoIr: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-chain-"));
    di = (await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"))).slice(0, 9600);
    diWav = join(dir, "di.wav");
    await writeWavFloat32(diWav, di, 48000);
    // The loader mixes and resamples it.
    stereoIr = join(dir, "cab.wav");
    await writeStereoCabWav(stereoIr, 2000, 200);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes exactly what the offline chain renders for the same settings", async () => {
    const output = join(dir, "out.wav");
    const result = await runCli(["render", "--model", model, "--input", diWav, "--output", output, "--ir", stereoIr,
      "--bass", "7", "--gate-threshold-db", "-60", "--output-db", "-3"]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /through the chain/);
    const params = mergeChainParams(defaultChainParams(), {
      outputLevelDb: -3,
      gate: { ...defaultChainParams().gate, thresholdDb: -60 },
      eq: { ...defaultChainParams().eq, bass: 7 },
    });
    const expected = await renderChainOffline({
      input: di, sampleRateHz: 48000, periodFrames: 128, params, tanh: "fast",
      model: { model: await loadNamFile(model), name: model, slim: null },
      ir: { recording: await readIrFile(stereoIr, "mix"), name: stereoIr, options: { maxLengthMs: 500, stereo: "mix" } },
    });
    assert.deepEqual((await readWavMono(output)).samples, expected);
  });

  it("refuses an IR with three channels and invalid chain settings, naming the file and the field", async () => {
    const threeChannels = join(dir, "three.wav");
    const wav = new wavefile.WaveFile();
    wav.fromScratch(3, 48000, "16", [[1000, 0], [0, 0], [0, 0]]);
    await writeFile(threeChannels, wav.toBuffer());
    const bad = await runCli(["render", "--model", model, "--input", diWav, "--output", join(dir, "x.wav"), "--ir", threeChannels]);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /three\.wav: 3 channels: an IR must be mono or stereo/);

    const paramsFile = join(dir, "params.json");
    await writeFile(paramsFile, JSON.stringify({ gate: { thresholdDb: 12 } }));
    const badParams = await runCli(["render", "--model", model, "--input", diWav, "--output", join(dir, "y.wav"), "--chain", "--params", paramsFile]);
    assert.equal(badParams.exitCode, 2);
    assert.match(badParams.stderr, /params\.json: chain parameter gate\.thresholdDb/);
  });
});
