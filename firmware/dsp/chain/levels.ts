// Level stages (dsp-as/chain/levels.ts): ramped gain (input trim, output level), DC blocker and
// safety limiter. The engine calls gainProcess / dcBlockerProcess / limiterProcess(statePtr,
// signalPtr, frames) on the audio thread; everything in these classes is control side (between
// blocks, on the thread owning the DSP).

import type { DspExports } from "../abi.js";
import { StateBlock, checkRange, checkSampleRate, stateBytes } from "./state-block.js";

export interface GainParams {
  /** Gain to reach, dB. */
  gainDb: number;
  /** Duration of the straight-line ramp to a new gain, ms. */
  rampMs: number;
}

export const defaultGainParams: Readonly<GainParams> = { gainDb: 0, rampMs: 20 };

/** Input trim or output level: a gain that ramps to each new value instead of jumping. */
export class GainStage {
  private readonly state: StateBlock;
  private current: GainParams;

  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number, params: Partial<GainParams> = {}) {
    checkSampleRate(sampleRateHz);
    this.state = new StateBlock(dsp, stateBytes(dsp, "GAIN_STATE_BYTES"));
    this.state.setI32(0, sampleRateHz);
    this.current = { ...defaultGainParams };
    this.configure(params);
    this.reset();
  }

  get statePtr(): number { return this.state.ptr; }

  get params(): Readonly<GainParams> { return this.current; }

  /** Starts a ramp from the gain now applied to the new gainDb. */
  configure(params: Partial<GainParams>): void {
    const next = { ...this.current, ...params };
    checkRange("gainDb", next.gainDb, -120, 60);
    checkRange("rampMs", next.rampMs, 0, 10000);
    this.state.setF32(4, next.gainDb);
    this.state.setF32(8, next.rampMs);
    this.dsp.gainConfigure(this.state.ptr);
    this.current = next;
  }

  /** Jumps to gainDb (no ramp). */
  reset(): void { this.dsp.gainReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}

export interface DcBlockerParams {
  /** −3 dB frequency of the one-pole high-pass, Hz (the NAM plugin uses 5). */
  cutoffHz: number;
}

export const defaultDcBlockerParams: Readonly<DcBlockerParams> = { cutoffHz: 5 };

/** The NAM plugin's DC blocker: y[n] = α·(x[n] − x[n−1] + y[n−1]), α = 1 / (1 + 2π·fc/fs). */
export class DcBlocker {
  private readonly state: StateBlock;
  private current: DcBlockerParams;

  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number, params: Partial<DcBlockerParams> = {}) {
    checkSampleRate(sampleRateHz);
    this.state = new StateBlock(dsp, stateBytes(dsp, "DC_BLOCKER_STATE_BYTES"));
    this.state.setI32(0, sampleRateHz);
    this.current = { ...defaultDcBlockerParams };
    this.configure(params);
    this.reset();
  }

  get statePtr(): number { return this.state.ptr; }

  get params(): Readonly<DcBlockerParams> { return this.current; }

  configure(params: Partial<DcBlockerParams>): void {
    const next = { ...this.current, ...params };
    checkRange("cutoffHz", next.cutoffHz, 0.1, 200);
    this.state.setF32(4, next.cutoffHz);
    this.dsp.dcBlockerConfigure(this.state.ptr);
    this.current = next;
  }

  reset(): void { this.dsp.dcBlockerReset(this.state.ptr); }

  dispose(): void { this.state.free(); }
}

export interface LimiterParams {
  /** Peak ceiling, dBFS: the output never exceeds it. */
  ceilingDb: number;
  /** Time constant of the gain falling onto a new peak, ms. */
  attackMs: number;
  /** Time constant of the gain recovering once the peaks are gone, ms. */
  releaseMs: number;
}

export const defaultLimiterParams: Readonly<LimiterParams> = { ceilingDb: -1, attackMs: 0.5, releaseMs: 150 };

/** Safety limiter without look-ahead: transparent at or below the ceiling, never above it. */
export class Limiter {
  private readonly state: StateBlock;
  private current: LimiterParams;

  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number, params: Partial<LimiterParams> = {}) {
    checkSampleRate(sampleRateHz);
    this.state = new StateBlock(dsp, stateBytes(dsp, "LIMITER_STATE_BYTES"));
    this.state.setI32(0, sampleRateHz);
    this.current = { ...defaultLimiterParams };
    this.configure(params);
    this.reset();
  }

  get statePtr(): number { return this.state.ptr; }

  get params(): Readonly<LimiterParams> { return this.current; }

  configure(params: Partial<LimiterParams>): void {
    const next = { ...this.current, ...params };
    checkRange("ceilingDb", next.ceilingDb, -60, 0);
    checkRange("attackMs", next.attackMs, 0, 100);
    checkRange("releaseMs", next.releaseMs, 0, 10000);
    this.state.setF32(4, next.ceilingDb);
    this.state.setF32(8, next.attackMs);
    this.state.setF32(12, next.releaseMs);
    this.dsp.limiterConfigure(this.state.ptr);
    this.current = next;
  }

  reset(): void { this.dsp.limiterReset(this.state.ptr); }

  /** Meter: gain reduction now applied, dB (0 = not limiting, negative while limiting). */
  get gainReductionDb(): number { return 20 * Math.log10(this.state.getF32(28)); }

  dispose(): void { this.state.free(); }
}
