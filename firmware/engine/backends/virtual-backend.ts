// The virtual real-time device: an in-process clock for laptops, development and tests. It plays
// a DI recording (looped) or silence into the chain and records or discards the output, paced
// by the wall clock exactly like a sound card with two periods of buffering: period k is due at
// start + k·period, and finishing it later than one period after that would have underrun a
// real device — counted as an xrun, after which the clock resynchronises.
//
// Runs in the audio worker and blocks its event loop while playing (Atomics.wait between
// periods, for sub-millisecond pacing): `betweenPeriods` is where the worker polls its command
// port and does background work.

import type { AudioBackend, AudioBackendConfig, BackendStatus, PeriodCallback } from "./backend.js";

export interface VirtualBackendOptions {
  /** Mono input at the device rate, looped; null = silence. */
  inputSamples: Float32Array | null;
  /** Output frames kept (the most recent); 0 = discard. */
  recordFrames: number;
  /** Called after every period with the time left until the next one is due (ms). */
  betweenPeriods: (msUntilNextPeriod: number) => void;
}

export class VirtualBackend implements AudioBackend {
  readonly name = "virtual" as const;
  private running = false;
  private stopped: Promise<void> = Promise.resolve();
  private xrunCount = 0;
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly recording: Float32Array;
  private recordedFrames = 0;
  private inputPosition = 0;

  constructor(private readonly config: AudioBackendConfig, private readonly options: VirtualBackendOptions) {
    this.input = new Float32Array(config.periodFrames);
    this.output = new Float32Array(config.periodFrames);
    this.recording = new Float32Array(options.recordFrames);
  }

  start(onPeriod: PeriodCallback): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    // The loop starts on the next turn so start() can resolve (and the worker report "started").
    this.stopped = new Promise((resolve) => setImmediate(() => {
      this.loop(onPeriod);
      resolve();
    }));
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
  }

  status(): BackendStatus {
    const { sampleRateHz, periodFrames } = this.config;
    return {
      device: "virtual (wall-clock paced, no sound card)",
      sampleRateHz,
      periodFrames,
      // Two periods of buffering, like the typical ALSA setting it stands in for.
      latencyMs: (2 * periodFrames * 1000) / sampleRateHz,
      xruns: this.xrunCount,
    };
  }

  xruns(): number {
    return this.xrunCount;
  }

  /**
   * The last recorded output frames, oldest first (a copy), and the stream position of the first
   * one: output frame n answers input frame n of the (looped) input.
   */
  takeRecording(): { samples: Float32Array; startFrame: number } {
    const frames = Math.min(this.recordedFrames, this.recording.length);
    const samples = new Float32Array(frames);
    const startFrame = this.recordedFrames - frames;
    for (let i = 0; i < frames; i++) samples[i] = this.recording[(startFrame + i) % this.recording.length]!;
    return { samples, startFrame };
  }

  private loop(onPeriod: PeriodCallback): void {
    const periodMs = (this.config.periodFrames * 1000) / this.config.sampleRateHz;
    let dueAt = performance.now();
    while (this.running) {
      this.fillInput();
      onPeriod(this.input, this.output);
      this.record();
      dueAt += periodMs;
      const now = performance.now();
      if (now > dueAt + periodMs) {
        // Later than the buffered period: a real device would have underrun here.
        this.xrunCount++;
        dueAt = now;
      }
      this.options.betweenPeriods(dueAt - performance.now());
      const waitMs = dueAt - performance.now();
      if (waitMs > 0) Atomics.wait(this.sleepCell, 0, 0, waitMs);
    }
  }

  private fillInput(): void {
    const source = this.options.inputSamples;
    if (source === null || source.length === 0) {
      this.input.fill(0);
      return;
    }
    for (let i = 0; i < this.input.length; i++) {
      this.input[i] = source[this.inputPosition]!;
      this.inputPosition = this.inputPosition + 1 === source.length ? 0 : this.inputPosition + 1;
    }
  }

  private record(): void {
    const capacity = this.recording.length;
    if (capacity === 0) return;
    for (let i = 0; i < this.output.length; i++) {
      this.recording[(this.recordedFrames + i) % capacity] = this.output[i]!;
    }
    this.recordedFrames += this.output.length;
  }
}
