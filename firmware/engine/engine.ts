// The audio engine service (main thread): starts the audio worker, prepares models and IRs off
// the audio path (compile, resample) and sends them over the one command protocol, reads state
// and meters from shared memory, and restarts the worker if it dies or its audio stalls.

import { EventEmitter } from "node:events";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { compileDsp, instantiateDsp, type DspExports } from "../dsp/abi.js";
import type { TanhMode } from "../dsp/contract.js";
import { noteFromFrequency } from "../dsp/tuner.js";
import { prepareIr, type IrOptions } from "../ir/prepare.js";
import { DEFAULT_AUDIO_RT_PRIORITY } from "../system/realtime.js";
import { settlesWithin } from "../util/settles-within.js";
import type {
  AudioEngineApi, ChainParams, EngineStatus, IrLoadRequest, LoadedSlot, Meters, ModelLoadRequest,
} from "./api.js";
import type { AudioBackendConfig, BackendName, BackendStatus } from "./backends/backend.js";
import { defaultChainParams, mergeChainParams } from "./params.js";
import { prepareModel } from "./prepare-model.js";
import type { EngineCommand, EngineEvent, IrSlotData, ModelSlotData, VirtualDeviceOptions } from "./protocol.js";
import { createSharedStateBuffer, SharedState } from "./shared-state.js";

export interface AudioEngineOptions {
  backend: Exclude<BackendName, "offline">;
  device: AudioBackendConfig;
  /** For the virtual device: what it plays and how much output it keeps. */
  virtual: VirtualDeviceOptions | null;
  tanh: TanhMode;
  params: ChainParams;
  ir: Omit<IrOptions, "deviceRateHz">;
  /** Audio that does not advance for this long counts as stalled and restarts the worker, ms. */
  stallTimeoutMs: number;
  /** SCHED_FIFO priority for the audio worker thread (null = normal scheduling) and CPU pinning. */
  realtime: { priority: number | null; cpu: number | null };
}

export const defaultEngineOptions: Omit<AudioEngineOptions, "backend" | "device" | "virtual"> = {
  tanh: "fast",
  params: defaultChainParams(),
  ir: { maxLengthMs: 500, stereo: "mix" },
  stallTimeoutMs: 1000,
  realtime: { priority: DEFAULT_AUDIO_RT_PRIORITY, cpu: null },
};

export interface EngineEvents {
  /** Something players see changed (model, IR, bypass, tuner, params, running). */
  change: [];
  /** The worker failed and was restarted (or could not be). */
  fault: [message: string];
  /** Worth a log line: what real-time scheduling the audio thread got, and the like. */
  notice: [level: "info" | "warn", message: string];
}

/** How often the main thread checks the audio heartbeat, ms. */
const WATCHDOG_INTERVAL_MS = 250;
/** How long the worker has to stop its audio (the naudiodon backend bounds its own close at 2 s), ms. */
const STOPPED_TIMEOUT_MS = 2500;
/**
 * How long worker.terminate() may take, ms. A worker whose native code never returns (a
 * PortAudio stop stuck on a threadpool thread) never terminates: the engine then leaves it
 * behind, says so, and goes on, so stop() and restarts stay bounded.
 */
const TERMINATE_TIMEOUT_MS = 3000;

export class AudioEngine extends EventEmitter<EngineEvents> implements AudioEngineApi {
  private worker: Worker | null = null;
  private commandPort: MessagePort | null = null;
  private readonly stateBuffer = createSharedStateBuffer();
  private readonly state = new SharedState(this.stateBuffer);
  private control: DspExports | null = null;
  private currentParams: ChainParams;
  private bypass = false;
  private tunerActive = false;
  private model: { request: ModelLoadRequest; slot: LoadedSlot; latencyMs: number } | null = null;
  private ir: { request: IrLoadRequest; slot: LoadedSlot } | null = null;
  private backendStatus: BackendStatus | null = null;
  private nextRequestId = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly lifecycle = new Map<"started" | "stopped", { resolve: (event: EngineEvent) => void; reject: (error: Error) => void }>();
  private watchdog: NodeJS.Timeout | null = null;
  private lastHeartbeat = -1;
  private lastHeartbeatAt = 0;
  private lastError: string | null = null;
  private stopping = false;
  private restarting: Promise<void> | null = null;

  constructor(private readonly options: AudioEngineOptions) {
    super();
    this.currentParams = options.params;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.control ??= instantiateDsp(await compileDsp());
    await this.spawnWorker();
    this.watchdog = setInterval(() => this.checkHeartbeat(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const worker = this.worker;
    if (!worker) return;
    const stopped = this.waitForEvent("stopped", STOPPED_TIMEOUT_MS);
    this.send({ type: "stop" });
    await stopped.catch(() => undefined);
    await this.terminate(worker);
    this.worker = null;
    this.state.setInt("running", 0);
  }

  async loadModel(request: ModelLoadRequest): Promise<void> {
    const data = prepareModel(request, this.timing(), this.options.tanh);
    await this.sendModel(data);
    const latencyMs = data.modelSampleRateHz === this.options.device.sampleRateHz ? 0 : this.resamplerLatencyMs(data.modelSampleRateHz);
    this.model = { request, slot: data.slot, latencyMs };
    this.emit("change");
  }

  async unloadModel(): Promise<void> {
    await this.request((requestId) => ({ type: "unloadModel", requestId }));
    this.model = null;
    this.emit("change");
  }

  async loadIr(request: IrLoadRequest): Promise<void> {
    const data = this.prepareIrSlot(request);
    await this.sendIr(data);
    this.ir = { request, slot: data.slot };
    this.emit("change");
  }

  async unloadIr(): Promise<void> {
    await this.request((requestId) => ({ type: "unloadIr", requestId }));
    this.ir = null;
    this.emit("change");
  }

  setParams(update: Partial<ChainParams>): void {
    this.currentParams = mergeChainParams(this.currentParams, update);
    this.send({ type: "setParams", params: this.currentParams });
    this.emit("change");
  }

  params(): ChainParams {
    return this.currentParams;
  }

  setBypass(bypass: boolean): void {
    this.bypass = bypass;
    this.send({ type: "setBypass", bypass });
    this.emit("change");
  }

  setTuner(active: boolean): void {
    this.tunerActive = active;
    this.send({ type: "setTuner", active });
    this.emit("change");
  }

  status(): EngineStatus {
    const s = this.state;
    return {
      backend: this.options.backend,
      device: this.backendStatus?.device ?? "",
      sampleRate: this.options.device.sampleRateHz,
      periodFrames: this.options.device.periodFrames,
      running: s.getInt("running") === 1,
      xruns: s.getInt("xruns"),
      deadlineMisses: s.getInt("deadlineMisses"),
      latencyMs: s.getFloat("latencyMs") + (this.model?.latencyMs ?? 0),
      dspLoad: {
        mean: s.getFloat("dspLoadMeanPercent"),
        p99: s.getFloat("dspLoadP99Percent"),
        max: s.getFloat("dspLoadMaxPercent"),
      },
      bypass: this.bypass,
      model: this.model?.slot ?? null,
      ir: this.ir?.slot ?? null,
      lastError: this.lastError,
    };
  }

  meters(): Meters {
    const s = this.state;
    const frequencyHz = s.getFloat("tunerFrequencyHz");
    const position = this.tunerActive && frequencyHz > 0 ? noteFromFrequency(frequencyHz) : null;
    return {
      inputPeakDb: s.getFloat("inputPeakDb"),
      outputPeakDb: s.getFloat("outputPeakDb"),
      gateOpen: s.getInt("gateOpen") === 1,
      tuner: {
        active: this.tunerActive,
        note: position?.note ?? null,
        cents: position?.cents ?? null,
        frequencyHz: position ? frequencyHz : null,
        levelDb: s.getFloat("tunerLevelDb"),
      },
    };
  }

  /** DSP load (% of the period) that `fraction` of all periods since start stayed under. */
  loadPercentile(fraction: number): number {
    return this.state.loadPercentile(fraction);
  }

  /** Periods processed since start (the systemd watchdog feeds on this moving). */
  heartbeat(): number {
    return this.state.getInt("heartbeat");
  }

  /** The virtual device's recorded output and its stream position (tests, CLI). Empty for other backends. */
  async takeRecording(): Promise<{ samples: Float32Array; startFrame: number }> {
    const event = await this.request((requestId) => ({ type: "takeRecording", requestId }));
    const { samples, startFrame } = event as Extract<EngineEvent, { type: "recording" }>;
    return { samples, startFrame };
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private timing() {
    return { sampleRateHz: this.options.device.sampleRateHz, periodFrames: this.options.device.periodFrames };
  }

  /** Round-trip latency of the resamplers around a model at `modelRateHz` (measured on the control instance). */
  private resamplerLatencyMs(modelRateHz: number): number {
    const dsp = this.control!;
    const device = this.options.device.sampleRateHz;
    const probe = (from: number, to: number) => {
      const ptr = dsp.alloc(dsp.resamplerBytes(from, to));
      dsp.resamplerInit(ptr, from, to);
      const frames = dsp.resamplerLatencyFrames(ptr);
      dsp.free(ptr);
      return frames;
    };
    const frames = (probe(device, modelRateHz) * device) / modelRateHz + probe(modelRateHz, device) + 4;
    return (frames * 1000) / device;
  }

  private prepareIrSlot(request: IrLoadRequest): IrSlotData {
    const samples = prepareIr(
      this.control!,
      { samples: request.samples, sampleRateHz: request.sampleRateHz },
      { ...this.options.ir, deviceRateHz: this.options.device.sampleRateHz },
      request.name,
    );
    return { slot: { id: request.id, name: request.name, slim: null }, samples };
  }

  private sendModel(data: ModelSlotData): Promise<unknown> {
    return this.request((requestId) => ({ type: "loadModel", requestId, data }),
      [data.image.bytes.buffer as ArrayBuffer, data.image.relocations.buffer as ArrayBuffer]);
  }

  private sendIr(data: IrSlotData): Promise<unknown> {
    return this.request((requestId) => ({ type: "loadIr", requestId, data }), [data.samples.buffer as ArrayBuffer]);
  }

  private async spawnWorker(): Promise<void> {
    const channel = new MessageChannel();
    const worker = new Worker(new URL("./audio-worker.js", import.meta.url), {
      workerData: { commands: channel.port2 },
      transferList: [channel.port2],
    });
    this.worker = worker;
    this.commandPort = channel.port1;
    worker.on("message", (event: EngineEvent) => this.onEvent(event));
    worker.on("error", (error) => this.onWorkerDeath(`audio worker crashed: ${error.message}`));
    worker.on("exit", (code) => {
      if (!this.stopping && this.worker === worker) this.onWorkerDeath(`audio worker exited with code ${code}`);
    });
    const started = this.waitForEvent("started", 10_000);
    this.send({
      type: "start",
      backend: this.options.backend,
      config: this.options.device,
      virtual: this.options.virtual,
      params: this.currentParams,
      stateBuffer: this.stateBuffer,
      realtime: this.options.realtime,
    });
    const event = await started;
    this.backendStatus = (event as Extract<EngineEvent, { type: "started" }>).status;
    this.lastHeartbeat = -1;
    if (this.bypass) this.send({ type: "setBypass", bypass: true });
    if (this.tunerActive) this.send({ type: "setTuner", active: true });
    this.emit("change");
  }

  /** Brings audio back after a crash or stall: new worker, same params, model and IR. */
  private onWorkerDeath(message: string): void {
    if (this.stopping || this.restarting) return;
    this.lastError = message;
    this.emit("fault", message);
    for (const { reject } of this.waiting.values()) reject(new Error(message));
    this.waiting.clear();
    const old = this.worker;
    this.worker = null;
    this.state.setInt("running", 0);
    this.restarting = (async () => {
      if (old) await this.terminate(old);
      await this.spawnWorker();
      if (this.model) await this.sendModel(prepareModel(this.model.request, this.timing(), this.options.tanh));
      if (this.ir) await this.sendIr(this.prepareIrSlot(this.ir.request));
    })()
      .catch((error: Error) => {
        this.emit("fault", `audio restart failed: ${error.message}`);
      })
      .finally(() => {
        this.restarting = null;
      });
  }

  /** Terminates a worker, waiting at most TERMINATE_TIMEOUT_MS; one still running is left behind, unreferenced. */
  private async terminate(worker: Worker): Promise<void> {
    if (!(await settlesWithin(worker.terminate(), TERMINATE_TIMEOUT_MS))) {
      // Its thread is blocked in native code and may never end; it must not keep the process alive.
      worker.unref();
      this.emit("notice", "warn", `audio worker did not terminate within ${TERMINATE_TIMEOUT_MS} ms (stuck in native code); left behind`);
    }
  }

  private checkHeartbeat(): void {
    if (!this.worker || this.restarting || this.state.getInt("running") !== 1) return;
    const beat = this.state.getInt("heartbeat");
    const now = performance.now();
    if (beat !== this.lastHeartbeat) {
      this.lastHeartbeat = beat;
      this.lastHeartbeatAt = now;
    } else if (now - this.lastHeartbeatAt > this.options.stallTimeoutMs) {
      this.onWorkerDeath(`audio stalled for ${Math.round(now - this.lastHeartbeatAt)} ms`);
    }
  }

  private onEvent(event: EngineEvent): void {
    switch (event.type) {
      case "done":
      case "recording":
        this.waiting.get(event.requestId)?.resolve(event);
        this.waiting.delete(event.requestId);
        return;
      case "failed":
        this.waiting.get(event.requestId)?.reject(new Error(event.message));
        this.waiting.delete(event.requestId);
        return;
      case "fault":
        this.lastError = event.message;
        this.emit("fault", event.message);
        // A fault while starting fails the start.
        this.lifecycle.get("started")?.reject(new Error(event.message));
        this.lifecycle.delete("started");
        return;
      case "notice":
        this.emit("notice", event.level, event.message);
        return;
      case "started":
      case "stopped":
        this.lifecycle.get(event.type)?.resolve(event);
        this.lifecycle.delete(event.type);
        return;
    }
  }

  private waitForEvent(type: "started" | "stopped", timeoutMs: number): Promise<EngineEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lifecycle.delete(type);
        reject(new Error(`audio worker: no "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.lifecycle.set(type, {
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private request(make: (requestId: number) => EngineCommand, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (!this.worker) return Promise.reject(new Error("the audio engine is not running"));
    const requestId = this.nextRequestId++;
    const promise = new Promise((resolve, reject) => this.waiting.set(requestId, { resolve, reject }));
    this.send(make(requestId), transfer);
    return promise;
  }

  private send(command: EngineCommand, transfer: ArrayBuffer[] = []): void {
    this.commandPort?.postMessage(command, transfer);
  }
}
