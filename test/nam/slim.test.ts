// Slimming (nam-format.md 2.5, 2.6): slimModel against describeModel's slim widths, container
// selection, and the slimmed weights against the independent slicing of the float64 reference.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";

import {
  describeModel,
  expectedWeightCount,
  loadNamFile,
  parseNamText,
  totalWeightCount,
  type NamModel,
  type SlimmableContainerConfig,
} from "../../firmware/nam/index.js";
import { selectSubmodel, slimModel } from "../../firmware/nam/slim.js";
import { fixtures } from "../helpers/paths.js";
import { referenceSlimmedModel } from "../reference/nam-float64.js";
import { modelText, seededLinear, seededLstm, slimmableFeatureWaveNet, slimmableWaveNet, syntheticContainer } from "./synthetic-models.js";

const coreExamples = join(fixtures, "models", "core-examples");

async function slimmableModels(): Promise<NamModel[]> {
  return [
    parseNamText(modelText(slimmableWaveNet()), "slimmable-small.nam"),
    parseNamText(modelText(slimmableFeatureWaveNet()), "slimmable-features.nam"),
    await loadNamFile(join(coreExamples, "slimmable_wavenet.nam")),
    await loadNamFile(join(coreExamples, "slimmable_container.nam")),
    await loadNamFile(join(coreExamples, "A2.nam")),
  ];
}

/** The per-array widths of a WaveNet (or the sizes other architectures report), as describeModel lists them. */
function mainChannels(model: NamModel): number[] {
  const config = model.config;
  switch (config.architecture) {
    case "WaveNet":
      return config.layerArrays.map((array) => array.channels);
    case "LSTM":
      return [config.hiddenSize];
    case "ConvNet":
      return [config.channels];
    default:
      return [];
  }
}

test("slimModel at every listed width has the weights and channels describeModel reports", async () => {
  for (const model of await slimmableModels()) {
    const widths = describeModel(model).slimWidths!;
    assert.ok(widths.length >= 2, `${model.source}: ${widths.length} widths`);
    for (const width of widths) {
      for (const ratio of [width.ratioMin, (width.ratioMin + width.ratioMax) / 2]) {
        const slimmed = slimModel(model, ratio);
        const label = `${model.source} at ${ratio}`;
        assert.equal(totalWeightCount(slimmed), width.weights, label);
        assert.equal(slimmed.weights.length, expectedWeightCount(slimmed.config), label);
        assert.deepEqual(mainChannels(slimmed), width.channels, label);
      }
    }
  }
});

test("a container runs the first submodel with ratio < max_value (strict), null runs the last", () => {
  const model = parseNamText(
    modelText(
      syntheticContainer([
        { maxValue: 0.3, model: seededLstm(1, 2, 1) },
        { maxValue: 0.7, model: seededLinear(4, false, 2) },
        { maxValue: 1, model: seededLstm(1, 3, 3) },
      ]),
    ),
    "container.nam",
  );
  const config = model.config as SlimmableContainerConfig;
  const [first, second, third] = config.submodels.map((submodel) => submodel.model);
  const cases: [number, NamModel][] = [[0, first!], [0.2999, first!], [0.3, second!], [0.6999, second!], [0.7, third!], [1, third!]];
  for (const [ratio, expected] of cases) {
    assert.equal(selectSubmodel(config, ratio), expected, `ratio ${ratio}`);
    assert.equal(slimModel(model, ratio), expected, `ratio ${ratio}`);
  }
  assert.equal(slimModel(model, null), third);
});

test("slimmed WaveNet weights and shapes equal the reference's own slicing", async () => {
  const models = [
    parseNamText(modelText(slimmableWaveNet()), "slimmable-small.nam"),
    parseNamText(modelText(slimmableFeatureWaveNet()), "slimmable-features.nam"),
    await loadNamFile(join(coreExamples, "slimmable_wavenet.nam")),
  ];
  for (const model of models) {
    for (const ratio of [0, 0.2, 0.34, 0.4, 0.5, 0.6, 0.67, 0.9, 1]) {
      const slimmed = slimModel(model, ratio);
      const reference = referenceSlimmedModel(model, ratio);
      const label = `${model.source} at ${ratio}`;
      assert.deepEqual(slimmed.config, reference.config, label);
      assert.deepEqual(slimmed.weights, reference.weights, label);
    }
    assert.equal(slimModel(model, null), model, "null keeps the full model");
  }
});
