// Keyed noise gate (dsp-as/chain/gate.ts). The engine, per block on the audio thread:
//   gateAnalyse(gate.statePtr, inputPtr, gainsPtr, frames)   on the pedal input (after the trim)
//   … model …
//   applyGain(modelOutputPtr, gainsPtr, frames)
// Everything in this class is control side (between blocks, on the thread owning the DSP).

import type { DspExports } from "../abi.js";
import { StateBlock, checkRange, checkSampleRate, stateBytes } from "./state-block.js";

export interface NoiseGateParams {
  /** RMS level (dBFS; a full-scale sine reads −3 dB) of the input at which a closed gate opens. */
  thresholdDb: number;
  /** dB below the threshold at which an open gate starts to close (0 = no hysteresis). */
  hysteresisDb: number;
  /** Time from closed to fully open, ms (linear in amplitude). */
  attackMs: number;
  /** Time an open gate stays open after the level falls below the close threshold, ms. */
  holdMs: number;
  /** Time from open to fully closed, ms (linear in dB). */
  releaseMs: number;
  /** Gain of the closed gate, dB (≤ 0; −80 is effectively silent). */
  rangeDb: number;
}

export const defaultNoiseGateParams: Readonly<NoiseGateParams> = {
  thresholdDb: -80, // the NAM plugin's default
  hysteresisDb: 6,
  attackMs: 1,
  holdMs: 20,
  releaseMs: 100,
  rangeDb: -80,
};

export class NoiseGate {
  private readonly state: StateBlock;
  private current: NoiseGateParams;

  constructor(private readonly dsp: DspExports, readonly sampleRateHz: number, params: Partial<NoiseGateParams> = {}) {
    checkSampleRate(sampleRateHz);
    this.state = new StateBlock(dsp, stateBytes(dsp, "GATE_STATE_BYTES"));
    this.state.setI32(0, sampleRateHz);
    this.current = { ...defaultNoiseGateParams };
    this.configure(params);
    this.reset();
  }

  /** The struct the engine passes to gateAnalyse. */
  get statePtr(): number { return this.state.ptr; }

  get params(): Readonly<NoiseGateParams> { return this.current; }

  /** Changes parameters (others keep their values); takes effect at the next block without a jump. */
  configure(params: Partial<NoiseGateParams>): void {
    const next = { ...this.current, ...params };
    checkRange("thresholdDb", next.thresholdDb, -120, 0);
    checkRange("hysteresisDb", next.hysteresisDb, 0, 40);
    checkRange("attackMs", next.attackMs, 0, 500);
    checkRange("holdMs", next.holdMs, 0, 5000);
    checkRange("releaseMs", next.releaseMs, 0, 5000);
    checkRange("rangeDb", next.rangeDb, -120, 0);
    this.state.setF32(4, next.thresholdDb);
    this.state.setF32(8, next.hysteresisDb);
    this.state.setF32(12, next.attackMs);
    this.state.setF32(16, next.holdMs);
    this.state.setF32(20, next.releaseMs);
    this.state.setF32(24, next.rangeDb);
    this.dsp.gateConfigure(this.state.ptr);
    this.current = next;
  }

  /** Closed gate, silent detector. */
  reset(): void { this.dsp.gateReset(this.state.ptr); }

  /** Meter: open or holding. */
  get isOpen(): boolean { return this.state.getI32(64) !== 0; }

  /** Meter: the gain currently applied, dB (rangeDb … 0). */
  get gainDb(): number { return 20 * Math.log10(this.state.getF32(60)); }

  /** Meter: the detector's RMS level of the input, dBFS (floor −120). */
  get inputLevelDb(): number { return 10 * Math.log10(this.state.getF32(56)); }

  dispose(): void { this.state.free(); }
}
