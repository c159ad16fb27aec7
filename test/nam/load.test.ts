// The loader on real files (shared reference set), both config dialects, version gating, metadata,
// weight conversion and the file-level checks of loadNamFile.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { NamFileError, describeModel, loadNamFile, parseNamText, type NamModel, type WaveNetConfig } from "../../firmware/nam/index.js";
import { hasSharedReference, repoRoot, sharedReference } from "../helpers/paths.js";
import { clone, containerModel, modelText, tinyWaveNet, type ModelJson } from "./synthetic-models.js";

interface ReferenceModel {
  id: string;
  file: string;
  architecture: string;
  preset: string;
  file_version: string;
  has_sample_rate_key: boolean;
  n_weights_top_level: number;
  nam_core_prewarm_samples: number;
  nam_core_expected_sample_rate: number;
}

const referenceModels: ReferenceModel[] = hasSharedReference
  ? (JSON.parse(await readFile(join(sharedReference, "manifest.json"), "utf8")) as { models: ReferenceModel[] }).models
  : [];

/** The class the manifest's preset implies: A1/LSTM presets by name, everything else custom. */
function expectedClass(model: ReferenceModel): string {
  if (model.preset.includes("not a preset")) return model.architecture === "LSTM" ? "custom-lstm" : "custom-wavenet";
  if (model.preset.startsWith("lstm-")) return model.preset.split(" ")[0]!;
  return `a1-${model.preset}`;
}

function parse(model: ModelJson, source = "model.nam"): NamModel {
  return parseNamText(modelText(model), source);
}

function waveNetConfig(model: NamModel): WaveNetConfig {
  assert.equal(model.config.architecture, "WaveNet");
  return model.config as WaveNetConfig;
}

describe("reference models (shared set)", () => {
  test("the manifest lists models", (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    assert.ok(referenceModels.length >= 9, `only ${referenceModels.length} models in the manifest`);
  });

  for (const reference of hasSharedReference ? referenceModels : []) {
    test(`${reference.id} loads with the core's weight count, prewarm and class`, async () => {
      const model = await loadNamFile(join(sharedReference, reference.file));
      const summary = describeModel(model);
      assert.equal(model.source, reference.file.split("/").pop());
      assert.equal(model.version, reference.file_version);
      assert.equal(model.versionWarning, null);
      assert.equal(model.config.architecture, reference.architecture);
      assert.equal(model.weights.length, reference.n_weights_top_level);
      assert.equal(summary.prewarmSamples, reference.nam_core_prewarm_samples);
      assert.equal(model.sampleRate ?? -1, reference.nam_core_expected_sample_rate);
      assert.equal(model.sampleRate !== null, reference.has_sample_rate_key);
      assert.equal(summary.class, expectedClass(reference));
      if (model.config.architecture === "WaveNet") {
        assert.equal(model.config.headScale, model.weights[model.weights.length - 1]);
      }
    });
  }

  test("every weight is the float32 rounding of the file's decimal", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const text = await readFile(join(sharedReference, "models", "standard_core_a1.nam"), "utf8");
    const decimals = (JSON.parse(text) as { weights: number[] }).weights;
    const model = parseNamText(text, "standard_core_a1.nam");
    assert.equal(model.weights.length, decimals.length);
    decimals.forEach((decimal, index) => assert.equal(model.weights[index], Math.fround(decimal), `weight ${index}`));
    assert.equal(waveNetConfig(model).headScale, Math.fround(0.02));
  });

  test("the two dialects of a FEATHER describe the same network", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const legacy = await loadNamFile(join(sharedReference, "models", "feather_dirtytree_dt33.nam"));
    const current = await loadNamFile(join(sharedReference, "models", "synth_feather_v070.nam"));
    assert.deepEqual(waveNetConfig(current).layerArrays, waveNetConfig(legacy).layerArrays);
    assert.equal(waveNetConfig(legacy).layerArrays[0]!.head.kernelSize, 1);
  });

  test("a2max_features_core: condition DSP with 1052 weights and every 0.6.0 feature", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const model = await loadNamFile(join(sharedReference, "models", "a2max_features_core.nam"));
    const config = waveNetConfig(model);
    assert.ok(config.conditionDsp !== null);
    assert.equal(config.conditionDsp.source, "a2max_features_core.nam#config.condition_dsp");
    assert.equal(config.conditionDsp.weights.length, 1052);
    const conditionConfig = waveNetConfig(config.conditionDsp);
    const [first, second] = conditionConfig.layerArrays;
    assert.deepEqual(first!.layers.map((layer) => layer.gating), ["gated", "gated"]);
    assert.deepEqual(first!.layers[0]!.secondaryActivation, { type: "Hardswish" });
    assert.deepEqual(second!.layers.map((layer) => layer.gating), ["blended", "gated", "gated"]);
    assert.deepEqual(second!.layers[0]!.activation, { type: "PReLU", negativeSlopes: [Math.fround(0.04), Math.fround(0.05)] });
    assert.deepEqual(second!.layers[0]!.secondaryActivation, {
      type: "LeakyHardtanh",
      minVal: 0,
      maxVal: Math.fround(0.9),
      minSlope: 0,
      maxSlope: Math.fround(0.02),
    });
    assert.deepEqual(second!.films.convPre, { shift: false, groups: 1 });
    // The parent: gating "none" with secondary_activation "" (ignored), eight active FiLMs.
    const parent = config.layerArrays[0]!;
    assert.ok(parent.layers.every((layer) => layer.gating === "none" && layer.secondaryActivation === null));
    assert.deepEqual(parent.films.layer1x1Post, { shift: true, groups: 8 });
    assert.equal(Object.values(parent.films).filter((film) => film !== null).length, 8);
    assert.deepEqual(parent.head1x1, { active: true, outChannels: 4, groups: 2 });
    assert.equal(parent.conditionSize, 8);
  });

  test("metadata is read and the date formatted", async (t) => {
    if (!hasSharedReference) return t.skip(`no shared reference set at ${sharedReference}`);
    const lstm = await loadNamFile(join(sharedReference, "models", "lstm_core_h3.nam"));
    assert.deepEqual(lstm.metadata, {
      name: "Test LSTM",
      modeledBy: "Steve",
      gearType: "amp",
      gearMake: "Darkglass Electronics",
      gearModel: "Microtubes 900 v2",
      toneType: "clean",
      loudnessDb: -37.8406867980957,
      gain: 0.13508800804658277,
      inputLevelDbu: 18.3,
      outputLevelDbu: 12.3,
      validationEsr: null,
      date: "2024-10-09T18:44:41",
    });
    const tiny = await loadNamFile(join(sharedReference, "models", "wavenet_tiny_core.nam"));
    assert.equal(tiny.metadata.validationEsr, 0.13345033695550146);
    const bare = await loadNamFile(join(sharedReference, "models", "standard_core_a1.nam"));
    assert.ok(Object.values(bare.metadata).every((value) => value === null));
  });
});

describe("config dialects", () => {
  test("legacy 0.5 keys and the 0.7.0 export give identical models", () => {
    const legacy = parse(tinyWaveNet("legacy"));
    const current = parse(tinyWaveNet("current"));
    assert.deepEqual(current.config, legacy.config);
    assert.deepEqual(current.weights, legacy.weights);
  });

  test("defaults of the legacy dialect", () => {
    const array = waveNetConfig(parse(tinyWaveNet("legacy"))).layerArrays[0]!;
    assert.equal(array.bottleneck, array.channels);
    assert.deepEqual(array.layer1x1, { active: true, groups: 1 });
    assert.equal(array.head1x1.active, false);
    assert.deepEqual(array.head, { outChannels: 2, kernelSize: 1, dilation: 1, bias: false });
    assert.equal(array.groupsInput, 1);
    assert.ok(Object.values(array.films).every((film) => film === null));
    assert.deepEqual(array.layers[0], { dilation: 1, kernelSize: 3, activation: { type: "Tanh" }, gating: "none", secondaryActivation: null });
    assert.equal(array.slimmable, null);
  });

  test("legacy gated: true means Sigmoid gates, whatever secondary_activation says", () => {
    const model = tinyWaveNet("legacy");
    Object.assign(model.config.layers[0], { gated: true, secondary_activation: "ReLU" });
    // Gating doubles the first array's conv and mixin outputs: 3 + 2·(60 + 6 + 12) + 6 = 165 instead of 99.
    const error = errorOf(() => parse(model));
    assert.equal(error.field, "weights");
    assert.match(error.detail, /the file has 131, the config needs 197$/);
    model.weights = new Array(197).fill(0.5);
    const layer = waveNetConfig(parse(model)).layerArrays[0]!.layers[1]!;
    assert.equal(layer.gating, "gated");
    assert.deepEqual(layer.secondaryActivation, { type: "Sigmoid" });
  });

  test("gating_mode wins over gated; a single secondary applies to every gated layer", () => {
    const model = tinyWaveNet("legacy");
    Object.assign(model.config.layers[1], { gated: true, gating_mode: "none", secondary_activation: "nonsense" });
    const layer = waveNetConfig(parse(model)).layerArrays[1]!.layers[0]!;
    assert.equal(layer.gating, "none");
    assert.equal(layer.secondaryActivation, null);
  });

  test("activation forms: object with parameters, LeakyHardTanh alias, Hardtanh ignores its bounds", () => {
    const model = tinyWaveNet("current");
    model.config.layers[0].activation = [
      { type: "LeakyReLU", negative_slope: 0.2 },
      { type: "Hardtanh", min_val: -3, max_val: 3 },
    ];
    model.config.layers[1].activation = "LeakyHardTanh";
    const [first, second] = waveNetConfig(parse(model)).layerArrays;
    assert.deepEqual(first!.layers[0]!.activation, { type: "LeakyReLU", negativeSlope: Math.fround(0.2) });
    assert.deepEqual(first!.layers[1]!.activation, { type: "Hardtanh" });
    assert.deepEqual(second!.layers[0]!.activation, {
      type: "LeakyHardtanh",
      minVal: -1,
      maxVal: 1,
      minSlope: Math.fround(0.01),
      maxSlope: Math.fround(0.01),
    });
  });

  test("string LeakyReLU and PReLU default to slope 0.01", () => {
    const model = tinyWaveNet("legacy");
    model.config.layers[0].activation = "LeakyReLU";
    model.config.layers[1].activation = { type: "PReLU" };
    const [first, second] = waveNetConfig(parse(model)).layerArrays;
    assert.deepEqual(first!.layers[0]!.activation, { type: "LeakyReLU", negativeSlope: Math.fround(0.01) });
    assert.deepEqual(second!.layers[0]!.activation, { type: "PReLU", negativeSlopes: [Math.fround(0.01)] });
  });

  test("FiLM keys: false or absent is off, an object is on unless active: false", () => {
    const model = tinyWaveNet("current");
    Object.assign(model.config.layers[0], {
      conv_pre_film: false,
      conv_post_film: { active: false, shift: true, groups: 1 },
      activation_pre_film: {},
    });
    delete model.config.layers[0].input_mixin_pre_film;
    // activation_pre_film on 3 channels with shift: a 1x1 from 1 to 6 rows plus bias = 12 weights per layer.
    assert.match(errorOf(() => parse(model)).detail, /the config needs 155$/);
    model.weights = new Array(131 + 2 * 12).fill(0.25);
    const films = waveNetConfig(parse(model)).layerArrays[0]!.films;
    assert.equal(films.convPre, null);
    assert.equal(films.convPost, null);
    assert.equal(films.inputMixinPre, null);
    assert.deepEqual(films.activationPre, { shift: true, groups: 1 });
  });

  test("a BOM before the JSON is skipped like the core's parser does", () => {
    const model = parseNamText(`\uFEFF${modelText(tinyWaveNet())}`, "bom.nam");
    assert.equal(model.weights.length, 131);
  });

  test("nested models get their own source and full field paths", () => {
    const container = parse(containerModel(), "box.nam");
    assert.equal(container.config.architecture, "SlimmableContainer");
    if (container.config.architecture !== "SlimmableContainer") return;
    assert.deepEqual(
      container.config.submodels.map((submodel) => [submodel.maxValue, submodel.model.source]),
      [
        [0.5, "box.nam#config.submodels[0].model"],
        [1, "box.nam#config.submodels[1].model"],
      ],
    );
    assert.equal(container.weights.length, 0);
    assert.equal(container.metadata.loudnessDb, -18.5);
  });

  test("Linear implementation names are case-insensitive with aliases", () => {
    const linear = (implementation: string) => {
      const model = parse({ version: "0.5.2", architecture: "Linear", config: { receptive_field: 2, bias: false, implementation }, weights: [1, 0] });
      return model.config.architecture === "Linear" ? model.config.implementation : undefined;
    };
    assert.equal(linear("AUTO"), "auto");
    assert.equal(linear("Legacy"), "direct");
    assert.equal(linear("old"), "direct");
    assert.equal(linear("Partitioned-FFT"), "fft");
    assert.equal(linear("partitioned_fft"), "fft");
  });
});

describe("version gating (nam-format.md 1.2)", () => {
  const accepted: [string, boolean][] = [
    ["0.5.0", false],
    ["0.5.4", false],
    ["0.6.0", false],
    ["0.7.0", false],
    ["0.7.1", true],
    ["0.7.99", true],
    ["00.05.00", false],
  ];
  for (const [version, warns] of accepted) {
    test(`${version} loads${warns ? " with a warning" : ""}`, () => {
      const model = parse({ ...tinyWaveNet(), version });
      assert.equal(model.version, version);
      if (warns) assert.match(model.versionWarning ?? "", new RegExp(`${version.replaceAll(".", "\\.")} is newer than 0\\.7\\.0`));
      else assert.equal(model.versionWarning, null);
    });
  }

  const rejected: unknown[] = ["0.4.9", "0.0.1", "0.8.0", "1.0.0", "1.5.0", "v0.5.0", "0.5", "0.5.0-beta", " 0.5.0", "0.5.0.1", "", "0.5.99999999999", 5, null];
  for (const version of rejected) {
    test(`${JSON.stringify(version)} is refused`, () => {
      const error = errorOf(() => parse({ ...tinyWaveNet(), version }));
      assert.equal(error.code, "version");
      assert.equal(error.field, "version");
    });
  }

  test("nested models are version-checked too", () => {
    const model = containerModel();
    model.config.submodels[1].model.version = "0.9.0";
    const error = errorOf(() => parse(model));
    assert.equal(error.code, "version");
    assert.equal(error.field, "config.submodels[1].model.version");
  });

  test("a warning on a nested model stays on that model", () => {
    const model = containerModel();
    model.config.submodels[0].model.version = "0.7.2";
    const loaded = parse(model);
    assert.equal(loaded.versionWarning, null);
    assert.ok(loaded.config.architecture === "SlimmableContainer" && loaded.config.submodels[0]!.model.versionWarning !== null);
  });
});

describe("loadNamFile", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-load-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("reads a file and names it by its base name", async () => {
    const path = join(dir, "tiny.nam");
    await writeFile(path, modelText(tinyWaveNet()));
    const model = await loadNamFile(path);
    assert.equal(model.source, "tiny.nam");
    assert.equal(model.sampleRate, 48000);
  });

  test("a missing file is an io error", async () => {
    const error = await rejectionOf(loadNamFile(join(dir, "absent.nam")));
    assert.equal(error.code, "io");
    assert.equal(error.message, "absent.nam: file not found");
  });

  test("a directory is an io error", async () => {
    await mkdir(join(dir, "folder.nam"));
    const error = await rejectionOf(loadNamFile(join(dir, "folder.nam")));
    assert.equal(error.code, "io");
    assert.equal(error.field, "");
  });

  test("a FIFO is refused without waiting for a writer", async (t) => {
    const path = join(dir, "pipe.nam");
    try {
      execFileSync("mkfifo", [path]);
    } catch {
      return t.skip("mkfifo is not available");
    }
    const error = await rejectionOf(loadNamFile(path));
    assert.equal(error.code, "io");
    assert.match(error.message, /not a regular file/);
  });

  test("a file over 64 MiB is refused before it is read", async () => {
    const path = join(dir, "huge.nam");
    await writeFile(path, "");
    await truncate(path, 64 * 1024 * 1024 + 1); // sparse: nothing to read, only the size is large
    const error = await rejectionOf(loadNamFile(path));
    assert.equal(error.code, "too-large");
    assert.equal(error.field, "");
    assert.match(error.message, /^huge\.nam: the file has 67108865 bytes/);
  });

  test("text that is not UTF-8 is a json error", async () => {
    const path = join(dir, "latin1.nam");
    await writeFile(path, Buffer.concat([Buffer.from('{"version": "0.5.0", "x": "'), Buffer.from([0xe9, 0xff]), Buffer.from('"}')]));
    const error = await rejectionOf(loadNamFile(path));
    assert.equal(error.code, "json");
    assert.match(error.message, /not UTF-8/);
  });

  const badFixtures: [string, string, string, RegExp][] = [
    ["nan-weights.nam", "json", "", /line 7, column 5 .*non-finite number \(NaN or Infinity\)/],
    ["infinity-metadata.nam", "json", "", /non-finite number/],
    ["truncated.nam", "json", "", /unexpected end of input .*truncated/],
    ["root-array.nam", "json", "", /root must be a JSON object/],
    ["lowercase-architecture.nam", "architecture", "architecture", /unknown architecture "wavenet" \(known: WaveNet, LSTM, ConvNet, Linear, SlimmableContainer\)/],
    ["film-null.nam", "config", "config.layers[0].conv_pre_film", /expected false or a FiLM object, found null/],
  ];
  for (const [file, code, field, message] of badFixtures) {
    test(`test/fixtures/nam-bad/${file} → ${code}`, async () => {
      const error = await rejectionOf(loadNamFile(join(repoRoot, "test", "fixtures", "nam-bad", file)));
      assert.equal(error.code, code);
      assert.equal(error.field, field);
      assert.ok(error.message.startsWith(field === "" ? `${file}: ` : `${file}: ${field}: `), error.message);
      assert.match(error.message, message);
    });
  }
});

describe("weights", () => {
  test("decimal → float64 → float32, integers allowed", () => {
    const model = clone(tinyWaveNet());
    model.weights[0] = 0.1;
    model.weights[1] = 3;
    model.weights[2] = 1e-50; // below the float32 range: rounds to zero like the core
    const weights = parse(model).weights;
    assert.equal(weights[0], Math.fround(0.1));
    assert.equal(weights[1], 3);
    assert.equal(weights[2], 0);
  });

  test("head_scale comes from the last weight, not the config", () => {
    const model = clone(tinyWaveNet());
    model.weights[130] = 0.75;
    model.config.head_scale = 123;
    assert.equal(waveNetConfig(parse(model)).headScale, 0.75);
  });
});

function errorOf(fn: () => unknown): NamFileError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NamFileError, `expected a NamFileError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected an error");
}

async function rejectionOf(promise: Promise<unknown>): Promise<NamFileError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NamFileError, `expected a NamFileError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a rejection");
}
