// Classes, labels, receptive field, prewarm, multiply-adds and slim widths of describeModel.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { describeModel, loadNamFile, parseNamText, slimChannelsForRatio, type ModelSummary, type WaveNetConfig } from "../../firmware/nam/index.js";
import { hasSharedReference, sharedReference } from "../helpers/paths.js";
import {
  A1_PRESETS,
  a1Preset,
  a2WaveNet,
  containerModel,
  convNetModel,
  featureWaveNet,
  legacyLayerArray,
  linearModel,
  lstmModel,
  modelText,
  slimmableWaveNet,
  syntheticWeights,
  tinyWaveNet,
  type ModelJson,
} from "./synthetic-models.js";

function summarize(model: ModelJson): ModelSummary {
  return describeModel(parseNamText(modelText(model), "model.nam"));
}

/** Multiply-adds of an A1 array per the documented formula: rechannel, per layer conv + mixin + layer1x1, head. */
function a1ArrayMacs(input: number, channels: number, head: number, layers: number): number {
  return input * channels + layers * (channels * channels * 3 + channels + channels * channels) + channels * head;
}

/** A2 at width C: 21 layers 7C² + C, 2 layers 16C² + C, rechannel C, head 16C, head_scale 1. */
const a2Macs = (C: number) => 21 * (7 * C * C + C) + 2 * (16 * C * C + C) + C + 16 * C + 1;

describe("A1 presets are recognised by shape", () => {
  for (const name of Object.keys(A1_PRESETS) as (keyof typeof A1_PRESETS)[]) {
    for (const dialect of ["legacy", "current"] as const) {
      test(`${name} (${dialect})`, () => {
        const summary = summarize(a1Preset(name, dialect));
        const preset = A1_PRESETS[name];
        assert.equal(summary.class, `a1-${name}`);
        assert.equal(summary.label, `A1 ${name[0]!.toUpperCase()}${name.slice(1)}`);
        assert.equal(summary.weights, preset.weights);
        assert.equal(summary.receptiveFieldSamples, 4093);
        assert.equal(summary.prewarmSamples, 4093);
        const firstLayers = preset.firstDilations.length;
        const secondLayers = preset.secondDilations.length;
        assert.equal(
          summary.multiplyAddsPerSample,
          a1ArrayMacs(1, preset.first, preset.second, firstLayers) + a1ArrayMacs(preset.first, preset.second, 1, secondLayers) + 1,
        );
        assert.equal(summary.slimWidths, undefined);
      });
    }
  }

  test("A1 Standard costs 13321 multiply-adds per sample", () => {
    assert.equal(summarize(a1Preset("standard")).multiplyAddsPerSample, 10544 + 2776 + 1);
  });

  const nearMisses: [string, (model: ModelJson) => void][] = [
    ["one ReLU layer", (m) => (m.config.layers[0].activation = Array.from({ length: 10 }, (_, i) => (i === 4 ? "ReLU" : "Tanh")))],
    ["Fasttanh instead of Tanh", (m) => (m.config.layers[1].activation = "Fasttanh")],
    ["one dilation changed", (m) => (m.config.layers[1].dilations[9] = 256)],
  ];
  for (const [change, edit] of nearMisses) {
    test(`a Standard with ${change} is a custom WaveNet`, () => {
      const model = a1Preset("standard");
      edit(model);
      const summary = summarize(model);
      assert.equal(summary.class, "custom-wavenet");
      assert.equal(summary.label, "Custom WaveNet");
    });
  }

  test("a 1x1 head's dilation has no effect, so it does not matter", () => {
    const model = a1Preset("standard");
    model.config.layers[0].head = { out_channels: 8, kernel_size: 1, bias: false, head_dilation: 2 };
    delete model.config.layers[0].head_size;
    assert.equal(summarize(model).class, "a1-standard");
  });

  test("names in the metadata do not make a preset", () => {
    const model = tinyWaveNet();
    model.metadata = { name: "A1 Standard", modeled_by: "standard" };
    assert.equal(summarize(model).class, "custom-wavenet");
  });
});

describe("A2", () => {
  test("the A2 shape at 8 channels", () => {
    const summary = summarize(a2WaveNet(8));
    assert.equal(summary.class, "a2");
    assert.equal(summary.label, "A2 (8 channels)");
    assert.equal(summary.weights, 12146);
    assert.equal(summary.receptiveFieldSamples, 6347);
    assert.equal(summary.prewarmSamples, 6347);
    assert.equal(summary.multiplyAddsPerSample, a2Macs(8));
  });

  test("another LeakyReLU slope is not A2", () => {
    const model = a2WaveNet(3);
    model.config.layers[0].activation[5] = { type: "LeakyReLU", negative_slope: 0.02 };
    assert.equal(summarize(model).class, "custom-wavenet");
  });

  test("a container of A2 submodels offers both widths", () => {
    const model: ModelJson = {
      version: "0.7.0",
      architecture: "SlimmableContainer",
      config: {
        submodels: [
          { max_value: 0.5, model: a2WaveNet(3) },
          { max_value: 1.0, model: a2WaveNet(8) },
        ],
      },
      weights: [],
      sample_rate: 48000,
    };
    const summary = summarize(model);
    assert.equal(summary.class, "a2");
    assert.equal(summary.label, "A2 (2 sizes)");
    assert.equal(summary.weights, 1871 + 12146);
    assert.equal(summary.prewarmSamples, 6347);
    assert.equal(summary.multiplyAddsPerSample, a2Macs(8)); // the default is the last, largest submodel
    assert.deepEqual(summary.slimWidths, [
      { ratioMin: 0, ratioMax: 0.5, channels: [3], weights: 1871, multiplyAddsPerSample: a2Macs(3) },
      { ratioMin: 0.5, ratioMax: 1, channels: [8], weights: 12146, multiplyAddsPerSample: a2Macs(8) },
    ]);
  });

  test("a slimmable WaveNet lists each width with its cost", () => {
    const summary = summarize(slimmableWaveNet());
    assert.equal(summary.class, "a2");
    assert.equal(summary.label, "A2 slimmable (2 sizes)");
    assert.equal(summary.weights, 162);
    // Full width 4: rechannel 4 + 2·(48 + 4 + 16) + head 4 + head_scale 1; width 2: 2 + 2·(12 + 2 + 4) + 2 + 1.
    assert.equal(summary.multiplyAddsPerSample, 145);
    assert.deepEqual(summary.slimWidths, [
      { ratioMin: 0, ratioMax: 0.5, channels: [2], weights: 50, multiplyAddsPerSample: 41 },
      { ratioMin: 0.5, ratioMax: 1, channels: [4], weights: 162, multiplyAddsPerSample: 145 },
    ]);
  });

  test("two slimmable arrays switch at the union of their breakpoints", () => {
    const model: ModelJson = {
      version: "0.7.0",
      architecture: "WaveNet",
      config: {
        layers: [
          { ...legacyLayerArray({ inputSize: 1, channels: 2, headSize: 3, headBias: false, dilations: [1] }), slimmable: { method: "slice_channels_uniform", kwargs: { allowed_channels: [1, 2] } } },
          { ...legacyLayerArray({ inputSize: 2, channels: 3, headSize: 1, headBias: true, dilations: [1] }), slimmable: { method: "slice_channels_uniform" } },
        ],
        head: null,
        head_scale: 0.02,
      },
      // Array 1: 2 + 22 + 2·3; array 2: 6 + 45 + 3 + 1; head_scale.
      weights: syntheticWeights(86),
    };
    const widths = summarize(model).slimWidths!;
    assert.deepEqual(
      widths.map((width) => [width.ratioMin, width.ratioMax, width.channels]),
      [
        [0, 1 / 3, [1, 1]],
        [1 / 3, 1 / 2, [1, 2]],
        [1 / 2, 2 / 3, [2, 2]],
        [2 / 3, 1, [2, 3]],
      ],
    );
    // Widths 1 and 1: array 1 = 1 + 7 + 1·1 (head to the next array's 1 channel), array 2 = 1 + 7 + 1 + 1, head_scale.
    assert.equal(widths[0]!.weights, 20);
    assert.equal(widths[3]!.weights, 86);
  });

  test("slim ratio → width follows the core's floor(r·n), clamped", () => {
    const array = (parseNamText(modelText(slimmableWaveNet()), "s.nam").config as WaveNetConfig).layerArrays;
    const wide = [{ ...array[0]!, slimmable: { allowedChannels: [1, 2, 3] } }];
    assert.deepEqual([0, 0.33, 0.34, 0.66, 0.67, 1].map((ratio) => slimChannelsForRatio(wide, ratio)[0]), [1, 1, 2, 2, 3, 3]);
  });
});

describe("other architectures", () => {
  test("a generic container", () => {
    const summary = summarize(containerModel());
    assert.equal(summary.class, "slimmable-container");
    assert.equal(summary.label, "Slimmable container (2 models)");
    assert.equal(summary.weights, 70 + 131);
    assert.equal(summary.receptiveFieldSamples, 23);
    assert.equal(summary.prewarmSamples, 23);
    assert.equal(summary.metadata.loudnessDb, -18.5);
    // LSTM 1×3: 4·3·(1 + 3) + 3·3 + 3; tiny WaveNet: (3 + 2·39 + 6) + (6 + 18 + 2) + 1.
    assert.deepEqual(summary.slimWidths, [
      { ratioMin: 0, ratioMax: 0.5, channels: [3], weights: 70, multiplyAddsPerSample: 60 },
      { ratioMin: 0.5, ratioMax: 1, channels: [3, 2], weights: 131, multiplyAddsPerSample: 114 },
    ]);
  });

  test("LSTM presets and prewarm from the sample rate", () => {
    const cases: [number, number, string][] = [
      [1, 24, "lstm-standard"],
      [2, 8, "lstm-lite"],
      [1, 16, "lstm-feather"],
      [1, 12, "lstm-nano"],
      [1, 3, "custom-lstm"],
      [3, 8, "custom-lstm"],
    ];
    for (const [layers, hidden, modelClass] of cases) {
      const summary = summarize(lstmModel(layers, hidden));
      assert.equal(summary.class, modelClass);
      assert.equal(summary.label, `LSTM ${layers}×${hidden}`);
      assert.equal(summary.receptiveFieldSamples, 1);
    }
    const prewarm = (extra: ModelJson) => summarize(lstmModel(1, 3, extra)).prewarmSamples;
    assert.equal(prewarm({}), 1);
    assert.equal(prewarm({ sample_rate: 48000 }), 24000);
    assert.equal(prewarm({ sample_rate: 44100.7 }), 22050);
    assert.equal(prewarm({ sample_rate: 1.5 }), 1);
    // 2×8: layer 1 4·8·9 + 24, layer 2 4·8·16 + 24, head 8.
    assert.equal(summarize(lstmModel(2, 8)).multiplyAddsPerSample, 312 + 536 + 8);
  });

  test("ConvNet", () => {
    const summary = summarize(convNetModel());
    assert.equal(summary.class, "convnet");
    assert.equal(summary.label, "ConvNet");
    assert.equal(summary.receptiveFieldSamples, 4);
    assert.equal(summary.prewarmSamples, 4);
    // Blocks 2·1·2 + 2 (batchnorm) and 2·2·2 + 2, head 2.
    assert.equal(summary.multiplyAddsPerSample, 18);
  });

  test("Linear", () => {
    const summary = summarize(linearModel());
    assert.equal(summary.class, "linear");
    assert.equal(summary.label, "Linear (4 taps)");
    assert.equal(summary.receptiveFieldSamples, 4);
    assert.equal(summary.prewarmSamples, 0);
    assert.equal(summary.multiplyAddsPerSample, 4);
  });

  test("a WaveNet with every 0.6.0 feature and an LSTM condition DSP", () => {
    const summary = summarize(featureWaveNet());
    assert.equal(summary.class, "custom-wavenet");
    assert.equal(summary.weights, 100 + 42);
    // 1 + layers (1·1 + 2·2) + head conv 2·1; the LSTM condition DSP has no window (RF 1) but prewarms 24000.
    assert.equal(summary.receptiveFieldSamples, 8);
    assert.equal(summary.prewarmSamples, 24000 + 7);
    // Rechannel 2 + head 4 + head_scale 1; layer 0: conv 8 + mixin 8 + gate 2 + layer1x1 2 + head1x1 4 + FiLMs (4 + 2) + (4 + 2);
    // layer 1: conv 12 + mixin 8 + blend 4 + 2 + 4 + FiLMs 12 (its layer1x1 FiLM is off); LSTM 1×2 with 2 outputs: 24 + 6 + 4.
    assert.equal(summary.multiplyAddsPerSample, 7 + 36 + 42 + 34);
  });

  test("layer1x1_post_film only costs in blended layers (core quirk)", () => {
    const model = featureWaveNet();
    model.config.layers[0].layer1x1_post_film = { groups: 1 };
    model.weights = syntheticWeights(100 + 2 * (2 * 4 + 4)); // shift: 1x1 from 2 to 4 rows plus bias, per layer
    const withFilm = summarize(model).multiplyAddsPerSample;
    assert.equal(withFilm - 119, 2 * 4 + 2); // only layer 1 (blended) applies it
  });

  test("summaries carry sample rate, metadata and the version warning", () => {
    const model = { ...tinyWaveNet(), version: "0.7.3", metadata: { gain: 0.3, gear_type: "amp" } };
    const summary = summarize(model);
    assert.equal(summary.sampleRate, 48000);
    assert.equal(summary.metadata.gain, 0.3);
    assert.equal(summary.metadata.gearType, "amp");
    assert.match(summary.versionWarning ?? "", /0\.7\.3/);
    assert.equal("slimWidths" in summary, false);
  });
});

describe("reference models (shared set)", () => {
  test("receptive field and prewarm agree with the core for every model", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const manifest = JSON.parse(await readFile(join(sharedReference, "manifest.json"), "utf8")) as {
      models: { file: string; architecture: string; nam_core_prewarm_samples: number }[];
    };
    for (const entry of manifest.models) {
      const summary = describeModel(await loadNamFile(join(sharedReference, entry.file)));
      assert.equal(summary.prewarmSamples, entry.nam_core_prewarm_samples, entry.file);
      const expectedField = entry.architecture === "LSTM" ? 1 : entry.nam_core_prewarm_samples;
      assert.equal(summary.receptiveFieldSamples, expectedField, entry.file);
    }
  });

  test("a2max_features_core: the condition DSP's receptive field leads the parent's", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const model = await loadNamFile(join(sharedReference, "models", "a2max_features_core.nam"));
    const condition = describeModel((model.config as WaveNetConfig).conditionDsp!);
    assert.equal(condition.receptiveFieldSamples, 22);
    assert.equal(describeModel(model).receptiveFieldSamples, 22 + 3 * 1 + 3 * 2);
    assert.equal(describeModel(model).weights, 818 + 1052);
  });
});
