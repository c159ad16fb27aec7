// A corpus of malformed models, each made by one edit of a valid synthetic model (or raw text):
// every case must fail with the right NamFileError code and the exact JSON path of the culprit.
// Needs no shared data.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { NAM_LIMITS, NamFileError, parseNamText, type NamErrorCode } from "../../firmware/nam/index.js";
import { repoRoot } from "../helpers/paths.js";
import {
  clone,
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

interface BadCase {
  name: string;
  /** The valid model to start from (default: the legacy tiny WaveNet). */
  base?: () => ModelJson;
  /** One edit making it invalid. */
  edit?: (model: ModelJson) => void;
  /** Raw text instead of a model object. */
  text?: string;
  code: NamErrorCode;
  field: string;
  /** Extra expectation on the detail part of the message. */
  detail?: RegExp;
}

const tiny = () => tinyWaveNet("legacy");
const current = () => tinyWaveNet("current");
const layer0 = (model: ModelJson) => model.config.layers[0] as ModelJson;
const layer1 = (model: ModelJson) => model.config.layers[1] as ModelJson;

/** A one-array WaveNet of the given width (input 1, head 1), for size limits. */
function singleArray(channels: number, dilations: number[] = [1], kernelSize = 3): (model: ModelJson) => void {
  return (model) => {
    model.config.layers = [legacyLayerArray({ inputSize: 1, channels, headSize: 1, headBias: true, dilations, kernelSize })];
  };
}

/** Wraps the feature model's LSTM condition DSP in WaveNets that use it as their own condition DSP, `levels` times. */
function nestConditionDsp(levels: number): (model: ModelJson) => void {
  return (model) => {
    let inner = model.config.condition_dsp as ModelJson;
    for (let level = 0; level < levels; level++) {
      const wrapper = clone(featureWaveNet());
      wrapper.config.condition_dsp = inner;
      // A condition DSP must output the 2 condition channels: the head conv grows from 2·1·2 + 1 to 2·2·2 + 2 weights.
      wrapper.config.layers[0].head.out_channels = 2;
      wrapper.weights = syntheticWeights(105);
      inner = wrapper;
    }
    model.config.condition_dsp = inner;
  };
}

const cases: BadCase[] = [
  // --- JSON text
  { name: "empty text", text: "", code: "json", field: "", detail: /^the file is empty$/ },
  { name: "only whitespace", text: " \n\t ", code: "json", field: "", detail: /empty/ },
  { name: "truncated JSON", text: modelText(tiny()).slice(0, 300), code: "json", field: "", detail: /unexpected end of input at line 1, column 301 \(offset 300\) \(the file looks truncated\)/ },
  { name: "bare NaN weight", text: modelText(linearModel()).replace(/"weights": ?\[[^,]*/, '"weights":[NaN'), code: "json", field: "", detail: /unexpected "N" .*non-finite number/ },
  { name: "bare Infinity weight", text: modelText(linearModel()).replace(/"weights": ?\[[^,]*/, '"weights":[Infinity'), code: "json", field: "", detail: /unexpected "I" .*non-finite/ },
  { name: "-Infinity weight", text: modelText(linearModel()).replace(/"weights": ?\[[^,]*/, '"weights":[-Infinity'), code: "json", field: "", detail: /non-finite/ },
  { name: "trailing comma", text: '{"version": "0.5.0",}', code: "json", field: "", detail: /unexpected "}" at line 1, column 21/ },
  { name: "two documents", text: "{} {}", code: "json", field: "", detail: /unexpected "\{" at line 1, column 4/ },
  { name: "single-quoted key on line 2", text: "{\n'version': 1}", code: "json", field: "", detail: /line 2, column 1/ },
  { name: "root is an array", text: "[]", code: "json", field: "", detail: /root must be a JSON object, found an array/ },
  { name: "root is null", text: "null", code: "json", field: "" },

  // --- required root keys, version, architecture
  { name: "missing version", edit: (m) => delete m.version, code: "version", field: "version", detail: /^missing \(required\)$/ },
  { name: "version too old", edit: (m) => (m.version = "0.4.0"), code: "version", field: "version", detail: /older than 0\.5\.0/ },
  { name: "version too new", edit: (m) => (m.version = "0.8.0"), code: "version", field: "version", detail: /newer than 0\.7\.x/ },
  { name: "version with v prefix", edit: (m) => (m.version = "v0.5.4"), code: "version", field: "version" },
  { name: "version as a number", edit: (m) => (m.version = 0.5), code: "version", field: "version" },
  { name: "missing architecture", edit: (m) => delete m.architecture, code: "architecture", field: "architecture" },
  { name: "architecture in lower case", edit: (m) => (m.architecture = "wavenet"), code: "architecture", field: "architecture", detail: /known: WaveNet, LSTM, ConvNet, Linear, SlimmableContainer/ },
  { name: "trainer-only Sequential", edit: (m) => (m.architecture = "Sequential"), code: "architecture", field: "architecture" },
  { name: "architecture null", edit: (m) => (m.architecture = null), code: "architecture", field: "architecture" },
  { name: "missing config", edit: (m) => delete m.config, code: "config", field: "config" },
  { name: "config is an array", edit: (m) => (m.config = []), code: "config", field: "config", detail: /expected an object, found an array/ },
  { name: "missing weights", edit: (m) => delete m.weights, code: "weights", field: "weights" },

  // --- weights
  { name: "weights is a string", edit: (m) => (m.weights = "0.1, 0.2"), code: "weights", field: "weights", detail: /expected an array of numbers/ },
  { name: "one weight too few", edit: (m) => m.weights.pop(), code: "weights", field: "weights", detail: /^too few weights: the file has 130, the config needs 131$/ },
  { name: "one weight too many", edit: (m) => m.weights.push(0), code: "weights", field: "weights", detail: /^too many weights: the file has 132, the config needs 131$/ },
  { name: "weight given as a string", edit: (m) => (m.weights[5] = "0.1"), code: "weights", field: "weights[5]", detail: /found the string "0\.1"/ },
  { name: "null weight", edit: (m) => (m.weights[3] = null), code: "weights", field: "weights[3]", detail: /found null/ },
  { name: "weight beyond float32", edit: (m) => (m.weights[0] = 1e39), code: "weights", field: "weights[0]", detail: /not a finite float32/ },
  { name: "weight overflowing float64 (1e400 parses as Infinity)", text: modelText(linearModel()).replace(/"weights": ?\[[^,]*/, '"weights":[1e400'), code: "weights", field: "weights[0]" },
  { name: "linear with a missing bias weight", base: linearModel, edit: (m) => m.weights.pop(), code: "weights", field: "weights", detail: /has 4, the config needs 5/ },
  { name: "container weights missing", base: containerModel, edit: (m) => delete m.weights, code: "weights", field: "weights" },

  // --- sample_rate and metadata
  { name: "sample_rate null", edit: (m) => (m.sample_rate = null), code: "config", field: "sample_rate" },
  { name: "sample_rate as a string", edit: (m) => (m.sample_rate = "48000"), code: "config", field: "sample_rate" },
  { name: "sample_rate zero", edit: (m) => (m.sample_rate = 0), code: "config", field: "sample_rate" },
  { name: "absurd sample_rate", edit: (m) => (m.sample_rate = 1e9), code: "too-large", field: "sample_rate" },
  { name: "loudness as text", edit: (m) => (m.metadata = { loudness: "loud" }), code: "config", field: "metadata.loudness", detail: /expected a number \(dB\) or null/ },
  { name: "input level as a boolean", edit: (m) => (m.metadata = { input_level_dbu: true }), code: "config", field: "metadata.input_level_dbu" },
  { name: "output level as an object", edit: (m) => (m.metadata = { output_level_dbu: {} }), code: "config", field: "metadata.output_level_dbu" },
  { name: "metadata as a string", edit: (m) => (m.metadata = "Fender"), code: "config", field: "metadata" },

  // --- WaveNet structure
  { name: "no layer arrays", edit: (m) => (m.config.layers = []), code: "config", field: "config.layers" },
  { name: "missing head_scale", edit: (m) => delete m.config.head_scale, code: "config", field: "config.head_scale" },
  { name: "negative dilation", edit: (m) => (layer1(m).dilations = [1, -2]), code: "config", field: "config.layers[1].dilations", detail: /^expected an array of positive integers \(item 1 is -2\)$/ },
  { name: "fractional dilation", edit: (m) => (layer0(m).dilations = [1, 2.5]), code: "config", field: "config.layers[0].dilations" },
  { name: "empty dilations", edit: (m) => (layer0(m).dilations = []), code: "config", field: "config.layers[0].dilations" },
  { name: "missing channels", edit: (m) => delete layer0(m).channels, code: "config", field: "config.layers[0].channels", detail: /^missing \(required\)$/ },
  { name: "channels zero", edit: (m) => (layer0(m).channels = 0), code: "config", field: "config.layers[0].channels" },
  { name: "layer array is a string", edit: (m) => (m.config.layers[1] = "big"), code: "config", field: "config.layers[1]" },
  { name: "both kernel_size and kernel_sizes", edit: (m) => (layer0(m).kernel_sizes = [3, 3]), code: "config", field: "config.layers[0]", detail: /both kernel_size and kernel_sizes/ },
  { name: "neither kernel_size nor kernel_sizes", edit: (m) => delete layer0(m).kernel_size, code: "config", field: "config.layers[0]" },
  { name: "kernel_sizes shorter than dilations", base: current, edit: (m) => (layer0(m).kernel_sizes = [3]), code: "config", field: "config.layers[0].kernel_sizes", detail: /has 1 entries, expected one per dilation \(2\)/ },
  { name: "kernel size zero", edit: (m) => (layer1(m).kernel_size = 0), code: "config", field: "config.layers[1].kernel_size" },
  { name: "unknown activation spelling", edit: (m) => (layer0(m).activation = "tanh"), code: "config", field: "config.layers[0].activation", detail: /unknown activation "tanh"/ },
  { name: "trainer-only Softsigmoid", edit: (m) => (layer1(m).activation = { type: "Softsigmoid" }), code: "config", field: "config.layers[1].activation.type" },
  { name: "activation object without type", edit: (m) => (layer1(m).activation = { negative_slope: 0.1 }), code: "config", field: "config.layers[1].activation.type" },
  { name: "activation list too short", base: current, edit: (m) => layer0(m).activation.pop(), code: "config", field: "config.layers[0].activation" },
  { name: "bad activation inside a list", base: current, edit: (m) => (layer0(m).activation = [{ type: "Tanh" }, 7]), code: "config", field: "config.layers[0].activation[1]" },
  { name: "LeakyReLU slope as text", edit: (m) => (layer0(m).activation = { type: "LeakyReLU", negative_slope: "0.1" }), code: "config", field: "config.layers[0].activation.negative_slope" },
  { name: "missing activation", edit: (m) => delete layer0(m).activation, code: "config", field: "config.layers[0].activation" },
  { name: "unknown gating mode", edit: (m) => (layer0(m).gating_mode = "sometimes"), code: "config", field: "config.layers[0].gating_mode" },
  { name: "bad gating mode in a list", base: current, edit: (m) => (layer0(m).gating_mode = ["none", "gate"]), code: "config", field: "config.layers[0].gating_mode[1]" },
  { name: "gating list too long", base: current, edit: (m) => layer0(m).gating_mode.push("none"), code: "config", field: "config.layers[0].gating_mode" },
  { name: "legacy gated as text", edit: (m) => (layer0(m).gated = "yes"), code: "config", field: "config.layers[0].gated" },
  { name: "legacy head without head_bias", edit: (m) => delete layer0(m).head_bias, code: "config", field: "config.layers[0].head_bias" },
  { name: "no head description at all", edit: (m) => delete layer0(m).head_size, code: "config", field: "config.layers[0].head", detail: /head object or head_size and head_bias/ },
  { name: "head object without kernel_size", base: current, edit: (m) => delete layer0(m).head.kernel_size, code: "config", field: "config.layers[0].head.kernel_size" },
  { name: "head kernel_size zero", base: current, edit: (m) => (layer1(m).head.kernel_size = 0), code: "config", field: "config.layers[1].head.kernel_size" },
  { name: "head object is a number", base: current, edit: (m) => (layer0(m).head = 2), code: "config", field: "config.layers[0].head" },
  { name: "head bias as a number", base: current, edit: (m) => (layer1(m).head.bias = 1), code: "config", field: "config.layers[1].head.bias" },

  // --- cross-array consistency (2.1.1, 4.9)
  { name: "channels differ from the previous head size", edit: (m) => (layer1(m).channels = 5), code: "config", field: "config.layers[1].channels", detail: /must equal the previous array's head size, 2/ },
  { name: "input_size differs from the previous channels", edit: (m) => (layer1(m).input_size = 4), code: "config", field: "config.layers[1].input_size" },
  { name: "first input_size differs from in_channels", edit: (m) => (layer0(m).input_size = 2), code: "config", field: "config.layers[0].input_size" },
  { name: "condition_size without a condition DSP", edit: (m) => (layer1(m).condition_size = 2), code: "config", field: "config.layers[1].condition_size" },
  {
    name: "head accumulator width differs from the previous head",
    edit: (m) => Object.assign(layer1(m), { bottleneck: 4 }),
    code: "config",
    field: "config.layers[1].bottleneck",
    detail: /head accumulator width 4 must equal the previous array's head size, 2/,
  },
  { name: "bottleneck ≠ channels with layer1x1 off", edit: (m) => Object.assign(layer0(m), { bottleneck: 2, layer1x1: { active: false, groups: 1 } }), code: "config", field: "config.layers[0].bottleneck" },
  { name: "layer1x1 without groups", edit: (m) => (layer0(m).layer1x1 = { active: true }), code: "config", field: "config.layers[0].layer1x1.groups" },
  { name: "layer1x1 null", edit: (m) => (layer0(m).layer1x1 = null), code: "config", field: "config.layers[0].layer1x1" },
  { name: "head1x1 without out_channels", edit: (m) => (layer0(m).head1x1 = { active: false, groups: 1 }), code: "config", field: "config.layers[0].head1x1.out_channels" },
  { name: "groups_input not dividing channels", edit: (m) => (layer0(m).groups_input = 2), code: "config", field: "config.layers[0].groups_input", detail: /2 groups do not divide 3 channels/ },
  { name: "layer1x1 groups not dividing", edit: (m) => (layer1(m).layer1x1 = { active: true, groups: 3 }), code: "config", field: "config.layers[1].layer1x1.groups" },

  // --- FiLMs
  { name: "FiLM null", edit: (m) => (layer0(m).conv_pre_film = null), code: "config", field: "config.layers[0].conv_pre_film", detail: /expected false or a FiLM object, found null/ },
  { name: "FiLM true", edit: (m) => (layer0(m).conv_post_film = true), code: "config", field: "config.layers[0].conv_post_film" },
  { name: "FiLM shift as text", edit: (m) => (layer0(m).activation_post_film = { shift: "no" }), code: "config", field: "config.layers[0].activation_post_film.shift" },
  { name: "FiLM groups not dividing the condition", edit: (m) => (layer0(m).activation_pre_film = { groups: 2 }), code: "config", field: "config.layers[0].activation_pre_film.groups" },
  { name: "head1x1 FiLM without head1x1", edit: (m) => (layer0(m).head1x1_post_film = { active: true }), code: "config", field: "config.layers[0].head1x1_post_film" },
  {
    name: "layer1x1 FiLM without layer1x1",
    edit: (m) => Object.assign(layer0(m), { layer1x1: { active: false, groups: 1 }, layer1x1_post_film: {} }),
    code: "config",
    field: "config.layers[0].layer1x1_post_film",
  },

  // --- gating details (feature model)
  { name: "PReLU slopes for the wrong width", base: featureWaveNet, edit: (m) => (layer0(m).activation[0].negative_slopes = [0.1, 0.2, 0.3]), code: "config", field: "config.layers[0].activation[0]", detail: /PReLU has 3 slopes but is applied to 2 channels/ },
  { name: "PReLU slopes empty", base: featureWaveNet, edit: (m) => (layer0(m).activation[0].negative_slopes = []), code: "config", field: "config.layers[0].activation[0].negative_slopes" },
  { name: "secondary activation list too short", base: featureWaveNet, edit: (m) => layer0(m).secondary_activation.pop(), code: "config", field: "config.layers[0].secondary_activation" },
  { name: "secondary list with one gating mode", base: featureWaveNet, edit: (m) => (layer0(m).gating_mode = "gated"), code: "config", field: "config.layers[0].secondary_activation" },
  { name: "null secondary for a gated layer", base: featureWaveNet, edit: (m) => (layer0(m).secondary_activation[0] = null), code: "config", field: "config.layers[0].secondary_activation[0]" },

  // --- condition DSP
  { name: "condition DSP at another sample rate", base: featureWaveNet, edit: (m) => (m.config.condition_dsp.sample_rate = 44100), code: "config", field: "config.condition_dsp.sample_rate" },
  { name: "condition DSP without sample rate", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.sample_rate, code: "config", field: "config.condition_dsp.sample_rate" },
  { name: "condition DSP without version", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.version, code: "version", field: "config.condition_dsp.version" },
  { name: "condition DSP without architecture", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.architecture, code: "architecture", field: "config.condition_dsp.architecture" },
  { name: "condition DSP without config", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.config, code: "config", field: "config.condition_dsp.config" },
  { name: "condition DSP without weights", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.weights, code: "weights", field: "config.condition_dsp.weights" },
  { name: "condition DSP weight is null", base: featureWaveNet, edit: (m) => (m.config.condition_dsp.weights[7] = null), code: "weights", field: "config.condition_dsp.weights[7]" },
  { name: "condition DSP config error", base: featureWaveNet, edit: (m) => delete m.config.condition_dsp.config.hidden_size, code: "config", field: "config.condition_dsp.config.hidden_size" },
  { name: "condition DSP is a string", base: featureWaveNet, edit: (m) => (m.config.condition_dsp = "lstm.nam"), code: "config", field: "config.condition_dsp" },
  {
    name: "condition size differs from the condition DSP's outputs",
    base: featureWaveNet,
    edit: (m) => {
      m.config.condition_dsp.config.out_channels = 1;
      m.config.condition_dsp.weights = syntheticWeights(39);
    },
    code: "config",
    field: "config.layers[0].condition_size",
    detail: /must equal the condition DSP's output channels, 1/,
  },
  {
    name: "condition DSP with two inputs",
    base: featureWaveNet,
    edit: (m) => {
      Object.assign(m.config.condition_dsp.config, { in_channels: 2, input_size: 2 });
      m.config.condition_dsp.weights = syntheticWeights(50);
    },
    code: "config",
    field: "config.condition_dsp",
    detail: /takes 2 input channels, the model has in_channels 1/,
  },

  // --- post-stack head and slimming
  { name: "post-head in_channels mismatch", edit: (m) => (m.config.head = { in_channels: 2, channels: 2, out_channels: 1, kernel_sizes: [1], activation: "Tanh" }), code: "config", field: "config.head.in_channels" },
  { name: "post-head without kernel sizes", edit: (m) => (m.config.head = { channels: 2, out_channels: 1, kernel_sizes: [], activation: "Tanh" }), code: "config", field: "config.head.kernel_sizes" },
  { name: "post-head without activation", edit: (m) => (m.config.head = { channels: 2, out_channels: 1, kernel_sizes: [2] }), code: "config", field: "config.head.activation" },
  { name: "unknown slimming method", edit: (m) => (layer0(m).slimmable = { method: "prune" }), code: "not-supported", field: "config.layers[0].slimmable.method", detail: /unsupported slimming method "prune"/ },
  { name: "allowed_channels not ascending", base: slimmableWaveNet, edit: (m) => (layer0(m).slimmable.kwargs.allowed_channels = [4, 2]), code: "config", field: "config.layers[0].slimmable.kwargs.allowed_channels", detail: /strictly ascending/ },
  { name: "allowed_channels not ending at channels", base: slimmableWaveNet, edit: (m) => (layer0(m).slimmable.kwargs.allowed_channels = [1, 2]), code: "config", field: "config.layers[0].slimmable.kwargs.allowed_channels", detail: /must end with the array's channels \(4\)/ },
  { name: "slimming grouped convolutions", base: slimmableWaveNet, edit: (m) => (layer0(m).groups_input = 2), code: "not-supported", field: "config.layers[0].groups_input" },
  { name: "slimming with a post-stack head", base: slimmableWaveNet, edit: (m) => (m.config.head = { channels: 2, out_channels: 1, kernel_sizes: [1], activation: "Tanh" }), code: "not-supported", field: "config.head" },
  {
    name: "slimming a head kernel above 1",
    base: slimmableWaveNet,
    edit: (m) => {
      delete layer0(m).head_size;
      delete layer0(m).head_bias;
      layer0(m).head = { out_channels: 1, kernel_size: 2, bias: true };
    },
    code: "not-supported",
    field: "config.layers[0].head.kernel_size",
  },

  // --- LSTM, ConvNet, Linear
  { name: "LSTM without layers", base: () => lstmModel(1, 3), edit: (m) => (m.config.num_layers = 0), code: "config", field: "config.num_layers" },
  { name: "LSTM input_size ≠ in_channels", base: () => lstmModel(1, 3), edit: (m) => (m.config.input_size = 2), code: "config", field: "config.input_size" },
  { name: "LSTM hidden size as text", base: () => lstmModel(1, 3), edit: (m) => (m.config.hidden_size = "3"), code: "config", field: "config.hidden_size" },
  { name: "ConvNet without batchnorm", base: convNetModel, edit: (m) => delete m.config.batchnorm, code: "config", field: "config.batchnorm" },
  { name: "ConvNet groups not dividing in_channels", base: convNetModel, edit: (m) => (m.config.groups = 2), code: "config", field: "config.groups" },
  { name: "ConvNet dilations not a list", base: convNetModel, edit: (m) => (m.config.dilations = 2), code: "config", field: "config.dilations" },
  { name: "Linear implementation unknown", base: linearModel, edit: (m) => (m.config.implementation = "turbo"), code: "config", field: "config.implementation" },
  { name: "Linear without taps", base: linearModel, edit: (m) => (m.config.receptive_field = 0), code: "config", field: "config.receptive_field" },
  { name: "Linear bias as a number", base: linearModel, edit: (m) => (m.config.bias = 1), code: "config", field: "config.bias" },

  // --- SlimmableContainer
  { name: "container without submodels", base: containerModel, edit: (m) => (m.config.submodels = []), code: "config", field: "config.submodels" },
  { name: "container max_value not ascending", base: containerModel, edit: (m) => (m.config.submodels[1].max_value = 0.5), code: "config", field: "config.submodels[1].max_value", detail: /must be greater than the previous submodel's 0\.5/ },
  { name: "container last max_value below 1", base: containerModel, edit: (m) => (m.config.submodels[1].max_value = 0.9), code: "config", field: "config.submodels[1].max_value" },
  { name: "container entry without model", base: containerModel, edit: (m) => delete m.config.submodels[0].model, code: "config", field: "config.submodels[0].model" },
  { name: "submodel without architecture", base: containerModel, edit: (m) => delete m.config.submodels[0].model.architecture, code: "architecture", field: "config.submodels[0].model.architecture" },
  { name: "error deep in a submodel", base: containerModel, edit: (m) => (m.config.submodels[1].model.config.layers[0].channels = -3), code: "config", field: "config.submodels[1].model.config.layers[0].channels" },
  { name: "submodel at another sample rate", base: containerModel, edit: (m) => (m.config.submodels[0].model.sample_rate = 44100), code: "config", field: "config.submodels[0].model.sample_rate" },
  {
    name: "submodel with two outputs",
    base: containerModel,
    edit: (m) => {
      m.config.submodels[0].model.config.out_channels = 2;
      m.config.submodels[0].model.weights = syntheticWeights(74);
    },
    code: "config",
    field: "config.submodels[0].model",
    detail: /must be 1-in\/1-out/,
  },

  // --- resource limits
  { name: "a million channels", edit: (m) => (layer0(m).channels = 1e6), code: "too-large", field: "config.layers[0].channels", detail: /^1000000 exceeds the limit of 4096$/ },
  { name: "10^4 layers", edit: (m) => (layer0(m).dilations = new Array(10_000).fill(1)), code: "too-large", field: "config.layers[0].dilations" },
  { name: "dilation above 2^20", edit: (m) => (layer0(m).dilations = [1, 2 ** 20 + 1]), code: "too-large", field: "config.layers[0].dilations[1]" },
  { name: "kernel size above 1024", edit: (m) => (layer0(m).kernel_size = 2000), code: "too-large", field: "config.layers[0].kernel_size" },
  { name: "65 layer arrays", edit: (m) => (m.config.layers = new Array(65).fill(layer0(m))), code: "too-large", field: "config.layers" },
  { name: "config implying more than 20 M weights", edit: singleArray(4096), code: "too-large", field: "config", detail: /implies \d+ weights, more than the limit of 20000000/ },
  { name: "receptive field beyond the limit", edit: singleArray(1, [2 ** 20, 2 ** 20, 2 ** 20], 3), code: "too-large", field: "config", detail: /receptive field of 6291457 samples/ },
  { name: "Linear with 10^7 taps", base: linearModel, edit: (m) => (m.config.receptive_field = 1e7), code: "too-large", field: "config.receptive_field" },
  { name: "LSTM with 5000 hidden units", base: () => lstmModel(1, 3), edit: (m) => (m.config.hidden_size = 5000), code: "too-large", field: "config.hidden_size" },
  {
    name: "condition DSPs nested 5 deep",
    base: featureWaveNet,
    edit: nestConditionDsp(4),
    code: "too-large",
    field: "config.condition_dsp.config.condition_dsp.config.condition_dsp.config.condition_dsp.config.condition_dsp",
    detail: /nested deeper than 4 levels/,
  },
];

describe("malformed models", () => {
  test("the corpus is large enough", () => {
    assert.ok(cases.length >= 40, `${cases.length} cases`);
  });

  for (const badCase of cases) {
    test(`${badCase.name} → ${badCase.code} at ${badCase.field || "(file)"}`, () => {
      const text = badCase.text ?? editedText(badCase);
      expectNamError(() => parseNamText(text, "bad.nam"), "bad.nam", badCase.code, badCase.field, badCase.detail);
    });
  }

  test("every base model is valid before its edit", () => {
    const bases = new Set(cases.map((badCase) => badCase.base ?? tiny));
    for (const base of bases) parseNamText(modelText(base()), "base.nam");
  });

  test("four nesting levels are still accepted", () => {
    const model = featureWaveNet();
    nestConditionDsp(3)(model);
    parseNamText(modelText(model), "deep.nam");
  });

  test("the hand-made FiLM fixture is one edit away from a valid model", async () => {
    const text = await readFile(join(repoRoot, "test", "fixtures", "nam-bad", "film-null.nam"), "utf8");
    const model = parseNamText(text.replace('"conv_pre_film": null', '"conv_pre_film": false'), "film-false.nam");
    assert.equal(model.weights.length, 9);
  });

  test("unexpected failures are wrapped, never thrown raw", () => {
    // A getter that throws stands in for a bug deep in validation.
    const hostile = JSON.parse(modelText(linearModel())) as ModelJson;
    Object.defineProperty(hostile.config, "bias", {
      enumerable: true,
      get() {
        throw new TypeError("boom");
      },
    });
    const original = JSON.parse;
    JSON.parse = () => hostile;
    try {
      expectNamError(() => parseNamText("{}", "odd.nam"), "odd.nam", "config", "", /unexpected error while validating the model: TypeError: boom/);
    } finally {
      JSON.parse = original;
    }
  });

  test("limits are the documented ones", () => {
    assert.equal(NAM_LIMITS.maxFileBytes, 64 * 1024 * 1024);
    assert.equal(NAM_LIMITS.maxWeights, 20_000_000);
    assert.equal(NAM_LIMITS.maxNestingDepth, 4);
  });
});

function editedText(badCase: BadCase): string {
  const model = clone((badCase.base ?? tiny)());
  badCase.edit?.(model);
  return modelText(model);
}

function expectNamError(fn: () => unknown, file: string, code: NamErrorCode, field: string, detail?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof NamFileError, `expected a NamFileError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.field, field, error.message);
    assert.equal(error.message, field === "" ? `${file}: ${error.detail}` : `${file}: ${field}: ${error.detail}`);
    if (detail !== undefined) assert.match(error.detail, detail);
    return true;
  });
}
