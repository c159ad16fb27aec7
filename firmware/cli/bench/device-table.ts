// `namstomp bench --device`: what this machine can run in real time. Every reference architecture
// (the A1 presets, A2 at full and slimmest width, two LSTM presets) is timed like the daemon's
// calibration, at the configured sample rate, period and tanh (config.json, or the defaults), and
// judged against the model budget: the share of one core it needs, OK or KO.

import { measureReferenceShapes } from "../../budget/calibration.js";
import { loadPercentOf } from "../../budget/cost-model.js";
import { identifyMachine } from "../../budget/machine.js";
import { loadSettings, SettingsError } from "../../config/load-settings.js";
import { detectBoard } from "../../controls/board.js";
import { loadDsp } from "../../dsp/index.js";
import { CliInputError } from "../cli-errors.js";
import { formatCount, formatTable } from "../text-format.js";

export interface DeviceRow {
  architecture: string;
  multiplyAddsPerSample: number;
  nsPerSample: number;
  /** Share of one core at the configured rate, % (= share of every audio period). */
  corePercent: number;
  fits: boolean;
}

/** Prints the table (or JSON rows); `secondsPerShape` of measurement per architecture. */
export async function printDeviceTable(secondsPerShape: number, json: boolean): Promise<void> {
  let settings;
  try {
    ({ settings } = await loadSettings({}));
  } catch (error) {
    if (error instanceof SettingsError) throw new CliInputError(`settings: ${error.message}`);
    throw error;
  }
  const { sampleRateHz, periodFrames, tanh } = settings.audio;
  const budgetPercent = settings.budget.maxModelLoadPercent;
  const machine = identifyMachine((await detectBoard()).model);
  const dsp = await loadDsp();
  process.stderr.write(
    `namstomp bench --device: ${machine.board ?? machine.shortName}, DSP variant ${dsp.variant}, ${sampleRateHz / 1000} kHz, ` +
      `${periodFrames}-frame periods, ${tanh} tanh; a model may use ${budgetPercent} % of the period (budget.maxModelLoadPercent)\n`,
  );
  const rows: DeviceRow[] = measureReferenceShapes(dsp, { periodFrames, tanh, msPerShape: secondsPerShape * 1000 }).map((point) => {
    const corePercent = loadPercentOf(point.nsPerSample, sampleRateHz);
    return { architecture: point.label, multiplyAddsPerSample: point.multiplyAddsPerSample, nsPerSample: point.nsPerSample, corePercent, fits: corePercent <= budgetPercent };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const header = ["architecture", "multiply-adds/sample", "ns/sample", `% of one core at ${sampleRateHz / 1000} kHz`, `≤ ${budgetPercent} %`];
  const body = rows.map((row) => [
    row.architecture, formatCount(row.multiplyAddsPerSample), row.nsPerSample.toFixed(0), row.corePercent.toFixed(1), row.fits ? "OK" : "KO",
  ]);
  process.stdout.write(`${formatTable([header, ...body], 1).join("\n")}\n`);
}
