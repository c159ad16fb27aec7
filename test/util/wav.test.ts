import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import wavefile from "wavefile";
import { readWavMono, WavFileError, writeWavFloat32, type WavErrorCode } from "../../firmware/util/wav.js";

type WaveFile = InstanceType<typeof wavefile.WaveFile>;

interface WavFmtFields {
  audioFormat: number;
  chunkSize: number;
  cbSize: number;
  validBitsPerSample: number;
  dwChannelMask: number;
  subformat: number[];
  blockAlign: number;
}

const KSDATAFORMAT_GUID_TAIL = [0x00100000, 0xaa000080, 0x71389b38];

function makeWav(
  channels: number,
  sampleRate: number,
  bitDepthCode: string,
  samples: number[] | number[][],
  options?: { container: "RIFX" },
): WaveFile {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, sampleRate, bitDepthCode, samples, options);
  return wav;
}

/**
 * Rewrites a header as WAVE_FORMAT_EXTENSIBLE with the given sub-format. (wavefile itself writes
 * its "extensible" 40-byte fmt chunk with format code 1, so it cannot produce a real one.)
 */
function toExtensible(wav: WaveFile, subformatCode: number, validBits: number): WaveFile {
  const fmt = wav.fmt as WavFmtFields;
  Object.assign(fmt, {
    audioFormat: 0xfffe,
    chunkSize: 40,
    cbSize: 22,
    validBitsPerSample: validBits,
    dwChannelMask: 0x4,
    subformat: [subformatCode, ...KSDATAFORMAT_GUID_TAIL],
  });
  return wav;
}

describe("readWavMono", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-wav-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function save(name: string, wav: WaveFile | Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, wav instanceof Uint8Array ? wav : wav.toBuffer());
    return path;
  }

  async function assertWavError(path: string, code: WavErrorCode, reasonPattern: RegExp): Promise<void> {
    await assert.rejects(readWavMono(path), (error: unknown) => {
      assert.ok(error instanceof WavFileError, `expected WavFileError, got ${String(error)}`);
      assert.equal(error.file, path);
      assert.equal(error.code, code);
      assert.match(error.reason, reasonPattern);
      assert.equal(error.message, `${path}: ${error.reason}`);
      return true;
    });
  }

  it("scales 16-bit PCM by 2^-15", async () => {
    const path = await save("pcm16.wav", makeWav(1, 48000, "16", [-32768, -16384, 0, 16384, 32767]));
    const wav = await readWavMono(path);
    assert.deepEqual(
      { sampleRate: wav.sampleRate, channels: wav.channels, bitDepth: wav.bitDepth },
      { sampleRate: 48000, channels: 1, bitDepth: 16 },
    );
    assert.deepEqual(Array.from(wav.samples), [-1, -0.5, 0, 0.5, 32767 / 32768]);
  });

  it("scales 24-bit PCM by 2^-23, including negative codes", async () => {
    const codes = [-8388608, -1, 1, 4194304, 8388607];
    const path = await save("pcm24.wav", makeWav(1, 44100, "24", codes));
    const wav = await readWavMono(path);
    assert.equal(wav.bitDepth, 24);
    assert.equal(wav.sampleRate, 44100);
    assert.deepEqual(Array.from(wav.samples), codes.map((code) => Math.fround(code / 2 ** 23)));
  });

  it("scales 32-bit PCM by 2^-31", async () => {
    const codes = [-2147483648, -1073741824, 1073741824, 2147483647];
    const wav = await readWavMono(await save("pcm32.wav", makeWav(1, 48000, "32", codes)));
    assert.equal(wav.bitDepth, 32);
    assert.deepEqual(Array.from(wav.samples), codes.map((code) => Math.fround(code / 2 ** 31)));
  });

  it("returns 32-bit float samples unchanged", async () => {
    const values = [-1, 0.25, Math.fround(0.1), 1.5];
    const wav = await readWavMono(await save("float32.wav", makeWav(1, 96000, "32f", values)));
    assert.equal(wav.bitDepth, 32);
    assert.equal(wav.sampleRate, 96000);
    assert.deepEqual(Array.from(wav.samples), values);
  });

  it("returns the first channel of a stereo file", async () => {
    const path = await save("stereo.wav", makeWav(2, 48000, "16", [[16384, -16384], [-32768, 8192]]));
    const wav = await readWavMono(path);
    assert.equal(wav.channels, 2);
    assert.deepEqual(Array.from(wav.samples), [0.5, -0.5]);
  });

  it("reads WAVE_FORMAT_EXTENSIBLE 24-bit PCM with 3 channels", async () => {
    const wavFile = toExtensible(makeWav(3, 48000, "24", [[4194304, -8388608], [1, 2], [3, 4]]), 1, 24);
    const wav = await readWavMono(await save("extensible-3ch.wav", wavFile));
    assert.equal(wav.channels, 3);
    assert.deepEqual(Array.from(wav.samples), [0.5, -1]);
  });

  it("reads WAVE_FORMAT_EXTENSIBLE 32-bit float as float, not as integers", async () => {
    const wavFile = toExtensible(makeWav(1, 48000, "32f", [0.5, -0.75]), 3, 32);
    const wav = await readWavMono(await save("extensible-float.wav", wavFile));
    assert.deepEqual(Array.from(wav.samples), [0.5, -0.75]);
  });

  it("reads WAVE_FORMAT_EXTENSIBLE 16-bit PCM", async () => {
    const wavFile = toExtensible(makeWav(1, 48000, "16", [-16384, 8192]), 1, 16);
    const wav = await readWavMono(await save("extensible-16.wav", wavFile));
    assert.deepEqual(Array.from(wav.samples), [-0.5, 0.25]);
  });

  it("reads big-endian RIFX files", async () => {
    const path = await save("rifx.wav", makeWav(1, 48000, "24", [4194304, -2097152], { container: "RIFX" }));
    assert.deepEqual(Array.from((await readWavMono(path)).samples), [0.5, -0.25]);
  });

  it("keeps the whole frames of a data chunk cut short", async () => {
    const bytes = makeWav(1, 48000, "16", [16384, 16384, 16384]).toBuffer();
    const wav = await readWavMono(await save("cut-short.wav", bytes.subarray(0, bytes.length - 1)));
    assert.deepEqual(Array.from(wav.samples), [0.5, 0.5]);
  });

  it("reports a missing file", async () => {
    await assertWavError(join(dir, "nope.wav"), "not-found", /file not found/);
  });

  it("reports a file that is not a WAV", async () => {
    const path = join(dir, "text.wav");
    await writeFile(path, "this is a text file, not a RIFF/WAVE file\n");
    await assertWavError(path, "not-wav", /not a WAV file/);
    await assertWavError(await save("empty.wav", new Uint8Array(0)), "not-wav", /not a WAV file/);
  });

  it("rejects 8-bit PCM", async () => {
    await assertWavError(await save("pcm8.wav", makeWav(1, 48000, "8", [0, 255])), "unsupported-format", /8-bit/);
  });

  it("rejects 64-bit float", async () => {
    await assertWavError(await save("float64.wav", makeWav(1, 48000, "64", [0, 0.5])), "unsupported-format", /64-bit float/);
  });

  it("rejects compressed formats (mu-law, IMA ADPCM)", async () => {
    const muLaw = makeWav(1, 8000, "16", [0, 1000]);
    muLaw.toMuLaw();
    await assertWavError(await save("mulaw.wav", muLaw), "unsupported-format", /compressed.*0x0007/);
    const adpcm = makeWav(1, 8000, "16", new Array<number>(1024).fill(0));
    adpcm.toIMAADPCM();
    await assertWavError(await save("adpcm.wav", adpcm), "unsupported-format", /compressed.*0x0011/);
  });

  it("rejects an extensible file with an unknown sub-format GUID", async () => {
    const wavFile = toExtensible(makeWav(1, 48000, "16", [0, 1]), 1, 16);
    (wavFile.fmt as WavFmtFields).subformat[3] = 0x12345678;
    await assertWavError(await save("bad-guid.wav", wavFile), "unsupported-format", /unknown sub-format/);
  });

  it("rejects a file without audio frames", async () => {
    await assertWavError(await save("zero.wav", makeWav(1, 48000, "16", [])), "no-frames", /no audio frames/);
  });

  it("rejects a truncated header", async () => {
    const bytes = makeWav(1, 48000, "16", [1, 2, 3]).toBuffer();
    await assertWavError(await save("truncated.wav", bytes.subarray(0, 30)), "bad-header", /malformed WAV/);
  });

  it("rejects a header whose block align contradicts its sample format", async () => {
    const wavFile = makeWav(1, 48000, "16", [1, 2, 3, 4]);
    (wavFile.fmt as WavFmtFields).blockAlign = 3;
    await assertWavError(await save("block-align.wav", wavFile), "bad-header", /block align 3/);
  });
});

describe("writeWavFloat32", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-wav-write-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes float32 mono that reads back bit-exactly, leaving no temp file", async () => {
    const samples = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.01) * 1.25);
    const path = join(dir, "out.wav");
    await writeWavFloat32(path, samples, 44100);

    const wav = await readWavMono(path);
    assert.deepEqual(
      { sampleRate: wav.sampleRate, channels: wav.channels, bitDepth: wav.bitDepth },
      { sampleRate: 44100, channels: 1, bitDepth: 32 },
    );
    assert.deepEqual(wav.samples, samples);
    const header = new wavefile.WaveFile(await readFile(path));
    assert.equal((header.fmt as WavFmtFields).audioFormat, 3);
    assert.deepEqual(await readdir(dir), ["out.wav"]);
  });

  it("replaces an existing file", async () => {
    const path = join(dir, "replace.wav");
    await writeFile(path, "old contents");
    await writeWavFloat32(path, Float32Array.of(0.5), 48000);
    assert.deepEqual(Array.from((await readWavMono(path)).samples), [0.5]);
  });

  it("reports an unwritable destination", async () => {
    const path = join(dir, "missing-dir", "out.wav");
    await assert.rejects(writeWavFloat32(path, Float32Array.of(0), 48000), (error: unknown) => {
      assert.ok(error instanceof WavFileError);
      assert.equal(error.code, "write-failed");
      assert.equal(error.file, path);
      assert.match(error.message, /ENOENT/);
      return true;
    });
  });
});
