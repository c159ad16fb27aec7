// The real-time budget: the calibration shapes are the real presets, the calibration measures and
// caches, the cost model interpolates, and admission refuses, slims or admits with the right words.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureInterleaved } from "../../firmware/cli/bench/interleaved-timing.js";
import type { CalibrationPoint } from "../../firmware/budget/calibration.js";
import { measureReferenceShapes } from "../../firmware/budget/calibration.js";
import { loadPercentOf, predictNsPerSample } from "../../firmware/budget/cost-model.js";
import { identifyMachine } from "../../firmware/budget/machine.js";
import { CALIBRATION_FILE_NAME, DspBudget, OverBudgetError, type BudgetSettings } from "../../firmware/budget/model-budget.js";
import { referenceShapes } from "../../firmware/budget/reference-shapes.js";
import { loadDsp } from "../../firmware/dsp/index.js";
import { describeModel, loadNamFile, totalWeightCount } from "../../firmware/nam/index.js";
import { fixtures } from "../helpers/paths.js";
import { PI4_LIKE_CALIBRATION } from "../server/helper.js";

const models = {
  standard: join(fixtures, "reference", "models", "standard_core_a1.nam"),
  feather: join(fixtures, "reference", "models", "synth_feather_v070.nam"),
  a2: join(fixtures, "models", "core-examples", "A2.nam"),
  customWaveNet: join(fixtures, "reference", "models", "wavenet_tiny_core.nam"),
};
const summaryOf = async (path: string) => describeModel(await loadNamFile(path));
const settings = (overrides: Partial<BudgetSettings> = {}): BudgetSettings => ({
  sampleRateHz: 48000, periodFrames: 128, tanh: "fast", maxModelLoadPercent: 60, calibrationMsPerShape: 30, ...overrides,
});
const silentLog = { info: () => {}, warn: () => {} };
const pi4 = identifyMachine("Raspberry Pi 4 Model B Rev 1.5");

async function budgetWith(points: CalibrationPoint[], overrides: Partial<BudgetSettings> = {}): Promise<DspBudget> {
  const budget = new DspBudget({ dsp: await loadDsp(), dataDir: "/nonexistent", machine: pi4, namstompVersion: "test", settings: settings(overrides), log: silentLog, fixedCalibration: points });
  await budget.start();
  return budget;
}

describe("reference shapes", () => {
  it("are the presets they stand for", () => {
    for (const shape of referenceShapes()) {
      const summary = describeModel(shape.model);
      assert.equal(summary.class, shape.modelClass, shape.id);
      assert.equal(summary.multiplyAddsPerSample, shape.multiplyAddsPerSample, shape.id);
      assert.equal(shape.model.weights.length, totalWeightCount(shape.model), shape.id);
      assert.ok(shape.model.weights.every((w) => Number.isFinite(w) && Math.abs(w) <= 0.05), shape.id);
    }
  });

  it("cost what the real models of the same shape cost", async (t) => {
    const dsp = await loadDsp();
    const standardShape = referenceShapes().find((shape) => shape.id === "a1-standard")!;
    const runners = [standardShape.model, await loadNamFile(models.standard)].map((model) =>
      dsp.createRunner(model, { maxBlockFrames: 128, prewarm: true, tanh: "fast", slim: null }));
    const input = Array.from({ length: 64 }, (_, block) => Float32Array.from({ length: 128 }, (_, i) => 0.3 * Math.sin((block * 128 + i) * 0.05)));
    const [synthetic, real] = measureInterleaved(runners, input, { rounds: 5, measuredSecondsPerEngine: 0.25, maxWarmupSeconds: 0.05 });
    for (const runner of runners) runner.dispose();
    t.diagnostic(`A1 Standard: synthetic weights ${synthetic!.toFixed(0)} ns/sample, standard_core_a1.nam ${real!.toFixed(0)} ns/sample`);
    assert.ok(real! / synthetic! > 0.7 && real! / synthetic! < 1.4, `${real} vs ${synthetic}`);
  });
});

describe("calibration", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "namstomp-budget-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("times every shape, larger presets slower", async () => {
    const points = measureReferenceShapes(await loadDsp(), { periodFrames: 128, tanh: "fast", msPerShape: 30 });
    const ns = Object.fromEntries(points.map((point) => [point.id, point.nsPerSample]));
    assert.ok(points.every((point) => point.nsPerSample > 0));
    assert.ok(ns["a1-nano"]! < ns["a1-feather"]! && ns["a1-feather"]! < ns["a1-lite"]! && ns["a1-lite"]! < ns["a1-standard"]!, JSON.stringify(ns));
    assert.ok(ns["a2-3ch"]! < ns["a2-8ch"]!, JSON.stringify(ns));
  });

  it("measures once per machine and version, then reads the cache", async () => {
    const machine = identifyMachine(null);
    const start = async (version: string) => {
      const budget = new DspBudget({ dsp: await loadDsp(), dataDir, machine, namstompVersion: version, settings: settings(), log: silentLog });
      await budget.start();
      return budget.calibration();
    };
    const first = await start("1.0.0");
    const second = await start("1.0.0");
    assert.deepEqual(second, first);
    const upgraded = await start("1.0.1");
    assert.notEqual(upgraded.measuredAt, first.measuredAt);
    const cache = JSON.parse(await readFile(join(dataDir, CALIBRATION_FILE_NAME), "utf8")) as { calibrations: { key: { namstompVersion: string } }[] };
    assert.deepEqual(cache.calibrations.map((c) => c.key.namstompVersion), ["1.0.1", "1.0.0"]);
  });
});

describe("cost model", () => {
  it("returns a calibrated shape's own time and interpolates between shapes", () => {
    const lite = PI4_LIKE_CALIBRATION.find((p) => p.id === "a1-lite")!;
    const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} ≠ ${expected}`);
    close(predictNsPerSample(PI4_LIKE_CALIBRATION, "wavenet-a1", lite.multiplyAddsPerSample), lite.nsPerSample);
    const between = predictNsPerSample(PI4_LIKE_CALIBRATION, "wavenet-a1", 4000);
    assert.ok(between > 3900 && between < 8000, String(between));
    // Outside the calibrated range the nearest shape's time per multiply-add holds.
    close(predictNsPerSample(PI4_LIKE_CALIBRATION, "wavenet-a1", 100), (1800 / 733) * 100);
    close(loadPercentOf(14_000, 48000), 67.2);
  });
});

describe("admission", () => {
  it("on a Pi 4: refuses A1 Standard naming what fits, admits Feather, slims A2", async () => {
    const budget = await budgetWith(PI4_LIKE_CALIBRATION);
    const standard = budget.estimate(await summaryOf(models.standard));
    assert.equal(standard.chosen, null);
    assert.equal(standard.message, "A1 Standard needs ~67 % of the audio period on this Raspberry Pi 4 (models may use up to 60 %); A1 Lite/Feather/Nano fit.");
    assert.throws(() => budget.admit(describeModel(referenceShapes()[0]!.model), null), OverBudgetError);

    const feather = budget.estimate(await summaryOf(models.feather));
    assert.equal(feather.chosen?.fits, true);
    assert.equal(feather.message, "~19 % of the audio period (budget 60 %)");

    const a2Summary = await summaryOf(models.a2);
    const a2 = budget.estimate(a2Summary);
    assert.equal(a2.slimmed, true);
    assert.equal(budget.admit(a2Summary, null), 0);
    assert.throws(() => budget.admit(a2Summary, 0.9), /A2 \(2 sizes\) at full width \(8 channels\) needs ~65 %/);
  });

  it("on a Pi 5 (twice as fast): admits A1 Standard and the full A2", async () => {
    const pi5 = PI4_LIKE_CALIBRATION.map((point) => ({ ...point, nsPerSample: point.nsPerSample / 2 }));
    const budget = await budgetWith(pi5);
    assert.equal(budget.estimate(await summaryOf(models.standard)).chosen?.fits, true);
    assert.equal(budget.admit(await summaryOf(models.a2), null), null);
  });

  it("follows the configured limit and rate, and marks guesses for unknown shapes", async () => {
    const strict = await budgetWith(PI4_LIKE_CALIBRATION, { maxModelLoadPercent: 15 });
    assert.deepEqual(strict.referenceVerdicts().filter((r) => r.family === "wavenet-a1").map((r) => r.fits), [false, false, false, true]);
    assert.match(strict.estimate(await summaryOf(models.standard)).message, /A1 Nano fits\.$/);
    const none = await budgetWith(PI4_LIKE_CALIBRATION, { maxModelLoadPercent: 1 });
    assert.match(none.estimate(await summaryOf(models.feather)).message, /no A1 preset fits at this sample rate either\.$/);
    const custom = (await budgetWith(PI4_LIKE_CALIBRATION)).estimate(await summaryOf(models.customWaveNet));
    assert.equal(custom.approximate, true);
    assert.equal(custom.family, "wavenet-a1");
  });
});
