// Test helper, run as a child process by engine-rig.test.ts: the pedal under test, the real
// AudioEngine (its audio worker, naudiodon) with a model and an IR loaded, as the daemon runs it.
// A child process, started with the daemon's UV_THREADPOOL_SIZE, so the test can always end it:
// on the rig, PortAudio's abort has been seen to hang for good now and then (a thread pool thread
// stuck in Pa_AbortStream joining the callback thread), and a worker stuck there never
// terminates, so neither would the test's own process.
// Thread: this process's main thread (the engine's audio worker owns naudiodon).

import type { ChainParams, EngineStatus } from "../../firmware/engine/api.js";
import type { AudioBackendConfig } from "../../firmware/engine/backends/backend.js";
import { AudioEngine, defaultEngineOptions } from "../../firmware/engine/engine.js";
import { loadNamFile } from "../../firmware/nam/load.js";

export type PedalRequest =
  | { type: "start"; device: AudioBackendConfig; params: ChainParams; modelPath: string; ir: Float32Array; irRateHz: number }
  | { type: "status" }
  | { type: "stop" };

export interface PedalStatus {
  status: EngineStatus;
  /** Periods the engine has processed. */
  heartbeat: number;
  /** When this was read, ms on this process's clock. */
  atMs: number;
}

let engine: AudioEngine | null = null;

function pedalStatus(): PedalStatus {
  return { status: engine!.status(), heartbeat: engine!.heartbeat(), atMs: performance.now() };
}

async function handle(request: PedalRequest): Promise<PedalStatus | null> {
  switch (request.type) {
    case "start": {
      const model = await loadNamFile(request.modelPath);
      engine = new AudioEngine({ ...defaultEngineOptions, params: request.params, backend: "naudiodon", device: request.device, virtual: null });
      await engine.start();
      await engine.loadModel({ id: "model", name: request.modelPath, model, slim: null });
      await engine.loadIr({ id: "ir", name: "ir", samples: request.ir, sampleRateHz: request.irRateHz });
      return pedalStatus();
    }
    case "status":
      return pedalStatus();
    case "stop":
      await engine?.stop();
      return null;
  }
}

process.on("message", ({ id, request }: { id: number; request: PedalRequest }) => {
  handle(request).then(
    (result) => process.send!({ id, result }, () => {
      if (request.type === "stop") process.exit(0);
    }),
    (error: unknown) => process.send!({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
