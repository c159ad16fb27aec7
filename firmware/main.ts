// The daemon: the one place that builds every service from the settings, wires them together and
// owns their lifecycle — started in dependency order (calibration before audio, audio before the
// presets that load into it, everything before the server that exposes it), stopped in reverse.
// `namstomp start` (cli/start.ts) runs it and turns SIGTERM/SIGINT into stop(). Main thread.

import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { DspBudget } from "./budget/model-budget.js";
import type { CalibrationPoint } from "./budget/calibration.js";
import { identifyMachine, type MachineIdentity } from "./budget/machine.js";
import { findPackageRoot } from "./cli/package-root.js";
import { SettingsError } from "./config/load-settings.js";
import type { Settings } from "./config/settings-schema.js";
import { StageActions, type ModelCycler } from "./controls/actions.js";
import { chooseGpioBackend } from "./controls/backends.js";
import { detectBoard, type BoardInfo } from "./controls/board.js";
import { systemClock } from "./controls/clock.js";
import { resolveFootswitchConfig } from "./controls/footswitch-config.js";
import { FootswitchService, type ControlsLog } from "./controls/footswitch-service.js";
import type { GpioBackend } from "./controls/gpio-backend.js";
import { KeyboardFootswitch, type KeyboardInput } from "./controls/keyboard-footswitch.js";
import type { AudioBackendConfig } from "./engine/backends/backend.js";
import { loadDsp, type DspCore } from "./dsp/index.js";
import { NAUDIODON_MIN_THREADPOOL_SIZE } from "./engine/backends/naudiodon-addon.js";
import { AudioEngine, defaultEngineOptions } from "./engine/engine.js";
import { IrLibrary } from "./library/irs.js";
import { ModelLibrary } from "./library/models.js";
import { PresetStore } from "./library/presets.js";
import type { AppDeps } from "./server/app.js";
import { LiveHub } from "./server/live-hub.js";
import { buildServer } from "./server/server.js";
import { StageView } from "./server/stage-view.js";
import { SystemHealth } from "./server/system-health.js";
import { heartbeatMoved, SystemdNotifier, type SystemdEnvironment } from "./system/sd-notify.js";
import { readWavMono } from "./util/wav.js";

export interface DaemonOptions {
  settings: Settings;
  /** systemd's notification variables (from the config loader). */
  systemd: SystemdEnvironment;
  /** libuv's pool size this process started with (naudiodon needs NAUDIODON_MIN_THREADPOOL_SIZE). */
  uvThreadpoolSize: number;
  logger: Logger;
  /** Stand-ins at the hardware boundaries, for tests and demos. */
  overrides?: {
    /** Instead of the board's GPIO backend (tests press switches on a MockGpioBackend). */
    gpioBackend?: GpioBackend;
    /** Instead of measuring (or reading the cache): these DSP speeds. */
    fixedCalibration?: CalibrationPoint[];
    /** The terminal the keyboard footswitch reads; null: none. Default: stdin. */
    keyboard?: KeyboardInput | null;
  };
}

/** The mute ramp is 8 ms; a few periods more and the output is silent before the device closes. */
const FADE_OUT_MS = 30;

interface StopStep {
  name: string;
  stop(): Promise<void>;
}

/** A service of a running daemon; asking before start() is a programming error. */
function started<T>(service: T | null): T {
  if (service === null) throw new Error("the daemon is not started");
  return service;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export class Daemon {
  private readonly stopSteps: StopStep[] = [];
  private server: FastifyInstance | null = null;
  private footswitchService: FootswitchService | null = null;
  private audio: AudioEngine | null = null;
  private listeningUrl: string | null = null;
  /** Milliseconds from process start until audio ran with the last preset restored (after start). */
  startToSoundMs: number | null = null;

  constructor(private readonly options: DaemonOptions) {}

  /** Starts every service; on failure, call stop() to release what did start. */
  async start(): Promise<void> {
    const { settings, logger: log } = this.options;
    const version = findPackageRoot().version;
    const notifier = new SystemdNotifier({ env: this.options.systemd, log });
    await this.startService("systemd notifier", notifier);
    await mkdir(settings.dataDir, { recursive: true });
    const board = await detectBoard();
    const machine = identifyMachine(board.model);
    log.info(`namstomp ${version} on ${machine.board ?? machine.shortName}; data in ${settings.dataDir}`);

    // One DSP instance on the main thread: calibration, and checking uploads the way the engine prepares them.
    const dsp = await loadDsp();
    // Before audio: the calibration would take the CPU from the audio worker, and be disturbed by it.
    const budget = await this.startBudget(dsp, machine, version);
    const engine = await this.startAudio();
    const audioRunningMs = performance.now();
    const deviceRateHz = settings.audio.sampleRateHz;
    const models = new ModelLibrary({ directory: join(settings.dataDir, "models"), admission: budget, deviceRateHz, dsp: dsp.exports, log });
    const irs = new IrLibrary({
      directory: join(settings.dataDir, "irs"),
      prepare: { deviceRateHz, maxLengthMs: settings.ir.maxLengthMs, stereo: settings.ir.stereo },
      dsp: dsp.exports,
      log,
    });
    await this.startService("model library", models);
    await this.startService("IR library", irs);
    // Brings the last preset back through the engine.
    const presets = new PresetStore({
      filePath: join(settings.dataDir, "presets.json"),
      engine,
      resolveModel: (modelId, slim) => models.loadRequest(modelId, slim),
      resolveIr: (irId) => irs.loadRequest(irId),
      log,
    });
    await this.startService("presets", presets);
    // Start to sound: process start (performance's time origin) → audio running with the last preset.
    this.startToSoundMs = performance.now();
    const playing = engine.status();
    const restored = playing.model === null && playing.ir === null ? "no model or IR" : `playing ${[playing.model?.name, playing.ir?.name].filter(Boolean).join(" + ")}`;
    log.info(`start to sound: ${formatSeconds(this.startToSoundMs)} (audio running at ${formatSeconds(audioRunningMs)}; ${restored})`);

    const health = new SystemHealth({ board: machine.board ?? machine.shortName, version });
    await this.startService("system health", health);
    const view = new StageView({ engine, models, irs, presets, budget, health });
    const hub = new LiveHub({ view, engine, presets, log });
    await this.startService("live updates", hub);
    const controls = await this.startControls({ engine, models, presets, hub, board });

    const server = await buildServer({
      engine, models, irs, presets, budget, view, hub, ...controls,
      uploadLimits: { modelBytes: settings.server.maxModelUploadMiB * 2 ** 20, irBytes: settings.server.maxIrUploadMiB * 2 ** 20 },
      webUiDirectory: fileURLToPath(new URL("../web-ui/", import.meta.url)),
      security: { dataDir: settings.dataDir, configuredPinHash: settings.security.pinHash, hostnames: settings.security.hostnames },
    }, log);
    this.server = server;
    // In-flight requests (an upload being written) finish; new ones get 503; WebSockets close.
    this.stopSteps.push({ name: "HTTP server", stop: () => server.close() });
    await server.listen({ host: settings.server.host, port: settings.server.port });
    // Listening on a TCP port: address() is an AddressInfo.
    const address = server.server.address() as AddressInfo;
    this.listeningUrl = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

    const status = engine.status();
    log.info(`namstomp ready: ${this.listeningUrl} · audio ${status.backend} (${status.device}), ${status.sampleRate} Hz, ${status.periodFrames} frames · models may use ${settings.budget.maxModelLoadPercent} % of the period`);
    await notifier.ready(`audio on ${status.device}; web UI on port ${address.port}`);
    notifier.startWatchdog(heartbeatMoved(() => engine.heartbeat()));
    this.stopSteps.push({ name: "systemd stopping", stop: async () => void (await notifier.stopping()) });
  }

  /** Stops what started, in reverse order; a step that fails is logged and the others still run. */
  async stop(): Promise<void> {
    const log = this.options.logger;
    for (let step = this.stopSteps.pop(); step !== undefined; step = this.stopSteps.pop()) {
      try {
        await step.stop();
      } catch (error) {
        log.error(`stopping ${step.name}: ${(error as Error).message}`);
      }
    }
    this.server = null;
    this.audio = null;
    this.footswitchService = null;
    log.info("namstomp stopped");
  }

  /** http://address:port the server listens on (after start). */
  get url(): string {
    return started(this.listeningUrl);
  }

  /** The fastify instance (tests inject requests into it). */
  get http(): FastifyInstance {
    return started(this.server);
  }

  get engine(): AudioEngine {
    return started(this.audio);
  }

  get footswitches(): FootswitchService {
    return started(this.footswitchService);
  }

  private async startBudget(dsp: DspCore, machine: MachineIdentity, version: string): Promise<DspBudget> {
    const { settings, logger: log, overrides = {} } = this.options;
    const budget = new DspBudget({
      dsp,
      dataDir: settings.dataDir,
      machine,
      namstompVersion: version,
      settings: {
        sampleRateHz: settings.audio.sampleRateHz,
        periodFrames: settings.audio.periodFrames,
        tanh: settings.audio.tanh,
        maxModelLoadPercent: settings.budget.maxModelLoadPercent,
        calibrationMsPerShape: settings.budget.calibrationMsPerShape,
      },
      log,
      ...(overrides.fixedCalibration && { fixedCalibration: overrides.fixedCalibration }),
    });
    await this.startService("DSP budget", budget);
    return budget;
  }

  /** Footswitches (GPIO or the mock), the keyboard in a terminal, and the stage actions they and the page run. */
  private async startControls(deps: { engine: AudioEngine; models: ModelLibrary; presets: PresetStore; hub: LiveHub; board: BoardInfo }): Promise<Pick<AppDeps, "stageActions" | "footswitches">> {
    const { settings, logger: log, overrides = {} } = this.options;
    const { engine, models, presets, hub, board } = deps;
    const config = resolveFootswitchConfig(settings.controls.footswitches, "/controls/footswitches");
    const switchCount = config.layout.switches.length;
    // Footswitch problems (an action that failed) also reach the phone.
    const controlsLog: ControlsLog = {
      info: (message) => log.info(message),
      warn: (message) => {
        log.warn(message);
        hub.notice("warn", message);
      },
      error: (message) => {
        log.error(message);
        hub.notice("error", message);
      },
    };
    const gpio = overrides.gpioBackend
      ?? await chooseGpioBackend(config.backend, { clock: systemClock, log: controlsLog, detect: async () => board });
    const stageActions = new StageActions({
      engine,
      presets,
      models: modelCycler(engine, models),
      onBankChanged: () => footswitches.indicateBankChange(),
    });
    const footswitches = new FootswitchService({ config, backend: gpio, actions: stageActions, engine, clock: systemClock, log: controlsLog });
    await this.startService("footswitches", footswitches);
    this.footswitchService = footswitches;
    const keyboardInput = overrides.keyboard === undefined ? process.stdin : overrides.keyboard;
    if (settings.controls.keyboard && keyboardInput !== null) {
      const keyboard = new KeyboardFootswitch({
        input: keyboardInput, footswitches, switchCount, onInterrupt: () => process.kill(process.pid, "SIGINT"), log: controlsLog,
      });
      await this.startService("keyboard footswitch", keyboard);
    }
    return { stageActions, footswitches: { switchCount, virtualPress: (number, gesture) => footswitches.virtualPress(number, gesture) } };
  }

  private async startService(name: string, service: { start(): Promise<void>; stop(): Promise<void> }): Promise<void> {
    await service.start();
    this.stopSteps.push({ name, stop: () => service.stop() });
  }

  /**
   * The audio engine on the configured device. "auto" first opens the sound card in a child
   * process (naudiodon may be loaded by one thread per process, and a failed open can take its
   * process down) and falls back to the virtual device, saying why.
   */
  private async startAudio(): Promise<AudioEngine> {
    const { settings, logger: log } = this.options;
    let backend: "naudiodon" | "virtual" = settings.audio.backend === "auto" ? "naudiodon" : settings.audio.backend;
    if (backend === "naudiodon" && this.options.uvThreadpoolSize < NAUDIODON_MIN_THREADPOOL_SIZE) {
      log.warn(`audio: UV_THREADPOOL_SIZE is ${this.options.uvThreadpoolSize}; naudiodon needs at least ${NAUDIODON_MIN_THREADPOOL_SIZE} (set it in the service's environment)`);
    }
    if (settings.audio.backend === "auto") {
      const problem = await probeSoundCard(this.deviceConfig());
      if (problem !== null) {
        log.warn(`audio: no usable sound card (${problem}); using the virtual device instead: no sound in or out`);
        backend = "virtual";
      }
    }
    const inputWav = settings.audio.virtualInputWav;
    const virtualInput = backend === "virtual" && inputWav !== null ? await this.readVirtualInput(inputWav) : null;
    const engine = this.createEngine(backend, virtualInput);
    this.audio = engine;
    // What real-time scheduling the audio thread got, worker restarts and faults: words for the log.
    engine.on("notice", (level, message) => log[level](`audio: ${message}`));
    engine.on("fault", (message) => log.error(`audio: ${message}`));
    // Stopped with a short fade: the tuner's click-free output mute, then the device closes.
    this.stopSteps.push({
      name: "audio",
      stop: async () => {
        engine.setTuner(true);
        await new Promise((resolve) => setTimeout(resolve, FADE_OUT_MS));
        await engine.stop();
      },
    });
    await engine.start();
    return engine;
  }

  private deviceConfig(): AudioBackendConfig {
    const { audio } = this.options.settings;
    return {
      sampleRateHz: audio.sampleRateHz,
      periodFrames: audio.periodFrames,
      deviceName: audio.deviceName,
      inputChannel: audio.inputChannel,
      outputChannels: audio.outputChannels,
    };
  }

  private createEngine(backend: "naudiodon" | "virtual", virtualInput: Float32Array | null): AudioEngine {
    const { audio, ir } = this.options.settings;
    return new AudioEngine({
      ...defaultEngineOptions,
      backend,
      device: this.deviceConfig(),
      virtual: backend === "virtual" ? { inputSamples: virtualInput, recordFrames: 0 } : null,
      tanh: audio.tanh,
      ir: { maxLengthMs: ir.maxLengthMs, stereo: ir.stereo },
    });
  }

  private async readVirtualInput(path: string): Promise<Float32Array> {
    const wav = await readWavMono(path);
    const rate = this.options.settings.audio.sampleRateHz;
    if (wav.sampleRate !== rate) {
      throw new SettingsError(`/audio/virtualInputWav: ${path} is at ${wav.sampleRate} Hz; the device runs at ${rate} Hz`);
    }
    return wav.samples;
  }
}

/** model-next on a footswitch: the next model of the library (by name) that fits the budget. */
function modelCycler(engine: AudioEngine, models: ModelLibrary): ModelCycler {
  return {
    async nextModel() {
      const entries = models.list();
      if (entries.length === 0) throw new Error("model-next: the model library is empty");
      const current = entries.findIndex((entry) => entry.id === engine.status().model?.id);
      let lastRefusal: Error | null = null;
      for (let step = 1; step <= entries.length; step++) {
        const entry = entries[(current + step) % entries.length]!;
        try {
          await engine.loadModel(await models.loadRequest(entry.id, null));
          return;
        } catch (error) {
          lastRefusal = error as Error;
        }
      }
      throw new Error(`model-next: no model of the library can be played (${lastRefusal?.message})`);
    },
  };
}

/** What the probe prints before its JSON verdict (PortAudio and ALSA print their own lines too). */
const PROBE_MARKER = "namstomp-sound-card-probe ";
/** Loading the addon, opening the device and one period; a hung driver must not hang the start, ms. */
const PROBE_TIMEOUT_MS = 8000;

/**
 * Opens the configured sound card with the real backend in a child process, runs it until audio
 * flows, and closes it. Null when it works, else why not.
 */
async function probeSoundCard(config: AudioBackendConfig): Promise<string | null> {
  const backendUrl = new URL("./engine/backends/naudiodon-backend.js", import.meta.url).href;
  const script = `
    const report = (verdict) => console.log(${JSON.stringify(PROBE_MARKER)} + JSON.stringify(verdict));
    try {
      const { NaudiodonBackend } = await import(${JSON.stringify(backendUrl)});
      const backend = new NaudiodonBackend(${JSON.stringify(config)});
      await backend.start((input, output) => output.fill(0));
      await backend.stop();
      report({ problem: null });
    } catch (error) {
      report({ problem: error instanceof Error ? error.message : String(error) });
    }
    process.exit(0);`;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "--eval", script], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout) => {
      const line = stdout.split("\n").find((text) => text.startsWith(PROBE_MARKER));
      if (line !== undefined) resolve((JSON.parse(line.slice(PROBE_MARKER.length)) as { problem: string | null }).problem);
      else if (error?.killed) resolve(`the sound card did not open within ${PROBE_TIMEOUT_MS} ms`);
      else resolve(`the probe process ended without an answer (${error?.signal ?? `exit code ${String(error?.code ?? 0)}`})`);
    });
  });
}
