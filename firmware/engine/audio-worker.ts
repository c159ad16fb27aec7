// The audio worker: owns the audio device and the WASM DSP instance, runs the chain once per
// period, and publishes state, meters and health through SharedState. Commands arrive on a
// MessagePort (one typed protocol, protocol.ts); while the virtual device's clock loop blocks the
// event loop they are polled synchronously between periods.
// Thread: this whole file runs on the audio worker thread.

import { MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { compileDsp, instantiateDsp } from "../dsp/abi.js";
import { applyAudioThreadPriority, describeAudioThreadPriority } from "../system/realtime.js";
import type { AudioBackend } from "./backends/backend.js";
import { VirtualBackend } from "./backends/virtual-backend.js";
import { ChainRuntime, HEAP_RESERVE_BYTES } from "./chain-runtime.js";
import { LoadStatistics } from "./load-statistics.js";
import type { EngineCommand, EngineEvent } from "./protocol.js";
import { SharedState } from "./shared-state.js";

const commands = (workerData as { commands: MessagePort }).commands;
const post = (event: EngineEvent, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(event, transfer);

/** Share of the time left before the next period that background work (prewarm slices) may take. */
const BACKGROUND_SHARE = 0.5;
/** Meters are published at most this often, ms (the UI wants ≥ 20 Hz). */
const METERS_INTERVAL_MS = 20;

let runtime: ChainRuntime | null = null;
let backend: AudioBackend | null = null;
let state: SharedState | null = null;
let load: LoadStatistics | null = null;
let periodMs = 0;
let lastMetersAt = 0;

function onPeriod(input: Float32Array, output: Float32Array): void {
  const started = performance.now();
  runtime!.process(input, output);
  const finished = performance.now();
  const s = state!;
  const loadPercent = ((finished - started) / periodMs) * 100;
  load!.add(loadPercent);
  s.countLoad(loadPercent);
  if (loadPercent > 100) s.addInt("deadlineMisses", 1);
  s.addInt("heartbeat", 1);
  s.setFloat("lastPeriodAtMs", performance.timeOrigin + finished);
  if (finished - lastMetersAt >= METERS_INTERVAL_MS) {
    lastMetersAt = finished;
    publishMeters(s);
  }
}

function publishMeters(s: SharedState): void {
  runtime!.publishMeters(s);
  const stats = load!.summary();
  s.setFloat("dspLoadMeanPercent", stats.mean);
  s.setFloat("dspLoadP99Percent", stats.p99);
  s.setFloat("dspLoadMaxPercent", stats.max);
  s.setInt("xruns", backend!.xruns());
}

/** Between periods: pending commands (when the event loop is blocked), then bounded background work. */
function betweenPeriods(msUntilNextPeriod: number): void {
  for (let message = receiveMessageOnPort(commands); message; message = receiveMessageOnPort(commands)) {
    handle(message.message as EngineCommand);
  }
  const budgetMs = Math.min(msUntilNextPeriod, periodMs) * BACKGROUND_SHARE;
  if (budgetMs > 0) runtime?.background(budgetMs);
}

function done(requestId: number): () => void {
  return () => {
    state?.addInt("slotGeneration", 1);
    post({ type: "done", requestId });
  };
}

function attempt(requestId: number, action: () => void): void {
  try {
    action();
  } catch (error) {
    post({ type: "failed", requestId, message: (error as Error).message });
  }
}

function handle(command: EngineCommand): void {
  switch (command.type) {
    case "start":
      void start(command);
      return;
    case "loadModel":
      attempt(command.requestId, () => runtime!.loadModel(command.data, done(command.requestId)));
      return;
    case "unloadModel":
      attempt(command.requestId, () => runtime!.unloadModel(done(command.requestId)));
      return;
    case "loadIr":
      attempt(command.requestId, () => runtime!.loadIr(command.data, done(command.requestId)));
      return;
    case "unloadIr":
      attempt(command.requestId, () => runtime!.unloadIr(done(command.requestId)));
      return;
    case "setParams":
      runtime!.applyParams(command.params);
      return;
    case "setBypass":
      runtime!.setBypass(command.bypass);
      state!.setInt("bypass", command.bypass ? 1 : 0);
      return;
    case "setTuner":
      runtime!.setTuner(command.active);
      state!.setInt("tunerActive", command.active ? 1 : 0);
      return;
    case "takeRecording": {
      const recording = backend instanceof VirtualBackend ? backend.takeRecording() : { samples: new Float32Array(0), startFrame: 0 };
      post({ type: "recording", requestId: command.requestId, ...recording }, [recording.samples.buffer as ArrayBuffer]);
      return;
    }
    case "stop":
      void stop();
      return;
  }
}

async function start(command: Extract<EngineCommand, { type: "start" }>): Promise<void> {
  try {
    const dsp = instantiateDsp(await compileDsp());
    const { sampleRateHz, periodFrames } = command.config;
    state = new SharedState(command.stateBuffer);
    periodMs = (periodFrames * 1000) / sampleRateHz;
    load = new LoadStatistics(Math.ceil(1000 / periodMs));
    runtime = new ChainRuntime(dsp, { sampleRateHz, maxFrames: periodFrames, heapReserveBytes: HEAP_RESERVE_BYTES }, command.params);
    backend = await createBackend(command);
    state.setInt("sampleRateHz", sampleRateHz);
    state.setInt("periodFrames", periodFrames);
    // Right before audio starts: this thread runs the virtual device's clock (and the DSP).
    if (command.realtime.priority !== null || command.realtime.cpu !== null) {
      const priority = applyAudioThreadPriority(command.realtime);
      post({ type: "notice", level: priority.problems.length > 0 ? "warn" : "info", message: describeAudioThreadPriority(priority) });
    }
    await backend.start(onPeriod);
    state.setInt("running", 1);
    state.setFloat("latencyMs", backend.status().latencyMs);
    post({ type: "started", status: backend.status() });
  } catch (error) {
    post({ type: "fault", message: `audio start failed: ${(error as Error).message}` });
  }
}

async function createBackend(command: Extract<EngineCommand, { type: "start" }>): Promise<AudioBackend> {
  switch (command.backend) {
    case "virtual":
      return new VirtualBackend(command.config, {
        inputSamples: command.virtual?.inputSamples ?? null,
        recordFrames: command.virtual?.recordFrames ?? 0,
        betweenPeriods,
      });
    case "naudiodon": {
      // Loaded only here: the native addon exists on the Pi and on CI, maybe not on a laptop.
      const { NaudiodonBackend } = await import("./backends/naudiodon-backend.js");
      return new NaudiodonBackend(command.config, {
        betweenPeriods,
        realtimePriority: command.realtime.priority ?? 0,
      });
    }
    case "offline":
      throw new Error("the offline backend renders in the calling thread (engine/offline.ts), not in the worker");
  }
}

async function stop(): Promise<void> {
  await backend?.stop();
  state?.setInt("running", 0);
  runtime?.dispose();
  runtime = null;
  commands.close();
  post({ type: "stopped" });
}

commands.on("message", (command: EngineCommand) => handle(command));
