// The model library: uploaded `.nam` files in <data>/models, validated before they are stored,
// described once (class, weights, cost inputs, metadata), and turned into engine load requests at
// the width the real-time budget admits. Parsed models of recent loads are kept so stepping
// through presets does not parse the same file again. Main thread.

import { readFile } from "node:fs/promises";
import { Type } from "@sinclair/typebox";
import { modelRunRateHz } from "../engine/prepare-model.js";
import type { DspExports } from "../dsp/abi.js";
import { Resampler } from "../dsp/chain/index.js";
import { unsupportedFeatures } from "../dsp/index.js";
import type { ModelLoadRequest } from "../engine/api.js";
import { describeModel, NamFileError, parseNamText, type ModelSummary, type NamModel } from "../nam/index.js";
import { RecentlyUsed, UploadLibrary, type LibraryEntry } from "./upload-library.js";

export type ModelEntry = LibraryEntry<ModelSummary>;

/** Decides the width a model runs at here; throws (with the reason and what fits) when it does not fit. */
export interface ModelAdmission {
  /** @param requestedSlim a slim ratio asked for; null = the widest width that fits. Returns the slim ratio to run. */
  admit(summary: ModelSummary, requestedSlim: number | null): number | null;
}

export interface ModelLibraryDeps {
  /** <data>/models */
  directory: string;
  admission: ModelAdmission;
  /** The device rate, and a main-thread DSP instance to check a model at another rate can be resampled. */
  deviceRateHz: number;
  dsp: DspExports;
  log: { warn(message: string): void };
}

export interface ValidatedModel {
  model: NamModel;
  summary: ModelSummary;
}

/** Parsed models kept in memory (a few hundred kB each at most for the presets in use). */
const PARSED_MODELS_KEPT = 8;

/** The fields of a stored summary the firmware reads back (the rest is shown as it is). */
const StoredSummarySchema = Type.Object({
  architecture: Type.String(),
  class: Type.String(),
  label: Type.String(),
  weights: Type.Integer({ minimum: 0 }),
  multiplyAddsPerSample: Type.Number({ minimum: 0 }),
  sampleRate: Type.Union([Type.Number(), Type.Null()]),
  metadata: Type.Object({}),
  slimWidths: Type.Optional(Type.Array(Type.Object({
    ratioMin: Type.Number(), ratioMax: Type.Number(), channels: Type.Array(Type.Integer()), multiplyAddsPerSample: Type.Number(),
  }))),
});

export class ModelLibrary {
  private readonly files: UploadLibrary<ModelSummary>;
  private readonly parsed = new RecentlyUsed<NamModel>(PARSED_MODELS_KEPT);

  constructor(private readonly deps: ModelLibraryDeps) {
    this.files = new UploadLibrary<ModelSummary>({
      directory: deps.directory, extension: ".nam", noun: "model", summarySchema: StoredSummarySchema, log: deps.log,
    });
  }

  async start(): Promise<void> {
    await this.files.start();
  }

  async stop(): Promise<void> {
    this.parsed.clear();
    await this.files.stop();
  }

  list(): ModelEntry[] {
    return this.files.list();
  }

  get(id: string): ModelEntry {
    return this.files.get(id);
  }

  filePath(id: string): string {
    return this.files.filePath(id);
  }

  /**
   * Checks an upload without storing it: UTF-8 JSON, a valid `.nam` (NamFileError names the field),
   * a model this DSP can run and at a rate the engine can resample to and from the device's
   * (NamFileError "not-supported").
   */
  validateUpload(bytes: Uint8Array, originalFileName: string): ValidatedModel {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new NamFileError(originalFileName, "", "json", "the file is not UTF-8 text");
    }
    const model = parseNamText(text, originalFileName);
    const missing = unsupportedFeatures(model);
    if (missing.length > 0) throw new NamFileError(originalFileName, "", "not-supported", `not supported yet: ${missing.join(", ")}`);
    this.checkResamplable(model, originalFileName);
    return { model, summary: describeModel(model) };
  }

  /** Stores a validated upload under a new id. */
  async add(bytes: Uint8Array, originalFileName: string, validated: ValidatedModel): Promise<ModelEntry> {
    const entry = await this.files.add(bytes, originalFileName, async () => validated.summary);
    this.parsed.set(entry.id, validated.model);
    return entry;
  }

  rename(id: string, name: string): Promise<ModelEntry> {
    return this.files.rename(id, name);
  }

  async remove(id: string): Promise<void> {
    await this.files.remove(id);
    this.parsed.delete(id);
  }

  /** The engine's load request for a model, at the width the budget admits (throws when it does not fit). */
  async loadRequest(id: string, requestedSlim: number | null): Promise<ModelLoadRequest> {
    const entry = this.get(id);
    const slim = this.deps.admission.admit(entry.summary, requestedSlim);
    return { id, name: entry.name, model: await this.model(id), slim };
  }

  private async model(id: string): Promise<NamModel> {
    const cached = this.parsed.get(id);
    if (cached !== undefined) return cached;
    const model = parseNamText(await readFile(this.filePath(id), "utf8"), this.get(id).originalFileName);
    this.parsed.set(id, model);
    return model;
  }

  /** Builds (and frees) the two resamplers the engine would put around the model: the same limits, checked now. */
  private checkResamplable(model: NamModel, originalFileName: string): void {
    const modelRateHz = modelRunRateHz(model.sampleRate);
    const { deviceRateHz, dsp } = this.deps;
    if (modelRateHz === deviceRateHz) return;
    try {
      new Resampler(dsp, deviceRateHz, modelRateHz).dispose();
      new Resampler(dsp, modelRateHz, deviceRateHz).dispose();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new NamFileError(originalFileName, "sample_rate", "not-supported", `${modelRateHz} Hz cannot be resampled to and from the device's ${deviceRateHz} Hz (${error.message})`);
    }
  }
}
