// Stand-ins the footswitch tests share: a clock that moves only when told, a log that records,
// an engine that remembers what it was asked.
import type { ChainParams, EngineStatus, Meters } from "../../firmware/engine/api.js";
import type { StageEngine } from "../../firmware/controls/actions.js";
import type { ControlClock } from "../../firmware/controls/clock.js";
import type { ControlsLog } from "../../firmware/controls/footswitch-service.js";

interface PendingTimer {
  atUs: number;
  order: number;
  callback: () => void;
}

export class ManualClock implements ControlClock {
  private now: number;
  private timers: PendingTimer[] = [];
  private created = 0;

  constructor(startUs = 10_000_000) {
    this.now = startUs;
  }

  nowUs(): number {
    return this.now;
  }

  setTimer(atUs: number, callback: () => void): () => void {
    const timer = { atUs, order: this.created++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Moves to targetUs, firing due timers in time order (time stands at each timer's moment). */
  advanceTo(targetUs: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.atUs <= targetUs).sort((a, b) => a.atUs - b.atUs || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.atUs);
      due.callback();
    }
    this.now = Math.max(this.now, targetUs);
  }

  advanceBy(us: number): void {
    this.advanceTo(this.now + us);
  }
}

export class RecordingLog implements ControlsLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

export const testChainParams: ChainParams = {
  inputTrimDb: 0,
  inputCalibration: { enabled: false, interfaceInputDbu: 12.2 },
  gate: { enabled: true, thresholdDb: -60, hysteresisDb: 6, attackMs: 1, holdMs: 50, releaseMs: 100, rangeDb: -80 },
  eq: { enabled: true, bass: 5, mid: 5, treble: 5, presence: 5 },
  irEnabled: true,
  outputLevelDb: 0,
  normalizeLoudness: false,
  limiterCeilingDb: -1,
};

/** The engine as the controls see it: bypass, tuner and params, remembered. */
export class FakeStageEngine implements StageEngine {
  bypass = false;
  tunerActive = false;
  tunerCents: number | null = null;
  chain: ChainParams = structuredClone(testChainParams);

  status(): EngineStatus {
    return {
      backend: "offline",
      device: "fake",
      sampleRate: 48000,
      periodFrames: 128,
      running: true,
      xruns: 0,
      deadlineMisses: 0,
      latencyMs: 5,
      dspLoad: { mean: 0, p99: 0, max: 0 },
      bypass: this.bypass,
      model: null,
      ir: null,
      lastError: null,
    };
  }

  meters(): Meters {
    return {
      inputPeakDb: -120,
      outputPeakDb: -120,
      gateOpen: false,
      tuner: {
        active: this.tunerActive,
        note: this.tunerCents === null ? null : "E2",
        cents: this.tunerCents,
        frequencyHz: this.tunerCents === null ? null : 82.41,
        levelDb: -20,
      },
    };
  }

  params(): ChainParams {
    return structuredClone(this.chain);
  }

  setParams(params: Partial<ChainParams>): void {
    this.chain = { ...this.chain, ...structuredClone(params) };
  }

  setBypass(bypass: boolean): void {
    this.bypass = bypass;
  }

  setTuner(active: boolean): void {
    this.tunerActive = active;
  }
}
