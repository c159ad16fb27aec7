// The IR library on disk: WAV uploads checked the way the engine prepares them and kept under
// generated ids, read back as engine load requests; refusals name the uploaded file; invalid
// files never kept.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IrFileError } from "../../firmware/ir/prepare.js";
import { loadDsp } from "../../firmware/dsp/index.js";
import { IrLibrary } from "../../firmware/library/irs.js";
import { WavFileError, writeWavFloat32 } from "../../firmware/util/wav.js";
import { irWavBytes } from "../server/fixtures.js";

describe("IR library", () => {
  let directory: string;
  const open = async () => {
    const library = new IrLibrary({
      directory, prepare: { deviceRateHz: 48000, maxLengthMs: 500, stereo: "mix" }, dsp: (await loadDsp()).exports, log: { warn: () => {} },
    });
    await library.start();
    return library;
  };
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "namstomp-irs-"));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("keeps a WAV with its summary and reads it back", async () => {
    const library = await open();
    const entry = await library.add(await irWavBytes(), "Greenback 4x12.wav");
    assert.equal(entry.name, "Greenback 4x12");
    assert.deepEqual(entry.summary, { sampleRateHz: 44100, frames: 8820, durationMs: 200 });
    const reopened = await open();
    const request = await reopened.loadRequest(entry.id);
    assert.equal(request.name, "Greenback 4x12");
    assert.equal(request.sampleRateHz, 44100);
    assert.equal(request.samples.length, 8820);
    await reopened.remove(entry.id);
    assert.deepEqual(await readdir(directory), []);
  });

  it("keeps nothing of a file the engine could not play, naming the uploaded file", async () => {
    const library = await open();
    const refusal = async (bytes: Uint8Array, fileName: string, type: typeof WavFileError | typeof IrFileError, reason: RegExp) => {
      await assert.rejects(library.add(bytes, fileName), (error: unknown) =>
        error instanceof type && error.message.startsWith(`${fileName}: `) && reason.test(error.message) && !error.message.includes(directory));
    };
    const wavOf = async (samples: Float32Array, rateHz: number) => {
      const path = join(directory, "..", `namstomp-ir-case-${process.pid}.wav`);
      await writeWavFloat32(path, samples, rateHz);
      try {
        return await readFile(path);
      } finally {
        await rm(path, { force: true });
      }
    };
    const impulse = Float32Array.from({ length: 4800 }, (_, i) => Math.exp(-i / 400));
    await refusal(Buffer.from("definitely not RIFF"), "x.wav", WavFileError, /./);
    await refusal(await wavOf(new Float32Array(4800), 48000), "silent.wav", IrFileError, /silent/);
    await refusal(await wavOf(Float32Array.from(impulse, (v, i) => (i === 100 ? Number.NaN : v)), 48000), "nan.wav", IrFileError, /NaN/);
    await refusal(await wavOf(impulse, 47983), "odd-rate.wav", IrFileError, /sample rate 47983 Hz cannot be converted to the device's 48000 Hz/);
    // The header patched to 4 kHz: below the rates an IR may have.
    const slow = await irWavBytes();
    slow.writeUInt32LE(4000, 24);
    await refusal(slow, "slow.wav", IrFileError, /sample rate 4000 Hz/);
    assert.deepEqual(await readdir(directory), []);
  });
});
