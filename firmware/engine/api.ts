// The audio engine's public API for the rest of the firmware (server, controls, library, CLI).
// Everything here is called on the main thread; the engine talks to its audio worker through
// the typed protocol in protocol.ts and reads state back from shared memory.

import type { Static } from "@sinclair/typebox";
import type { NamModel } from "../nam/model.js";
import type { ChainParamsSchema } from "./params.js";
import type { BackendName } from "./backends/backend.js";

/**
 * Every chain setting a preset stores; the schema in params.ts is the single definition (defaults,
 * ranges, validation). Input calibration adds (interfaceInputDbu − the model's input_level_dbu)
 * dB when the model states its level; normalizeLoudness adds −18 dB − the model's loudness, like
 * the plugin's "Normalized" output.
 */
export type ChainParams = Static<typeof ChainParamsSchema>;

export interface DspLoad {
  /** Percent of the period spent in the DSP, averaged over the last second. */
  mean: number;
  p99: number;
  max: number;
}

export interface LoadedSlot {
  id: string;
  name: string;
  /** Slim ratio a slimmable model runs at; null = full width / not slimmable. */
  slim: number | null;
}

export interface EngineStatus {
  backend: BackendName;
  device: string;
  sampleRate: number;
  periodFrames: number;
  running: boolean;
  xruns: number;
  /** Periods whose processing overran the period's duration. */
  deadlineMisses: number;
  /** Round-trip latency estimate: device buffering + resampler latency, ms. */
  latencyMs: number;
  dspLoad: DspLoad;
  bypass: boolean;
  model: LoadedSlot | null;
  ir: LoadedSlot | null;
  /** Set when the worker reported a fault that it recovered from (restart, device loss). */
  lastError: string | null;
}

export interface TunerReading {
  active: boolean;
  /** Note name with octave, e.g. "E2"; null when no stable pitch. */
  note: string | null;
  cents: number | null;
  frequencyHz: number | null;
  levelDb: number;
}

export interface Meters {
  inputPeakDb: number;
  outputPeakDb: number;
  gateOpen: boolean;
  tuner: TunerReading;
}

export interface ModelLoadRequest {
  id: string;
  name: string;
  model: NamModel;
  /** Slim ratio for slimmable models (A2); null = full width. */
  slim: number | null;
}

export interface IrLoadRequest {
  id: string;
  name: string;
  /** Mono impulse response at any rate; the engine resamples, trims and normalises it. */
  samples: Float32Array;
  sampleRateHz: number;
}

export interface AudioEngineApi {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Prepares the model off the audio path and crossfades to it. Resolves when it is playing. */
  loadModel(request: ModelLoadRequest): Promise<void>;
  /** Crossfades to no model (dry input through the rest of the chain). */
  unloadModel(): Promise<void>;
  loadIr(request: IrLoadRequest): Promise<void>;
  unloadIr(): Promise<void>;
  /** Applies at once (ramped where a jump would click). */
  setParams(params: Partial<ChainParams>): void;
  params(): ChainParams;
  setBypass(bypass: boolean): void;
  /** Tuner on mutes the output and publishes pitch readings in meters(). */
  setTuner(active: boolean): void;
  status(): EngineStatus;
  meters(): Meters;
}
