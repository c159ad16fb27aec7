// The offline "device": runs a whole input through the period callback as fast as possible and
// keeps the output. `namstomp render` and the tests use it to run the pedal's chain exactly as
// the real-time backends do, period by period.

import type { AudioBackend, AudioBackendConfig, BackendStatus, PeriodCallback } from "./backend.js";

export class OfflineBackend implements AudioBackend {
  readonly name = "offline" as const;
  private rendered: Float32Array;

  constructor(private readonly config: AudioBackendConfig, private readonly input: Float32Array) {
    this.rendered = new Float32Array(input.length);
  }

  /** Processes the whole input, then resolves. A trailing partial period is zero-padded. */
  start(onPeriod: PeriodCallback): Promise<void> {
    const frames = this.config.periodFrames;
    const inBlock = new Float32Array(frames);
    const outBlock = new Float32Array(frames);
    for (let start = 0; start < this.input.length; start += frames) {
      const n = Math.min(frames, this.input.length - start);
      inBlock.fill(0);
      inBlock.set(this.input.subarray(start, start + n));
      onPeriod(inBlock, outBlock);
      this.rendered.set(outBlock.subarray(0, n), start);
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  status(): BackendStatus {
    return {
      device: "offline (as fast as possible)",
      sampleRateHz: this.config.sampleRateHz,
      periodFrames: this.config.periodFrames,
      latencyMs: 0,
      xruns: 0,
    };
  }

  xruns(): number {
    return 0;
  }

  /** The output of the last start(), same length as the input. */
  get output(): Float32Array {
    return this.rendered;
  }
}
