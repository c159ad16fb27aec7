// The one message protocol between the main thread and the audio worker. Commands carry ready
// data (compiled program images, resampled IRs) so the worker only copies and swaps. Messages
// travel per command, never per period; state comes back through SharedState.

import type { ProgramImage } from "../dsp/program-builder.js";
import type { ChainParams, LoadedSlot } from "./api.js";
import type { AudioBackendConfig, BackendName, BackendStatus } from "./backends/backend.js";

export interface VirtualDeviceOptions {
  /** Mono float samples at the device rate played as the input, looped; null = silence. */
  inputSamples: Float32Array | null;
  /** Keep the last N output frames for tests and the CLI (0 = discard). */
  recordFrames: number;
}

export interface ModelSlotData {
  slot: LoadedSlot;
  image: ProgramImage;
  prewarmFrames: number;
  /** The model's own rate; the chain resamples around the model when it differs from the device. */
  modelSampleRateHz: number;
  loudnessDb: number | null;
  inputLevelDbu: number | null;
}

export interface IrSlotData {
  slot: LoadedSlot;
  /** Mono IR at the device rate, trimmed, faded and normalised by the control side. */
  samples: Float32Array;
}

export type EngineCommand =
  | {
    type: "start";
    backend: BackendName;
    config: AudioBackendConfig;
    virtual: VirtualDeviceOptions | null;
    params: ChainParams;
    stateBuffer: SharedArrayBuffer;
    /** SCHED_FIFO priority (null = leave) and CPU pinning (null = any) for the audio thread. */
    realtime: { priority: number | null; cpu: number | null };
  }
  | { type: "loadModel"; requestId: number; data: ModelSlotData }
  | { type: "unloadModel"; requestId: number }
  | { type: "loadIr"; requestId: number; data: IrSlotData }
  | { type: "unloadIr"; requestId: number }
  | { type: "setParams"; params: ChainParams }
  | { type: "setBypass"; bypass: boolean }
  | { type: "setTuner"; active: boolean }
  | { type: "takeRecording"; requestId: number }
  | { type: "stop" };

export type EngineEvent =
  | { type: "started"; status: BackendStatus }
  | { type: "done"; requestId: number }
  | { type: "failed"; requestId: number; message: string }
  | { type: "recording"; requestId: number; samples: Float32Array; startFrame: number }
  | { type: "fault"; message: string }
  /** Something worth a log line that is not a fault (e.g. what real-time scheduling took). */
  | { type: "notice"; level: "info" | "warn"; message: string }
  | { type: "stopped" };
