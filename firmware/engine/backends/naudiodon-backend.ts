// The sound card: ALSA through PortAudio through naudiodon's full-duplex AudioIO stream, float32
// samples, one period per read and per write. Loaded lazily (naudiodon-addon.ts) so machines
// without the addon still run the virtual backend.
//
// How naudiodon moves audio: the PortAudio callback pushes each input period into a native
// queue (maxQueue 2) and pops one output period from another, blocking on both; JS reads input
// and writes output through a libuv-threadpool async call each. So the loop holds a constant
// number of periods in flight — the output blocks primed before start() — and that number is
// latency added on top of PortAudio's own buffering (status() counts both). Known traps handled
// here: highwaterMark equals one period's bytes on each side (larger and the read waits for data
// the blocked callback can never produce: deadlock); output is primed before start().
//
// Recovery: with closeOnError false PortAudio recovers from an xrun by itself and the patched
// addon counts its status flags (getStreamInfo, polled here), so a late period costs a click,
// not the stream. A watchdog restarts the stream (counted as an xrun and a restart) when no
// input arrives for `stallMs` while this worker's event loop is running — a device that stopped
// (unplugged, wedged driver, dead JACK server) or a stream error — retrying until it opens again.
// If this thread itself was blocked, the watchdog gives no verdict for that gap: the stream
// catches up on its own.
// Thread: audio worker (the one thread of the process that loads naudiodon).

import { settlesWithin } from "../../util/settles-within.js";
import type { AudioBackend, AudioBackendConfig, BackendStatus, PeriodCallback } from "./backend.js";
import {
  chooseDevice,
  describeDevices,
  loadNaudiodon,
  type NaudiodonDevice,
  type NaudiodonDuplex,
  type NaudiodonModule,
  type NaudiodonStreamInfo,
  type NaudiodonStreamOptions,
} from "./naudiodon-addon.js";

export interface NaudiodonBackendOptions {
  /** Silent output periods queued before start(), 1 or 2: each adds a period of latency and of slack. Default 2. */
  primeBlocks?: 1 | 2;
  /** No input for this long (ms) while this thread runs = a stalled stream, restarted. Default 250. */
  stallMs?: number;
  /**
   * SCHED_FIFO priority for PortAudio's callback thread (0 = normal scheduling), which naudiodon
   * blocks on every period. The thread takes it itself on its first callback, where the process
   * may (root, CAP_SYS_NICE, or the unit's LimitRTPRIO=); diagnostics() says what it got.
   * Default 70, the audio worker thread's own default: above PREEMPT_RT's IRQ threads (50).
   */
  realtimePriority?: number;
  /** How long start() waits for the first period (ms). Default 3000. */
  startTimeoutMs?: number;
  /**
   * Called after every period with the time left until the next one is due (ms): where the
   * worker does background work (like VirtualBackendOptions.betweenPeriods).
   */
  betweenPeriods?: (msUntilNextPeriod: number) => void;
}

/** Counters beyond BackendStatus, for health reports and tests. */
export interface NaudiodonDiagnostics {
  /** Periods delivered to the callback since start. */
  periods: number;
  /**
   * Longest time between two periods reaching this thread (ms) since start, restarts aside:
   * beyond (primeBlocks + 1) periods the device was starved.
   */
  longestGapMs: number;
  /** Streams reopened by the watchdog or after a stream error. */
  restarts: number;
  /** Output periods dropped because the stream's write queue was full (never expected). */
  droppedBlocks: number;
  /** Input chunks that were not exactly one period (never expected). */
  oddChunks: number;
  /** Times the period callback threw (the period was played as silence). */
  callbackErrors: number;
  /** Why the stream was last restarted or failed to reopen; null if never. */
  lastProblem: string | null;
  /** SCHED_FIFO priority PortAudio's callback thread runs at; 0 = normal scheduling, -1 = not known yet. */
  realtimePriority: number;
}

const PERIOD_CHOICES = [64, 128, 256];
const BYTES_PER_SAMPLE = 4; // float32
const FLOAT32 = 1;
/** Native queue depth each way (naudiodon's default). */
const MAX_QUEUE = 2;
/** Output buffers reused round-robin; a buffer is free again once its write reached the addon. */
const OUTPUT_RING = 8;
const WATCHDOG_INTERVAL_MS = 50;
/** How often the watchdog reads PortAudio's xrun counters (getStreamInfo allocates a little). */
const STREAM_INFO_INTERVAL_MS = 250;
/** Longest stop() waits for a stream to close (naudiodon's own wait for the device gives up after 1 s). */
const CLOSE_TIMEOUT_MS = 2000;
/** Longest a restart waits for the old stream to close before opening the device again. */
const RESTART_CLOSE_TIMEOUT_MS = 5000;
const REOPEN_DELAYS_MS = [100, 250, 500, 1000, 2000];

export class NaudiodonBackend implements AudioBackend {
  readonly name = "naudiodon" as const;

  private readonly periodMs: number;
  private readonly captureChannels: number;
  private readonly inputBytes: number;
  private readonly outputBytes: number;
  private readonly primeBlocks: number;
  private readonly stallMs: number;
  private readonly startTimeoutMs: number;
  private readonly realtimePriority: number;
  private readonly betweenPeriods: ((msUntilNextPeriod: number) => void) | null;

  // Preallocated per-period storage.
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly captureBytes: Uint8Array;
  private readonly captureSamples: Float32Array;
  private readonly outputBuffers: Buffer[] = [];
  private readonly outputSamples: Float32Array[] = [];
  private nextOutput = 0;

  private addon: NaudiodonModule | null = null;
  private stream: NaudiodonDuplex | null = null;
  private device: NaudiodonDevice | null = null;
  private streamInfo: NaudiodonStreamInfo | null = null;
  private onPeriod: PeriodCallback | null = null;
  private running = false;
  private restarting: Promise<void> | null = null;
  private firstPeriod: (() => void) | null = null;
  private watchdog: NodeJS.Timeout | null = null;

  private periods = 0;
  private lastPeriodAt = 0;
  private longestGapMs = 0;
  private periodsAtCheck = 0;
  private progressAt = 0;
  private lastCheckAt = 0;
  private lastInfoAt = 0;
  /** Xruns of streams already closed, plus detected stalls. */
  private xrunsBefore = 0;
  /** Xrun flags the open stream has reported so far (last poll). */
  private xrunsOfStream = 0;
  private xrunCount = 0;
  private restarts = 0;
  private droppedBlocks = 0;
  private oddChunks = 0;
  private callbackErrors = 0;
  private lastProblem: string | null = null;

  /** Stores the configuration; opens nothing (start() does). */
  constructor(private readonly config: AudioBackendConfig, options: NaudiodonBackendOptions = {}) {
    const { periodFrames, inputChannel, outputChannels, sampleRateHz } = config;
    this.periodMs = (periodFrames * 1000) / sampleRateHz;
    this.captureChannels = inputChannel + 1;
    this.inputBytes = periodFrames * this.captureChannels * BYTES_PER_SAMPLE;
    this.outputBytes = periodFrames * outputChannels * BYTES_PER_SAMPLE;
    this.primeBlocks = options.primeBlocks ?? 2;
    this.stallMs = options.stallMs ?? 250;
    this.startTimeoutMs = options.startTimeoutMs ?? 3000;
    this.realtimePriority = options.realtimePriority ?? 70;
    this.betweenPeriods = options.betweenPeriods ?? null;
    this.input = new Float32Array(periodFrames);
    this.output = new Float32Array(periodFrames);
    const capture = new ArrayBuffer(this.inputBytes);
    this.captureBytes = new Uint8Array(capture);
    this.captureSamples = new Float32Array(capture);
    for (let i = 0; i < OUTPUT_RING; i++) {
      const buffer = Buffer.alloc(this.outputBytes);
      this.outputBuffers.push(buffer);
      this.outputSamples.push(new Float32Array(buffer.buffer, buffer.byteOffset, buffer.length / BYTES_PER_SAMPLE));
    }
  }

  /**
   * The current period's capture, every channel up to the input channel, interleaved. Valid inside
   * the period callback (it is overwritten by the next period); for probes that record more than
   * the pedal's input channel.
   */
  get interleavedCapture(): Float32Array {
    return this.captureSamples;
  }

  async start(onPeriod: PeriodCallback): Promise<void> {
    if (this.running) return;
    validate(this.config);
    this.addon = await loadNaudiodon();
    this.onPeriod = onPeriod;
    this.running = true;
    let timer: NodeJS.Timeout | undefined;
    const flowing = new Promise<void>((resolve, reject) => {
      this.firstPeriod = resolve;
      timer = setTimeout(
        () => reject(new Error(`no audio from ${this.describeDevice()} within ${this.startTimeoutMs} ms of starting it`)),
        this.startTimeoutMs,
      );
    });
    // The timer may fire while openStream() still waits on a failed start's close: not an
    // unhandled rejection (it is awaited below).
    flowing.catch(() => undefined);
    try {
      await this.openStream();
      await flowing;
    } catch (error) {
      // Before stop(), which may take CLOSE_TIMEOUT_MS: the timer must not reject `flowing` unobserved.
      clearTimeout(timer);
      this.firstPeriod = null;
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
      this.firstPeriod = null;
    }
    const now = performance.now();
    this.progressAt = now;
    this.lastCheckAt = now;
    this.lastInfoAt = now;
    this.watchdog = setInterval(this.check, WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
    // A restart waiting on a wedged device may never finish; it opens nothing once stopped.
    if (this.restarting !== null) await Promise.race([this.restarting, delay(CLOSE_TIMEOUT_MS)]);
    const stream = this.stream;
    this.stream = null;
    if (stream !== null) {
      this.pollStreamInfo(stream);
      this.xrunsBefore += this.xrunsOfStream;
      this.xrunsOfStream = 0;
      await settlesWithin(closeStream(stream), CLOSE_TIMEOUT_MS);
    }
    this.onPeriod = null;
  }

  status(): BackendStatus {
    if (this.stream !== null) this.pollStreamInfo(this.stream);
    const { sampleRateHz, periodFrames } = this.config;
    const info = this.streamInfo;
    return {
      device: this.describeDevice(),
      sampleRateHz,
      periodFrames,
      // PortAudio's reported input + output latency, plus the primed periods in naudiodon's queue.
      latencyMs: info === null ? 0 : (info.inputLatency + info.outputLatency) * 1000 + this.primeBlocks * this.periodMs,
      xruns: this.xrunCount,
    };
  }

  xruns(): number {
    return this.xrunCount;
  }

  diagnostics(): NaudiodonDiagnostics {
    return {
      periods: this.periods,
      longestGapMs: this.longestGapMs,
      restarts: this.restarts,
      droppedBlocks: this.droppedBlocks,
      oddChunks: this.oddChunks,
      callbackErrors: this.callbackErrors,
      lastProblem: this.lastProblem,
      realtimePriority: this.streamInfo?.realtimePriority ?? -1,
    };
  }

  /** One input period from naudiodon: pick the channel, run the callback, queue the output. */
  private readonly handleData = (chunk: Buffer): void => {
    const startedAt = performance.now();
    const stream = this.stream;
    const onPeriod = this.onPeriod;
    if (stream === null || onPeriod === null) return;
    if (this.lastPeriodAt > 0 && startedAt - this.lastPeriodAt > this.longestGapMs) this.longestGapMs = startedAt - this.lastPeriodAt;
    this.lastPeriodAt = startedAt;
    const frames = this.input.length;
    if (chunk.length === this.inputBytes) {
      this.captureBytes.set(chunk);
      const stride = this.captureChannels;
      const samples = this.captureSamples;
      for (let i = 0, j = this.config.inputChannel; i < frames; i++, j += stride) this.input[i] = samples[j]!;
    } else {
      this.oddChunks++;
      this.input.fill(0);
    }
    try {
      onPeriod(this.input, this.output);
    } catch {
      this.callbackErrors++;
      this.output.fill(0);
    }
    // One output per input keeps the number of periods in flight (the latency) constant.
    if (stream.writableLength > (OUTPUT_RING - 2) * this.outputBytes) {
      this.droppedBlocks++;
    } else {
      const slot = this.nextOutput;
      this.nextOutput = slot + 1 === OUTPUT_RING ? 0 : slot + 1;
      const out = this.outputSamples[slot]!;
      if (this.config.outputChannels === 1) {
        out.set(this.output);
      } else {
        for (let i = 0, j = 0; i < frames; i++, j += 2) {
          const sample = this.output[i]!;
          out[j] = sample;
          out[j + 1] = sample;
        }
      }
      stream.write(this.outputBuffers[slot]!);
    }
    this.periods++;
    if (this.firstPeriod !== null) {
      const resolve = this.firstPeriod;
      this.firstPeriod = null;
      resolve();
    }
    if (this.betweenPeriods !== null) this.betweenPeriods(this.periodMs - (performance.now() - startedAt));
  };

  private readonly handleStreamError = (error: unknown): void => {
    this.restart(`stream error: ${error instanceof Error ? error.message : String(error)}`);
  };

  private readonly handleStreamEnd = (): void => {
    this.restart("the stream ended");
  };

  /** Watchdog tick: stall detection and xrun counters. */
  private readonly check = (): void => {
    const now = performance.now();
    const sinceLastCheck = now - this.lastCheckAt;
    this.lastCheckAt = now;
    if (sinceLastCheck > 3 * WATCHDOG_INTERVAL_MS) {
      // This thread was blocked: the stream had no chance to deliver. No verdict for that gap.
      this.progressAt = now;
      this.periodsAtCheck = this.periods;
    } else if (this.periods !== this.periodsAtCheck) {
      this.periodsAtCheck = this.periods;
      this.progressAt = now;
    } else if (now - this.progressAt > this.stallMs) {
      this.restart(`no audio for ${Math.round(now - this.progressAt)} ms`);
      return;
    }
    if (this.stream !== null && now - this.lastInfoAt >= STREAM_INFO_INTERVAL_MS) {
      this.lastInfoAt = now;
      this.pollStreamInfo(this.stream);
    }
  };

  private pollStreamInfo(stream: NaudiodonDuplex): void {
    const info = stream.getStreamInfo();
    this.streamInfo = info;
    this.xrunsOfStream = info.inputUnderflows + info.inputOverflows + info.outputUnderflows + info.outputOverflows;
    this.xrunCount = this.xrunsBefore + this.xrunsOfStream;
  }

  /**
   * Opens the device (chosen again by name: its index may have changed) and starts the stream.
   * A stream that fails to start is closed here (bounded) before the error is thrown.
   */
  private async openStream(): Promise<void> {
    const addon = this.addon!;
    const { deviceName, sampleRateHz, periodFrames, outputChannels } = this.config;
    const devices = addon.getDevices();
    const device =
      deviceName === null
        ? defaultDevice(addon, devices, this.captureChannels, outputChannels)
        : chooseDevice(devices, deviceName, this.captureChannels, outputChannels);
    this.device = device;
    const common = {
      deviceId: device.id,
      sampleRate: sampleRateHz,
      sampleFormat: FLOAT32,
      framesPerBuffer: periodFrames,
      maxQueue: MAX_QUEUE,
      closeOnError: false,
      realtimePriority: this.realtimePriority,
    } as const;
    const inOptions: NaudiodonStreamOptions = { ...common, channelCount: this.captureChannels, highwaterMark: this.inputBytes };
    const outOptions: NaudiodonStreamOptions = { ...common, channelCount: outputChannels, highwaterMark: this.outputBytes };
    let stream: NaudiodonDuplex;
    try {
      stream = addon.AudioIO({ inOptions, outOptions });
    } catch (error) {
      throw new Error(
        `cannot open ${this.describeDevice()} at ${sampleRateHz} Hz, ${periodFrames} frames, ` +
          `${this.captureChannels} in / ${outputChannels} out: ${(error as Error).message}`,
        { cause: error },
      );
    }
    // naudiodon's own listener prints every error with console.error; ours restarts instead.
    stream.removeAllListeners("error");
    stream.on("error", this.handleStreamError);
    stream.on("end", this.handleStreamEnd);
    for (let i = 0; i < this.primeBlocks; i++) {
      const slot = this.nextOutput;
      this.nextOutput = slot + 1 === OUTPUT_RING ? 0 : slot + 1;
      this.outputSamples[slot]!.fill(0);
      stream.write(this.outputBuffers[slot]!);
    }
    stream.on("data", this.handleData);
    this.lastPeriodAt = 0;
    try {
      stream.start();
    } catch (error) {
      // Its reads wait in the threadpool until the native quit releases them; the patched addon
      // leaves PortAudio alone for a stream that failed to start (stopping it would hang).
      await settlesWithin(closeStream(stream), CLOSE_TIMEOUT_MS);
      throw new Error(`cannot start ${this.describeDevice()}: ${(error as Error).message}`, { cause: error });
    }
    this.stream = stream;
    this.pollStreamInfo(stream);
  }

  /** Closes the current stream and opens a new one, retrying until it opens or stop() is called. */
  private restart(reason: string): void {
    if (!this.running || this.restarting !== null || this.firstPeriod !== null) return;
    this.restarts++;
    this.lastProblem = reason;
    this.restarting = (async () => {
      const old = this.stream;
      this.stream = null;
      if (old !== null) {
        this.pollStreamInfo(old);
        // The stall itself is an xrun the device did not report.
        this.xrunsBefore += this.xrunsOfStream + 1;
        this.xrunsOfStream = 0;
        this.xrunCount = this.xrunsBefore;
        // The close ends with Pa_Terminate on a threadpool thread, and PortAudio must not be
        // initialised again (below) meanwhile; but a close that never ends must not end the
        // self-healing: after RESTART_CLOSE_TIMEOUT_MS the old stream is given up.
        if (!(await settlesWithin(closeStream(old), RESTART_CLOSE_TIMEOUT_MS))) {
          this.lastProblem = `${reason}; the old stream did not close within ${RESTART_CLOSE_TIMEOUT_MS} ms (left behind)`;
        }
      }
      for (let attempt = 0; this.running; attempt++) {
        try {
          await this.openStream();
          break;
        } catch (error) {
          this.lastProblem = `${reason}; reopening failed: ${(error as Error).message}`;
          await delay(REOPEN_DELAYS_MS[Math.min(attempt, REOPEN_DELAYS_MS.length - 1)]!);
        }
      }
      // stop() may have given up waiting for this restart: a stream opened since must not outlive it.
      if (!this.running && this.stream !== null) {
        const late = this.stream;
        this.stream = null;
        await settlesWithin(closeStream(late), CLOSE_TIMEOUT_MS);
      }
      const now = performance.now();
      this.progressAt = now;
      this.lastCheckAt = now;
      this.periodsAtCheck = this.periods;
    })().finally(() => {
      this.restarting = null;
    });
  }

  private describeDevice(): string {
    if (this.device === null) return this.config.deviceName === null ? "the default audio device" : `"${this.config.deviceName}"`;
    return `${this.device.name} via ${this.device.hostAPIName}`;
  }
}

function validate(config: AudioBackendConfig): void {
  if (!PERIOD_CHOICES.includes(config.periodFrames)) {
    throw new Error(`period of ${config.periodFrames} frames: naudiodon runs ${PERIOD_CHOICES.join(", ")}`);
  }
  if (!(config.sampleRateHz > 0)) throw new Error(`sample rate ${config.sampleRateHz} Hz is not positive`);
  if (!Number.isInteger(config.inputChannel) || config.inputChannel < 0) {
    throw new Error(`input channel ${config.inputChannel} is not a channel number (0-based)`);
  }
  if (config.outputChannels !== 1 && config.outputChannels !== 2) {
    throw new Error(`output channels ${String(config.outputChannels)}: 1 (mono) or 2 (duplicated stereo)`);
  }
}

/** PortAudio's default input device of the ALSA host API (else of its default host API). */
function defaultDevice(addon: NaudiodonModule, devices: readonly NaudiodonDevice[], inputs: number, outputs: number): NaudiodonDevice {
  const { defaultHostAPI, HostAPIs } = addon.getHostAPIs();
  const host = HostAPIs.find((h) => h.name === "ALSA") ?? HostAPIs[defaultHostAPI];
  const device = devices.find((d) => d.id === host?.defaultInput);
  if (device === undefined) throw new Error(`PortAudio has no default audio device; devices: ${describeDevices(devices)}`);
  if (device.maxInputChannels < inputs || device.maxOutputChannels < outputs) {
    throw new Error(
      `the default device ${JSON.stringify(device.name)} has ${device.maxInputChannels} in / ${device.maxOutputChannels} out, ` +
        `${inputs} in / ${outputs} out needed; devices: ${describeDevices(devices)}`,
    );
  }
  return device;
}

/**
 * Detaches the backend and aborts the stream. Resolves when naudiodon has stopped, closed and
 * terminated PortAudio (on a threadpool thread): PortAudio is not thread-safe, so nothing may
 * call into it (getDevices, AudioIO) before then.
 */
function closeStream(stream: NaudiodonDuplex): Promise<void> {
  stream.removeAllListeners("data");
  stream.removeAllListeners("end");
  stream.removeAllListeners("error");
  // naudiodon's own 'finish' handler quits the stream a second time once the abort has ended it
  // (the Duplex does not allow half-open); the patched addon ignores that, but it is not needed.
  stream.removeAllListeners("finish");
  // A late error from the closing stream must not become an uncaught exception.
  stream.on("error", () => {});
  return new Promise((resolve) => stream.abort(resolve));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
