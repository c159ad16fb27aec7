// WAV file input/output for the CLI and tests: read any common PCM/float WAV as mono float32,
// write float32 mono atomically. Chunk parsing is wavefile's; sample decoding is done here
// because wavefile decodes WAVE_FORMAT_EXTENSIBLE float data as integers.
import { readFile } from "node:fs/promises";
import wavefile from "wavefile";
import { writeFileAtomic } from "./atomic-write.js";

export type WavErrorCode =
  | "not-found"
  | "unreadable"
  | "not-wav"
  | "bad-header"
  | "unsupported-format"
  | "no-frames"
  | "write-failed";

/** A WAV file could not be read or written. The message is `file: reason`. */
export class WavFileError extends Error {
  override readonly name = "WavFileError";

  constructor(
    readonly file: string,
    readonly code: WavErrorCode,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export interface MonoWav {
  /** Hz. */
  sampleRate: number;
  /** The first channel, scaled to [-1, 1) for integer formats, as stored for float files. */
  samples: Float32Array;
  /** Channels in the file (only the first is returned). */
  channels: number;
  /** Bits per stored sample: 16, 24 or 32. */
  bitDepth: number;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** The last 12 bytes of every KSDATAFORMAT_SUBTYPE_* GUID, as wavefile reads them (3 × uint32). */
const KSDATAFORMAT_GUID_TAIL = [0x00100000, 0xaa000080, 0x71389b38];

type SampleEncoding = "int" | "float";

export interface MultichannelWav {
  /** Hz. */
  sampleRate: number;
  /** One array per channel, scaled like MonoWav.samples. */
  channels: Float32Array[];
  bitDepth: number;
}

/** Every channel of a WAV file (IRs may be stereo and get mixed down by the caller). */
export async function readWav(path: string): Promise<MultichannelWav> {
  const { view, frames, fmt, encoding, littleEndian } = await openWavData(path);
  const channels = Array.from({ length: fmt.numChannels }, (_, channel) =>
    decodeChannel(view, frames, fmt.blockAlign, channel, encoding, fmt.bitsPerSample, littleEndian));
  return { sampleRate: fmt.sampleRate, channels, bitDepth: fmt.bitsPerSample };
}

export async function readWavMono(path: string): Promise<MonoWav> {
  const { view, frames, fmt, encoding, littleEndian } = await openWavData(path);
  return {
    sampleRate: fmt.sampleRate,
    samples: decodeChannel(view, frames, fmt.blockAlign, 0, encoding, fmt.bitsPerSample, littleEndian),
    channels: fmt.numChannels,
    bitDepth: fmt.bitsPerSample,
  };
}

async function openWavData(path: string) {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "ENOENT"
      ? new WavFileError(path, "not-found", "file not found")
      : new WavFileError(path, "unreadable", `cannot read file (${error.code ?? error.message})`);
  });
  const wav = parseContainer(path, bytes);
  const fmt = wav.fmt as WavFmtChunk;
  const encoding = sampleEncoding(path, fmt);
  const bitDepth = fmt.bitsPerSample;
  const channels = fmt.numChannels;
  if (channels < 1) throw new WavFileError(path, "bad-header", "header declares 0 channels");
  if (!Number.isInteger(fmt.sampleRate) || fmt.sampleRate <= 0) {
    throw new WavFileError(path, "bad-header", `invalid sample rate ${fmt.sampleRate}`);
  }
  const bytesPerSample = bitDepth / 8;
  if (fmt.blockAlign !== channels * bytesPerSample) {
    throw new WavFileError(
      path,
      "bad-header",
      `block align ${fmt.blockAlign} does not match ${channels} channel(s) of ${bitDepth}-bit samples`,
    );
  }
  const data = (wav.data as { samples: Uint8Array }).samples;
  // A data chunk cut short by a crashed recorder still holds usable whole frames.
  const frames = Math.floor(data.length / fmt.blockAlign);
  if (frames === 0) throw new WavFileError(path, "no-frames", "the data chunk holds no audio frames");

  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { view, frames, fmt, encoding, littleEndian: wav.container !== "RIFX" };
}

/** Writes mono float32 samples as a 32-bit float WAV; readers never see a partial file. */
export async function writeWavFloat32(path: string, samples: Float32Array, sampleRate: number): Promise<void> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new WavFileError(path, "write-failed", `invalid sample rate ${sampleRate}`);
  }
  // wavefile builds the header; its per-sample packer takes seconds per minute of audio, so the
  // data chunk is filled here (the `data.samples` bytes are what `toBuffer` writes).
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, "32f", []);
  (wav.data as { samples: Uint8Array }).samples = encodeFloat32LittleEndian(samples);
  await writeFileAtomic(path, wav.toBuffer()).catch((error: NodeJS.ErrnoException) => {
    throw new WavFileError(path, "write-failed", `cannot write file (${error.code ?? error.message})`);
  });
}

interface WavFmtChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  subformat: number[];
}

function parseContainer(path: string, bytes: Uint8Array): InstanceType<typeof wavefile.WaveFile> {
  const riffId = new TextDecoder("latin1").decode(bytes.subarray(0, 4));
  const waveId = new TextDecoder("latin1").decode(bytes.subarray(8, 12));
  if ((riffId !== "RIFF" && riffId !== "RIFX") || waveId !== "WAVE") {
    throw new WavFileError(path, "not-wav", "not a WAV file (no RIFF/WAVE signature)");
  }
  try {
    return new wavefile.WaveFile(bytes);
  } catch (error) {
    throw new WavFileError(path, "bad-header", `malformed WAV (${(error as Error).message})`);
  }
}

function sampleEncoding(path: string, fmt: WavFmtChunk): SampleEncoding {
  let formatCode = fmt.audioFormat;
  if (formatCode === WAVE_FORMAT_EXTENSIBLE) {
    const [subformatCode, ...guidTail] = fmt.subformat;
    if (subformatCode === undefined || guidTail.some((word, i) => word !== KSDATAFORMAT_GUID_TAIL[i])) {
      throw new WavFileError(path, "unsupported-format", "WAVE_FORMAT_EXTENSIBLE with an unknown sub-format");
    }
    formatCode = subformatCode;
  }
  const bits = fmt.bitsPerSample;
  if (formatCode === WAVE_FORMAT_PCM) {
    if (bits === 16 || bits === 24 || bits === 32) return "int";
    throw new WavFileError(path, "unsupported-format", `${bits}-bit integer PCM is not supported (use 16, 24 or 32-bit)`);
  }
  if (formatCode === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return "float";
    throw new WavFileError(path, "unsupported-format", `${bits}-bit float is not supported (use 32-bit float)`);
  }
  const hexCode = `0x${formatCode.toString(16).padStart(4, "0")}`;
  throw new WavFileError(path, "unsupported-format", `compressed or unknown sample format ${hexCode} (use PCM or float)`);
}

function decodeChannel(
  view: DataView,
  frames: number,
  frameBytes: number,
  channel: number,
  encoding: SampleEncoding,
  bitDepth: number,
  littleEndian: boolean,
): Float32Array {
  const samples = new Float32Array(frames);
  const channelOffset = (channel * bitDepth) / 8;
  if (encoding === "float") {
    for (let i = 0; i < frames; i++) samples[i] = view.getFloat32(i * frameBytes + channelOffset, littleEndian);
    return samples;
  }
  // Integer full scale is 2^(bits-1): -2^(bits-1) maps to -1, the largest code to 1 - 2^-(bits-1).
  const scale = 2 ** -(bitDepth - 1);
  for (let i = 0; i < frames; i++) {
    const offset = i * frameBytes + channelOffset;
    let code: number;
    if (bitDepth === 16) code = view.getInt16(offset, littleEndian);
    else if (bitDepth === 32) code = view.getInt32(offset, littleEndian);
    else code = readInt24(view, offset, littleEndian);
    samples[i] = code * scale;
  }
  return samples;
}

function readInt24(view: DataView, offset: number, littleEndian: boolean): number {
  const b0 = view.getUint8(offset);
  const b1 = view.getUint8(offset + 1);
  const b2 = view.getUint8(offset + 2);
  const unsigned = littleEndian ? b0 | (b1 << 8) | (b2 << 16) : (b0 << 16) | (b1 << 8) | b2;
  return (unsigned << 8) >> 8; // sign-extend from bit 23
}

function encodeFloat32LittleEndian(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) view.setFloat32(i * 4, samples[i], true);
  return bytes;
}
