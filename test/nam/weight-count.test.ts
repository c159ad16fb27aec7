// Expected weight counts against the published numbers (nam-format.md 4.7, 6.1) and the reference files.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expectedWeightCount, loadNamFile, parseNamText, type NamModel, type WaveNetConfig } from "../../firmware/nam/index.js";
import { layerArrayWeightCount, layerWeightCount } from "../../firmware/nam/weight-count.js";
import { hasSharedReference, sharedReference } from "../helpers/paths.js";
import {
  A1_PRESETS,
  a1Preset,
  a2WaveNet,
  containerModel,
  convNetModel,
  featureWaveNet,
  linearModel,
  modelText,
  syntheticWeights,
  tinyWaveNet,
  type ModelJson,
} from "./synthetic-models.js";

function parse(model: ModelJson): NamModel {
  return parseNamText(modelText(model), "count.nam");
}

function waveNet(model: NamModel): WaveNetConfig {
  assert.equal(model.config.architecture, "WaveNet");
  return model.config as WaveNetConfig;
}

describe("WaveNet", () => {
  for (const name of Object.keys(A1_PRESETS) as (keyof typeof A1_PRESETS)[]) {
    for (const dialect of ["legacy", "current"] as const) {
      test(`A1 ${name} (${dialect} dialect): ${A1_PRESETS[name].weights} weights`, () => {
        const model = parse(a1Preset(name, dialect));
        assert.equal(expectedWeightCount(model.config), A1_PRESETS[name].weights);
      });
    }
  }

  test("A1 Standard per array: 10864 + 2937, then head_scale (4.7)", () => {
    const [first, second] = waveNet(parse(a1Preset("standard"))).layerArrays;
    assert.equal(layerArrayWeightCount(first!), 10864);
    assert.equal(layerArrayWeightCount(second!), 2937);
  });

  test("A2 submodels: 1871 at 3 channels, 12146 at 8", () => {
    assert.equal(expectedWeightCount(parse(a2WaveNet(3)).config), 1871);
    assert.equal(expectedWeightCount(parse(a2WaveNet(8)).config), 12146);
  });

  test("gating, grouped convs, head1x1, FiLMs and a head kernel: 2 + 44 + 48 + 5 + 1", () => {
    // Layer 0 (gated, K=2): conv 2·4·2/2 + 4, mixin 2·4, layer1x1 2·2/2 + 2, head1x1 2·2 + 2,
    // conv_pre_film (no shift) 2·2 + 2, activation_post_film (shift, groups 2) 2·4/2 + 4 = 44.
    // Layer 1 (blended, K=3): the conv grows to 2·4·3/2 + 4, the rest is the same = 48. Head conv 2·1·2 + 1.
    const array = waveNet(parse(featureWaveNet())).layerArrays[0]!;
    assert.equal(layerWeightCount(array, array.layers[0]!), 44);
    assert.equal(layerWeightCount(array, array.layers[1]!), 48);
    assert.equal(layerArrayWeightCount(array), 2 + 44 + 48 + 5);
  });

  test("a post-stack head adds its conv chain", () => {
    const model = tinyWaveNet();
    model.config.head = { channels: 3, out_channels: 1, kernel_sizes: [2, 3], activation: "ReLU" };
    // Blocks 1→3 (K=2) and 3→1 (K=3), each with bias: 6 + 3 + 9 + 1.
    model.weights = syntheticWeights(131 + 19);
    assert.equal(expectedWeightCount(parse(model).config), 150);
  });

  test("the condition DSP's weights are not counted in the parent", () => {
    const model = parse(featureWaveNet());
    assert.equal(expectedWeightCount(model.config), 100);
    assert.equal(waveNet(model).conditionDsp!.weights.length, 42);
  });
});

describe("LSTM, ConvNet, Linear, container", () => {
  const lstm = (numLayers: number, hiddenSize: number, outChannels = 1) =>
    expectedWeightCount({ architecture: "LSTM", numLayers, inputSize: 1, hiddenSize, inChannels: 1, outChannels });

  test("LSTM presets: STANDARD 2569, LITE 905, FEATHER 1201, NANO 709 (6.1)", () => {
    assert.equal(lstm(1, 24), 2569);
    assert.equal(lstm(2, 8), 905);
    assert.equal(lstm(1, 16), 1201);
    assert.equal(lstm(1, 12), 709);
  });

  test("LSTM head grows with out_channels", () => {
    assert.equal(lstm(1, 3, 2) - lstm(1, 3, 1), 3 + 1);
  });

  test("ConvNet with batchnorm, without, and grouped", () => {
    const base = parse(convNetModel()).config;
    assert.equal(expectedWeightCount(base), 33);
    assert.equal(base.architecture, "ConvNet");
    if (base.architecture !== "ConvNet") return;
    // Without batchnorm each block has a conv bias (C) instead of mean/var/γ/β/eps (4C + 1): 6 + 10 + 3.
    assert.equal(expectedWeightCount({ ...base, batchnorm: false }), 19);
    // Two groups on a 2-channel input halve the conv weights: (4 + 9) + (4 + 9) + 3.
    assert.equal(expectedWeightCount({ ...base, groups: 2, inChannels: 2 }), 29);
  });

  test("Linear: taps plus an optional bias", () => {
    assert.equal(expectedWeightCount(parse(linearModel()).config), 5);
    assert.equal(
      expectedWeightCount({ architecture: "Linear", receptiveField: 10, bias: false, inChannels: 1, outChannels: 1, implementation: "auto" }),
      10,
    );
  });

  test("a SlimmableContainer's own weights are ignored", () => {
    assert.equal(expectedWeightCount(parse(containerModel()).config), 0);
  });
});

describe("reference models (shared set)", () => {
  test("every model's expected count equals the manifest's", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const manifest = JSON.parse(await readFile(join(sharedReference, "manifest.json"), "utf8")) as {
      models: { file: string; n_weights_top_level: number }[];
    };
    for (const entry of manifest.models) {
      const model = await loadNamFile(join(sharedReference, entry.file));
      assert.equal(expectedWeightCount(model.config), entry.n_weights_top_level, entry.file);
    }
  });

  test("a2max_features_core: 818 top-level weights and 1052 in its condition DSP", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const model = await loadNamFile(join(sharedReference, "models", "a2max_features_core.nam"));
    assert.equal(expectedWeightCount(model.config), 818);
    assert.equal(expectedWeightCount(waveNet(model).conditionDsp!.config), 1052);
  });
});
