// The IR library: uploaded cabinet impulse responses (WAV) in <data>/irs, checked when uploaded
// — a readable WAV within bounds that the engine's own preparation accepts (finite, not silent,
// a rate it can convert to the device's) — and read back as engine load requests. Problems name
// the uploaded file, never the stored path. Decoded IRs of recent loads are kept for quick
// preset switching. Main thread.

import { Type, type Static } from "@sinclair/typebox";
import type { DspExports } from "../dsp/abi.js";
import type { IrLoadRequest } from "../engine/api.js";
import { IrFileError, prepareIr, readIrFile, type IrOptions, type IrRecording } from "../ir/prepare.js";
import { WavFileError } from "../util/wav.js";
import { RecentlyUsed, UploadLibrary, type LibraryEntry } from "./upload-library.js";

const IrSummarySchema = Type.Object({
  sampleRateHz: Type.Integer({ minimum: 1 }),
  /** Frames of the (mono) IR as stored, before the engine trims it. */
  frames: Type.Integer({ minimum: 1 }),
  durationMs: Type.Number({ minimum: 0 }),
});

export type IrSummary = Static<typeof IrSummarySchema>;
export type IrEntry = LibraryEntry<IrSummary>;

export interface IrLibraryDeps {
  /** <data>/irs */
  directory: string;
  /** How the engine prepares IRs (device rate, length, stereo handling): uploads are checked the same way. */
  prepare: IrOptions;
  /** A main-thread DSP instance for that check. */
  dsp: DspExports;
  log: { warn(message: string): void };
}

/** Decoded IRs kept in memory (at most 10 s each; typically well under a second). */
const DECODED_IRS_KEPT = 8;

export class IrLibrary {
  private readonly files: UploadLibrary<IrSummary>;
  private readonly decoded = new RecentlyUsed<IrRecording>(DECODED_IRS_KEPT);

  constructor(private readonly deps: IrLibraryDeps) {
    this.files = new UploadLibrary<IrSummary>({
      directory: deps.directory, extension: ".wav", noun: "IR", summarySchema: IrSummarySchema, log: deps.log,
    });
  }

  async start(): Promise<void> {
    await this.files.start();
  }

  async stop(): Promise<void> {
    this.decoded.clear();
    await this.files.stop();
  }

  list(): IrEntry[] {
    return this.files.list();
  }

  get(id: string): IrEntry {
    return this.files.get(id);
  }

  filePath(id: string): string {
    return this.files.filePath(id);
  }

  /** Stores an uploaded WAV under a new id; one the engine could not play (WavFileError, IrFileError) is not kept. */
  add(bytes: Uint8Array, originalFileName: string): Promise<IrEntry> {
    return this.files.add(bytes, originalFileName, async (path) => {
      const recording = await this.read(path, originalFileName);
      this.checkPlayable(recording, originalFileName);
      const frames = recording.samples.length;
      return { sampleRateHz: recording.sampleRateHz, frames, durationMs: (frames * 1000) / recording.sampleRateHz };
    });
  }

  rename(id: string, name: string): Promise<IrEntry> {
    return this.files.rename(id, name);
  }

  async remove(id: string): Promise<void> {
    await this.files.remove(id);
    this.decoded.delete(id);
  }

  async loadRequest(id: string): Promise<IrLoadRequest> {
    const entry = this.get(id);
    let recording = this.decoded.get(id);
    if (recording === undefined) {
      recording = await readIrFile(this.filePath(id), this.deps.prepare.stereo);
      this.decoded.set(id, recording);
    }
    // The engine reads the samples into buffers of its own (resampled, trimmed, normalised): sharing them is safe.
    return { id, name: entry.name, samples: recording.samples, sampleRateHz: recording.sampleRateHz };
  }

  /** Reads the stored upload; problems are reported against the uploaded file's name. */
  private async read(path: string, originalFileName: string): Promise<IrRecording> {
    try {
      return await readIrFile(path, this.deps.prepare.stereo);
    } catch (error) {
      if (error instanceof WavFileError) throw new WavFileError(originalFileName, error.code, error.reason);
      if (error instanceof IrFileError) throw new IrFileError(originalFileName, error.reason);
      throw error;
    }
  }

  /** Runs the engine's preparation (resample, trim, normalise) once, so an IR it would refuse is refused now. */
  private checkPlayable(recording: IrRecording, originalFileName: string): void {
    const deviceRateHz = this.deps.prepare.deviceRateHz;
    try {
      prepareIr(this.deps.dsp, recording, this.deps.prepare, originalFileName);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new IrFileError(originalFileName, `sample rate ${recording.sampleRateHz} Hz cannot be converted to the device's ${deviceRateHz} Hz (${error.message})`);
    }
  }
}
