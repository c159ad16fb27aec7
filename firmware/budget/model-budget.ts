// The real-time budget service: at start it loads (or measures) the calibration, then decides for
// every model whether it fits — a model may use at most budget.maxModelLoadPercent of each audio
// period, leaving the rest for the IR, gate, EQ and the system. A slimmable (A2) model runs at the
// widest width that fits. Main thread.

import { join } from "node:path";
import type { TanhMode } from "../dsp/contract.js";
import type { DspCore } from "../dsp/index.js";
import type { ModelSummary } from "../nam/index.js";
import { CalibrationCache, measureReferenceShapes, type Calibration, type CalibrationKey, type CalibrationPoint } from "./calibration.js";
import { modelRunRateHz } from "../engine/prepare-model.js";
import { costFamilyOf, loadPercentOf, predictNsPerSample } from "./cost-model.js";
import type { MachineIdentity } from "./machine.js";
import type { CostFamily } from "./reference-shapes.js";

export const CALIBRATION_FILE_NAME = "calibration.json";

export interface BudgetSettings {
  sampleRateHz: number;
  periodFrames: number;
  tanh: TanhMode;
  maxModelLoadPercent: number;
  calibrationMsPerShape: number;
}

export interface DspBudgetDeps {
  /** The main thread's DSP instance (calibration runs on it). */
  dsp: DspCore;
  dataDir: string;
  machine: MachineIdentity;
  namstompVersion: string;
  settings: BudgetSettings;
  log: { info(message: string): void; warn(message: string): void };
  /** Figures to use instead of measuring or reading the cache (tests). */
  fixedCalibration?: CalibrationPoint[];
}

/** One size a model can run at, and what it costs on this machine. */
export interface WidthCost {
  /** Slim ratio that selects this width; null = the model's full (default) width. */
  slim: number | null;
  /** Channels of each layer array at this width; null for models that cannot be slimmed. */
  channels: number[] | null;
  multiplyAddsPerSample: number;
  nsPerSample: number;
  /** Share of each audio period the model would take, %. */
  loadPercent: number;
  fits: boolean;
}

export interface ModelCost {
  family: CostFamily;
  /** No calibrated shape resembles the model: the figure is an A1-based guess. */
  approximate: boolean;
  budgetPercent: number;
  /** Smallest first; one entry for a model that cannot be slimmed. */
  widths: WidthCost[];
  /** The width the pedal runs: the requested one, or the widest that fits; null when refused. */
  chosen: WidthCost | null;
  /** True when the chosen width is narrower than the model's full width. */
  slimmed: boolean;
  /** One sentence for the player: the cost, what was slimmed, or why it is refused and what fits. */
  message: string;
}

export interface ReferenceVerdict extends CalibrationPoint {
  loadPercent: number;
  fits: boolean;
}

/** A model that does not fit this machine's budget; the message says why and what fits. */
export class OverBudgetError extends Error {
  override readonly name = "OverBudgetError";
}

export class DspBudget {
  private current: Calibration | null = null;

  constructor(private readonly deps: DspBudgetDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    const { settings, machine, dsp } = deps;
    const key: CalibrationKey = {
      board: machine.board,
      cpuModel: machine.cpuModel,
      arch: machine.arch,
      namstompVersion: deps.namstompVersion,
      dspVariant: dsp.variant,
      nodeVersion: process.version,
      periodFrames: settings.periodFrames,
      tanh: settings.tanh,
    };
    if (deps.fixedCalibration) {
      this.current = { key, measuredAt: new Date().toISOString(), measuredMs: 0, points: deps.fixedCalibration };
      return;
    }
    const cache = new CalibrationCache(join(deps.dataDir, CALIBRATION_FILE_NAME));
    const cached = await cache.find(key);
    if (cached) {
      this.current = cached;
      deps.log.info(`budget: calibration of ${cached.measuredAt} for this ${machine.shortName} (cached)`);
    } else {
      deps.log.info(`budget: timing the DSP on this ${machine.shortName} (${settings.periodFrames}-frame blocks, ${settings.tanh} tanh)…`);
      const started = performance.now();
      const points = measureReferenceShapes(dsp, { periodFrames: settings.periodFrames, tanh: settings.tanh, msPerShape: settings.calibrationMsPerShape });
      this.current = { key, measuredAt: new Date().toISOString(), measuredMs: Math.round(performance.now() - started), points };
      await cache.save(this.current).catch((error: Error) => deps.log.warn(`budget: calibration not cached: ${error.message}`));
    }
    for (const row of this.referenceVerdicts()) {
      deps.log.info(`budget: ${row.label} ${row.nsPerSample.toFixed(0)} ns/sample → ${row.loadPercent.toFixed(1)} % of the period, ${row.fits ? "fits" : "does not fit"}`);
    }
  }

  async stop(): Promise<void> {}

  calibration(): Calibration {
    if (!this.current) throw new Error("the DSP budget is not started");
    return this.current;
  }

  budgetPercent(): number {
    return this.deps.settings.maxModelLoadPercent;
  }

  /** Every calibrated shape with its load at the configured rate and whether it fits (A1 presets first). */
  referenceVerdicts(): ReferenceVerdict[] {
    const rate = this.deps.settings.sampleRateHz;
    return this.calibration().points.map((point) => {
      const loadPercent = loadPercentOf(point.nsPerSample, rate);
      return { ...point, loadPercent, fits: loadPercent <= this.budgetPercent() };
    });
  }

  /**
   * What `summary`'s model costs here and at which width it runs. `requestedSlim` (0..1) asks for
   * a particular width of a slimmable model; null picks the widest that fits.
   */
  estimate(summary: ModelSummary, requestedSlim: number | null = null): ModelCost {
    const { family, approximate } = costFamilyOf(summary.class);
    const points = this.calibration().points;
    const rate = modelRunRateHz(summary.sampleRate);
    const budgetPercent = this.budgetPercent();
    const cost = (multiplyAdds: number, slim: number | null, channels: number[] | null): WidthCost => {
      const nsPerSample = predictNsPerSample(points, family, multiplyAdds);
      const loadPercent = loadPercentOf(nsPerSample, rate);
      return { slim, channels, multiplyAddsPerSample: multiplyAdds, nsPerSample, loadPercent, fits: loadPercent <= budgetPercent };
    };
    const slimWidths = summary.slimWidths;
    const widths = slimWidths === undefined
      ? [cost(summary.multiplyAddsPerSample, null, null)]
      : slimWidths.map((width, i) => cost(width.multiplyAddsPerSample, i === slimWidths.length - 1 ? null : width.ratioMin, width.channels));
    const full = widths.at(-1)!;

    let chosen: WidthCost | null;
    let message: string;
    if (slimWidths !== undefined && requestedSlim !== null) {
      const requested = widths[slimWidths.findIndex((width, i) => requestedSlim < width.ratioMax || i === slimWidths.length - 1)]!;
      chosen = requested.fits ? requested : null;
      message = requested.fits
        ? this.fitMessage(requested, full)
        : `${summary.label} at ${describeWidth(requested)} needs ~${percent(requested.loadPercent)} of the audio period on this ` +
          `${this.deps.machine.shortName} (models may use up to ${percent(budgetPercent)}); ` +
          this.widestFittingHint(widths);
    } else {
      chosen = [...widths].reverse().find((width) => width.fits) ?? null;
      message = chosen ? this.fitMessage(chosen, full) : this.refusalMessage(summary.label, widths);
    }
    return { family, approximate, budgetPercent, widths, chosen, slimmed: chosen !== null && chosen !== full, message };
  }

  /** The slim ratio to run the model at (ModelAdmission for the model library); throws OverBudgetError when it does not fit. */
  admit(summary: ModelSummary, requestedSlim: number | null): number | null {
    const cost = this.estimate(summary, requestedSlim);
    if (cost.chosen === null) throw new OverBudgetError(cost.message);
    return cost.chosen.slim;
  }

  private fitMessage(chosen: WidthCost, full: WidthCost): string {
    const budget = `budget ${percent(this.budgetPercent())}`;
    if (chosen === full) return `~${percent(chosen.loadPercent)} of the audio period (${budget})`;
    return `slimmed to ${describeWidth(chosen)} to fit: ~${percent(chosen.loadPercent)} of the audio period ` +
      `(full width needs ~${percent(full.loadPercent)}; ${budget})`;
  }

  private refusalMessage(label: string, widths: WidthCost[]): string {
    const narrowest = widths[0]!;
    const atNarrowest = widths.length > 1 ? ` even at its narrowest width (${describeWidth(narrowest)})` : "";
    return `${label} needs ~${percent(narrowest.loadPercent)} of the audio period on this ${this.deps.machine.shortName}${atNarrowest} ` +
      `(models may use up to ${percent(this.budgetPercent())}); ${this.fittingPresetsHint()}`;
  }

  private widestFittingHint(widths: WidthCost[]): string {
    const widest = [...widths].reverse().find((width) => width.fits);
    return widest ? `the widest width that fits is ${describeWidth(widest)}.` : this.fittingPresetsHint();
  }

  /** "A1 Lite/Feather/Nano fit." — the A1 presets this machine runs within the budget. */
  private fittingPresetsHint(): string {
    const fitting = this.referenceVerdicts().filter((row) => row.family === "wavenet-a1" && row.fits);
    if (fitting.length === 0) return "no A1 preset fits at this sample rate either.";
    return `A1 ${fitting.map((row) => row.label.replace(/^A1 /, "")).join("/")} ${fitting.length === 1 ? "fits" : "fit"}.`;
  }
}

function describeWidth(width: WidthCost): string {
  if (width.channels === null) return "full width";
  const channels = width.channels.join("+");
  return width.slim === null ? `full width (${channels} channels)` : `slim ${width.slim.toFixed(2)} (${channels} channels)`;
}

function percent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} %`;
}
