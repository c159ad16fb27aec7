// Loads and validates `.nam` files (nam-format.md sections 1, 2, 5) into the checked, defaulted form of
// model.ts. Runs on the control thread; every problem becomes a NamFileError naming the offending JSON path.

import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { basename } from "node:path";

import { receptiveFieldSamples } from "./classify.js";
import { NamFileError, type NamErrorCode } from "./errors.js";
import type {
  ActivationSpec,
  ConvNetConfig,
  FilmSpec,
  GatingMode,
  LinearConfig,
  LstmConfig,
  ModelConfig,
  NamMetadata,
  NamModel,
  SlimmableContainerConfig,
  WaveNetConfig,
  WaveNetFilms,
  WaveNetLayerArraySpec,
  WaveNetLayerSpec,
  WaveNetPostHeadSpec,
} from "./model.js";
import { expectedWeightCount, gateFactor, headInputWidth, postHeadBlocks } from "./weight-count.js";

/** Resource limits: anything beyond them is refused with code "too-large" before weights are converted. */
export const NAM_LIMITS = {
  maxFileBytes: 64 * 1024 * 1024,
  /** Weights of one model object (nested models are checked separately). */
  maxWeights: 20_000_000,
  /** Any channel count, bottleneck, group count or hidden size. */
  maxChannels: 4096,
  maxLayerArrays: 64,
  /** Layers per WaveNet layer array, LSTM layers, ConvNet blocks, post-head blocks. */
  maxLayers: 1024,
  maxDilation: 2 ** 20,
  maxKernelSize: 1024,
  /** Samples; also bounds a Linear model's taps. */
  maxReceptiveField: 2 ** 22,
  maxSampleRate: 1_000_000,
  /** condition_dsp / submodel levels below the file's root model. */
  maxNestingDepth: 4,
  maxSubmodels: 64,
} as const;

export const KNOWN_ARCHITECTURES = ["WaveNet", "LSTM", "ConvNet", "Linear", "SlimmableContainer"] as const;

const FIRST_SUPPORTED_VERSION = [0, 5, 0] as const;
const LATEST_FULLY_SUPPORTED_VERSION = "0.7.0";

/** Reads and validates a `.nam` file; errors are reported against its base name. */
export async function loadNamFile(path: string): Promise<NamModel> {
  const source = basename(path);
  const bytes = await readModelFile(path, source);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new NamFileError(source, "", "json", "the file is not UTF-8 text");
  }
  return parseNamText(text, source);
}

/** Validates the text of a `.nam` file; `source` names it in errors and in `NamModel.source`. */
export function parseNamText(text: string, source: string): NamModel {
  try {
    const root = parseJson(text, source);
    return new ModelParser(source).parseModel(root, "", 0);
  } catch (error) {
    if (error instanceof NamFileError) throw error;
    throw new NamFileError(source, "", "config", `unexpected error while validating the model: ${String(error)}`, {
      cause: error,
    });
  }
}

async function readModelFile(path: string, source: string): Promise<Uint8Array> {
  let handle;
  try {
    // O_NONBLOCK so that opening a FIFO cannot hang; it has no effect on regular files.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw ioError(source, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NamFileError(source, "", "io", "not a regular file");
    if (stats.size > NAM_LIMITS.maxFileBytes) {
      throw new NamFileError(
        source,
        "",
        "too-large",
        `the file has ${stats.size} bytes, more than the limit of ${NAM_LIMITS.maxFileBytes} (64 MiB)`,
      );
    }
    return await handle.readFile();
  } catch (error) {
    if (error instanceof NamFileError) throw error;
    throw ioError(source, error);
  } finally {
    await handle.close();
  }
}

function ioError(source: string, error: unknown): NamFileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail =
    code === "ENOENT"
      ? "file not found"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "EISDIR"
          ? "not a regular file"
          : `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
  return new NamFileError(source, "", "io", detail, { cause: error });
}

// ---------------------------------------------------------------------------------------------
// JSON

function parseJson(text: string, source: string): Record<string, unknown> {
  // nlohmann::json (the core's parser) skips a UTF-8 byte order mark; JSON.parse does not.
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch (error) {
    throw new NamFileError(source, "", "json", describeJsonError(body, error), { cause: error });
  }
  if (!isObject(root)) {
    throw new NamFileError(source, "", "json", `the root must be a JSON object, found ${describeValue(root)}`);
  }
  return root;
}

function describeJsonError(text: string, error: unknown): string {
  if (/^[ \t\n\r]*$/.test(text)) return "the file is empty";
  const offset = new JsonSyntaxScanner(text).firstErrorOffset();
  if (offset < 0) return `invalid JSON: ${error instanceof Error ? error.message : String(error)}`;
  const where = describeTextPosition(text, offset);
  let detail =
    offset >= text.length
      ? `invalid JSON: unexpected end of input at ${where} (the file looks truncated)`
      : `invalid JSON: unexpected ${JSON.stringify(text[offset])} at ${where}`;
  const nearby = text.slice(Math.max(0, offset - 16), offset + 16);
  if (/NaN|Infinity/.test(nearby)) {
    detail += "; the file contains a non-finite number (NaN or Infinity), which JSON cannot represent";
  }
  return detail;
}

function describeTextPosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1} (offset ${offset})`;
}

/** Finds where JSON.parse gave up: a strict RFC 8259 scanner, iterative so deep nesting cannot overflow. */
class JsonSyntaxScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** Offset of the first syntax error (text.length when the text ends too early), or -1 when the text is valid. */
  firstErrorOffset(): number {
    return this.document() ? -1 : this.pos;
  }

  private document(): boolean {
    const closers: string[] = [];
    let afterValue = false;
    for (;;) {
      this.skipWhitespace();
      const char = this.text[this.pos];
      if (char === undefined) return afterValue && closers.length === 0;
      if (!afterValue) {
        if (char === "{" || char === "[") {
          const closer = char === "{" ? "}" : "]";
          this.pos++;
          this.skipWhitespace();
          if (this.text[this.pos] === closer) {
            this.pos++;
            afterValue = true;
          } else {
            closers.push(closer);
            if (closer === "}" && !this.key()) return false;
          }
          continue;
        }
        if (!this.scalar()) return false;
        afterValue = true;
        continue;
      }
      const closer = closers[closers.length - 1];
      if (char === "," && closer !== undefined) {
        this.pos++;
        afterValue = false;
        if (closer === "}" && !this.key()) return false;
      } else if (char === closer) {
        closers.pop();
        this.pos++;
      } else {
        return false;
      }
    }
  }

  private key(): boolean {
    this.skipWhitespace();
    if (!this.string()) return false;
    this.skipWhitespace();
    if (this.text[this.pos] !== ":") return false;
    this.pos++;
    return true;
  }

  private scalar(): boolean {
    const char = this.text[this.pos];
    if (char === '"') return this.string();
    if (char === "-" || isDigit(char)) return this.number();
    return this.literal("true") || this.literal("false") || this.literal("null");
  }

  private string(): boolean {
    if (this.text[this.pos] !== '"') return false;
    this.pos++;
    for (;;) {
      const char = this.text[this.pos];
      if (char === undefined || char < " ") return false;
      if (char === '"') {
        this.pos++;
        return true;
      }
      if (char !== "\\") {
        this.pos++;
        continue;
      }
      this.pos++;
      const escaped = this.text[this.pos];
      if (escaped === "u") {
        for (let i = 1; i <= 4; i++) {
          if (!/[0-9a-fA-F]/.test(this.text[this.pos + i] ?? "")) {
            this.pos += i;
            return false;
          }
        }
        this.pos += 5;
      } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) {
        this.pos++;
      } else {
        return false;
      }
    }
  }

  private number(): boolean {
    if (this.text[this.pos] === "-") this.pos++;
    if (this.text[this.pos] === "0") this.pos++;
    else if (!this.digits()) return false;
    if (this.text[this.pos] === ".") {
      this.pos++;
      if (!this.digits()) return false;
    }
    if (this.text[this.pos] === "e" || this.text[this.pos] === "E") {
      this.pos++;
      if (this.text[this.pos] === "+" || this.text[this.pos] === "-") this.pos++;
      if (!this.digits()) return false;
    }
    return true;
  }

  private digits(): boolean {
    const start = this.pos;
    while (isDigit(this.text[this.pos] ?? "")) this.pos++;
    return this.pos > start;
  }

  /** On a partial match, stops at the first differing character (the error position). */
  private literal(word: string): boolean {
    if (this.text[this.pos] !== word[0]) return false;
    for (const char of word) {
      if (this.text[this.pos] !== char) return false;
      this.pos++;
    }
    return true;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos])) this.pos++;
  }
}

function isDigit(char: string): boolean {
  return char >= "0" && char <= "9";
}

// ---------------------------------------------------------------------------------------------
// Model objects

type JsonObject = Record<string, unknown>;

type Architecture = (typeof KNOWN_ARCHITECTURES)[number];

const ACTIVATION_NAMES = [
  "Tanh",
  "Fasttanh",
  "Hardtanh",
  "ReLU",
  "LeakyReLU",
  "PReLU",
  "Sigmoid",
  "SiLU",
  "Hardswish",
  "LeakyHardtanh",
  "Softsign",
] as const;

const FILM_KEYS: [keyof WaveNetFilms, string][] = [
  ["convPre", "conv_pre_film"],
  ["convPost", "conv_post_film"],
  ["inputMixinPre", "input_mixin_pre_film"],
  ["inputMixinPost", "input_mixin_post_film"],
  ["activationPre", "activation_pre_film"],
  ["activationPost", "activation_post_film"],
  ["layer1x1Post", "layer1x1_post_film"],
  ["head1x1Post", "head1x1_post_film"],
];

const SLIMMING_METHOD = "slice_channels_uniform";

/** Case-insensitive names (and aliases) of the Linear `implementation` key. */
const LINEAR_IMPLEMENTATIONS = new Map<string, LinearConfig["implementation"]>([
  ["auto", "auto"],
  ["direct", "direct"],
  ["legacy", "direct"],
  ["old", "direct"],
  ["fft", "fft"],
  ["partitioned_fft", "fft"],
  ["partitioned-fft", "fft"],
]);

/** Validates one model object (the root or a nested one) for the file `file`. */
class ModelParser {
  constructor(private readonly file: string) {}

  /**
   * @param path JSON path of the model object: "" for the root, e.g. "config.condition_dsp" for nested ones
   * @param depth how many condition_dsp/submodel levels below the root this object is
   */
  parseModel(value: unknown, path: string, depth: number): NamModel {
    if (depth > NAM_LIMITS.maxNestingDepth) {
      this.fail("too-large", path, `models are nested deeper than ${NAM_LIMITS.maxNestingDepth} levels`);
    }
    const model = this.object(value, path);
    for (const [key, code] of [
      ["version", "version"],
      ["architecture", "architecture"],
      ["config", "config"],
      ["weights", "weights"],
    ] as const) {
      if (!Object.hasOwn(model, key)) this.fail(code, at(path, key), "missing (required)");
    }
    const { version, versionWarning } = this.version(model.version, at(path, "version"));
    const architecture = this.architecture(model.architecture, at(path, "architecture"));
    const sampleRate = this.sampleRate(model, path);
    const metadata = this.metadata(model.metadata, at(path, "metadata"));
    const configPath = at(path, "config");
    const configObject = this.object(model.config, configPath);
    const config = this.config(architecture, configObject, configPath, depth, sampleRate);

    const receptiveField = receptiveFieldSamples(config);
    if (receptiveField > NAM_LIMITS.maxReceptiveField) {
      this.fail(
        "too-large",
        configPath,
        `receptive field of ${receptiveField} samples exceeds the limit of ${NAM_LIMITS.maxReceptiveField}`,
      );
    }
    const expected = config.architecture === "SlimmableContainer" ? null : expectedWeightCount(config);
    if (expected !== null && expected > NAM_LIMITS.maxWeights) {
      const detail = `implies ${expected} weights, more than the limit of ${NAM_LIMITS.maxWeights}`;
      this.fail("too-large", configPath, detail);
    }
    const weights = this.weights(model.weights, at(path, "weights"), expected);
    if (config.architecture === "WaveNet") config.headScale = weights[weights.length - 1]; // core quirk (1.4)

    return {
      source: path === "" ? this.file : `${this.file}#${path}`,
      version,
      versionWarning,
      sampleRate,
      metadata,
      config,
      weights,
    };
  }

  private version(value: unknown, field: string): { version: string; versionWarning: string | null } {
    if (typeof value !== "string") {
      this.fail("version", field, `expected a version string like "0.5.4", found ${describeValue(value)}`);
    }
    const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(value);
    if (match === null) this.fail("version", field, `${quote(value)} is not a MAJOR.MINOR.PATCH version`);
    const parts = match.slice(1).map(Number) as [number, number, number];
    // The core parses each part with std::stoi, which rejects values beyond int32.
    if (parts.some((part) => part > 2 ** 31 - 1)) this.fail("version", field, `${quote(value)} is out of range`);
    const [major, minor, patch] = parts;
    if (compareVersions(parts, FIRST_SUPPORTED_VERSION) < 0) {
      this.fail("version", field, `unsupported version ${value}: files older than 0.5.0 cannot be loaded`);
    }
    if (major > 0 || minor > 7) this.fail("version", field, `unsupported version ${value}: newer than 0.7.x`);
    const versionWarning =
      minor === 7 && patch > 0
        ? `version ${value} is newer than ${LATEST_FULLY_SUPPORTED_VERSION}: ` +
          "loaded with partial support, newer features may be ignored"
        : null;
    return { version: value, versionWarning };
  }

  private architecture(value: unknown, field: string): Architecture {
    const known = KNOWN_ARCHITECTURES as readonly unknown[];
    if (typeof value !== "string" || !known.includes(value)) {
      const found = typeof value === "string" ? quote(value) : describeValue(value);
      this.fail("architecture", field, `unknown architecture ${found} (known: ${KNOWN_ARCHITECTURES.join(", ")})`);
    }
    return value as Architecture;
  }

  private sampleRate(model: JsonObject, path: string): number | null {
    if (!Object.hasOwn(model, "sample_rate")) return null;
    const field = at(path, "sample_rate");
    const rate = model.sample_rate;
    if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) {
      this.fail("config", field, `expected a positive number of Hz, found ${describeValue(rate)}`);
    }
    if (rate > NAM_LIMITS.maxSampleRate) {
      this.fail("too-large", field, `${rate} Hz exceeds the limit of ${NAM_LIMITS.maxSampleRate}`);
    }
    return rate;
  }

  /** The core reads loudness and the two levels (a wrong type is an error); the rest is informational. */
  private metadata(value: unknown, field: string): NamMetadata {
    const metadata: NamMetadata = {
      name: null,
      modeledBy: null,
      gearType: null,
      gearMake: null,
      gearModel: null,
      toneType: null,
      loudnessDb: null,
      gain: null,
      inputLevelDbu: null,
      outputLevelDbu: null,
      validationEsr: null,
      date: null,
    };
    if (value === undefined || value === null) return metadata;
    if (!isObject(value)) this.fail("config", field, `expected an object or null, found ${describeValue(value)}`);
    const levelOrNull = (key: string, unit: string): number | null => {
      const level = value[key];
      if (level === undefined || level === null) return null;
      if (typeof level !== "number" || !Number.isFinite(level)) {
        this.fail("config", at(field, key), `expected a number (${unit}) or null, found ${describeValue(level)}`);
      }
      return level;
    };
    metadata.loudnessDb = levelOrNull("loudness", "dB");
    metadata.inputLevelDbu = levelOrNull("input_level_dbu", "dBu");
    metadata.outputLevelDbu = levelOrNull("output_level_dbu", "dBu");
    metadata.name = stringOrNull(value.name);
    metadata.modeledBy = stringOrNull(value.modeled_by);
    metadata.gearType = stringOrNull(value.gear_type);
    metadata.gearMake = stringOrNull(value.gear_make);
    metadata.gearModel = stringOrNull(value.gear_model);
    metadata.toneType = stringOrNull(value.tone_type);
    metadata.gain = numberOrNull(value.gain);
    metadata.validationEsr = isObject(value.training) ? numberOrNull(value.training.validation_esr) : null;
    metadata.date = formatDate(value.date);
    return metadata;
  }

  private config(
    architecture: Architecture,
    config: JsonObject,
    path: string,
    depth: number,
    sampleRate: number | null,
  ): ModelConfig {
    switch (architecture) {
      case "WaveNet":
        return this.waveNet(config, path, depth, sampleRate);
      case "LSTM":
        return this.lstm(config, path);
      case "ConvNet":
        return this.convNet(config, path);
      case "Linear":
        return this.linear(config, path);
      case "SlimmableContainer":
        return this.container(config, path, depth, sampleRate);
    }
  }

  private weights(value: unknown, field: string, expected: number | null): Float32Array {
    if (!Array.isArray(value)) {
      this.fail("weights", field, `expected an array of numbers, found ${describeValue(value)}`);
    }
    if (expected !== null && value.length !== expected) {
      const problem = value.length > expected ? "too many" : "too few";
      this.fail("weights", field, `${problem} weights: the file has ${value.length}, the config needs ${expected}`);
    }
    // A SlimmableContainer's own weights are ignored, but the core still reads them as numbers.
    const weights = new Float32Array(expected === null ? 0 : value.length);
    for (let i = 0; i < value.length; i++) {
      const weight: unknown = value[i];
      if (typeof weight !== "number") {
        this.fail("weights", `${field}[${i}]`, `expected a finite number, found ${describeValue(weight)}`);
      }
      const single = Math.fround(weight); // decimal → float64 (JSON.parse) → float32, like the core
      if (!Number.isFinite(single)) {
        this.fail("weights", `${field}[${i}]`, `${weight} is not a finite float32 number`);
      }
      if (expected !== null) weights[i] = single;
    }
    return weights;
  }

  // --- WaveNet (2.1) -------------------------------------------------------------------------

  private waveNet(config: JsonObject, path: string, depth: number, sampleRate: number | null): WaveNetConfig {
    const layersField = at(path, "layers");
    const rawLayers = this.required(config, "layers", layersField);
    if (!Array.isArray(rawLayers) || rawLayers.length === 0) {
      const found = describeValue(rawLayers);
      this.fail("config", layersField, `expected a non-empty array of layer-array objects, found ${found}`);
    }
    if (rawLayers.length > NAM_LIMITS.maxLayerArrays) {
      const detail = `${rawLayers.length} layer arrays exceed the limit of ${NAM_LIMITS.maxLayerArrays}`;
      this.fail("too-large", layersField, detail);
    }
    this.finiteAt(config, path, "head_scale"); // required, but the last weight is what counts
    const inChannels = this.width(config, path, "in_channels", 1);
    const conditionDsp = this.conditionDsp(config, path, depth, sampleRate, inChannels);
    const layerArrays = rawLayers.map((raw, index) => this.layerArray(raw, `${layersField}[${index}]`));
    this.checkArrayChain(layerArrays, layersField, inChannels, conditionDsp);
    const postHead = this.postHead(config.head, at(path, "head"), layerArrays[layerArrays.length - 1]);
    if (layerArrays.some((array) => array.slimmable !== null)) {
      this.checkSlimming(rawLayers, layerArrays, postHead, path);
    }
    // headScale is set from the last weight once the weights are read (parseModel).
    return { architecture: "WaveNet", inChannels, layerArrays, postHead, conditionDsp, headScale: Number.NaN };
  }

  /** The nested model producing the condition signal (2.1.5): same sample rate, takes the model's input. */
  private conditionDsp(
    config: JsonObject,
    path: string,
    depth: number,
    sampleRate: number | null,
    inChannels: number,
  ): NamModel | null {
    if (config.condition_dsp === undefined || config.condition_dsp === null) return null;
    const field = at(path, "condition_dsp");
    const conditionDsp = this.parseModel(config.condition_dsp, field, depth + 1);
    if (conditionDsp.sampleRate !== sampleRate) {
      const rates = `(${conditionDsp.sampleRate ?? "none"}) must equal the model's (${sampleRate ?? "none"})`;
      this.fail("config", at(field, "sample_rate"), `the condition DSP's sample rate ${rates}`);
    }
    const conditionInputs = inputChannels(conditionDsp.config);
    if (conditionInputs !== inChannels) {
      const detail = `the condition DSP takes ${conditionInputs} input channels, the model has in_channels ${inChannels}`;
      this.fail("config", field, detail);
    }
    return conditionDsp;
  }

  /** Widths that must agree between the input, the condition signal and consecutive layer arrays (2.1.1, 4.9). */
  private checkArrayChain(
    layerArrays: WaveNetLayerArraySpec[],
    layersField: string,
    inChannels: number,
    conditionDsp: NamModel | null,
  ): void {
    const conditionWidth = conditionDsp === null ? inChannels : outputChannels(conditionDsp.config);
    layerArrays.forEach((array, index) => {
      const field = `${layersField}[${index}]`;
      const mismatch = (key: string, detail: string) => this.fail("config", at(field, key), detail);
      if (array.conditionSize !== conditionWidth) {
        const source = conditionDsp === null ? "in_channels (no condition DSP)" : "the condition DSP's output channels";
        mismatch("condition_size", `${array.conditionSize} must equal ${source}, ${conditionWidth}`);
      }
      if (index === 0) {
        if (array.inputSize !== inChannels) {
          mismatch("input_size", `${array.inputSize} must equal in_channels, ${inChannels}`);
        }
        return;
      }
      const previous = layerArrays[index - 1];
      const previousHead = previous.head.outChannels;
      if (array.inputSize !== previous.channels) {
        mismatch("input_size", `${array.inputSize} must equal the previous array's channels, ${previous.channels}`);
      }
      if (array.channels !== previousHead) {
        mismatch("channels", `${array.channels} must equal the previous array's head size, ${previousHead}`);
      }
      // The head accumulator starts as a copy of the previous array's head output.
      const accumulatorWidth = headInputWidth(array);
      if (accumulatorWidth !== previousHead) {
        mismatch(
          array.head1x1.active ? "head1x1.out_channels" : "bottleneck",
          `the head accumulator width ${accumulatorWidth} must equal the previous array's head size, ${previousHead}`,
        );
      }
    });
  }

  private layerArray(raw: unknown, field: string): WaveNetLayerArraySpec {
    const array = this.object(raw, field);
    const key = (name: string) => at(field, name);
    const inputSize = this.width(array, field, "input_size");
    const conditionSize = this.width(array, field, "condition_size");
    const channels = this.width(array, field, "channels");
    const bottleneck = this.width(array, field, "bottleneck", channels);
    const dilations = this.positiveIntegersAt(array, field, "dilations", NAM_LIMITS.maxDilation, "dilation");
    const layerCount = dilations.length;
    const kernelSizes = this.kernelSizes(array, field, layerCount);
    const activationValue = this.required(array, "activation", key("activation"));
    const activations = this.perLayer(activationValue, key("activation"), layerCount, (value, itemField) =>
      this.activation(value, itemField),
    );
    const { gating, secondary } = this.gating(array, field, layerCount);
    const head = this.arrayHead(array, field);
    const layer1x1 = this.layer1x1(array, field);
    const head1x1 = this.head1x1(array, field, channels);
    const groupsInput = this.groups(array, field, "groups_input", 1);
    const groupsInputMixin = this.groups(array, field, "groups_input_mixin", 1);
    const films = Object.fromEntries(
      FILM_KEYS.map(([name, jsonKey]) => [name, this.film(array, field, jsonKey)]),
    ) as unknown as WaveNetFilms;
    const slimmable = this.slimmable(array, key("slimmable"), channels);

    if (!layer1x1.active && bottleneck !== channels) {
      const detail = `${bottleneck} must equal channels (${channels}) when layer1x1 is inactive`;
      this.fail("config", key("bottleneck"), detail);
    }
    if (films.layer1x1Post !== null && !layer1x1.active) {
      this.fail("config", key("layer1x1_post_film"), "cannot be active when layer1x1 is inactive");
    }
    if (films.head1x1Post !== null && !head1x1.active) {
      this.fail("config", key("head1x1_post_film"), "cannot be active when head1x1 is inactive");
    }

    const layers: WaveNetLayerSpec[] = dilations.map((dilation, index) => ({
      dilation,
      kernelSize: kernelSizes[index],
      activation: activations[index],
      gating: gating[index],
      secondaryActivation: secondary[index],
    }));
    const spec: WaveNetLayerArraySpec = {
      inputSize,
      conditionSize,
      channels,
      bottleneck,
      layers,
      head,
      layer1x1,
      head1x1,
      groupsInput,
      groupsInputMixin,
      films,
      slimmable,
    };
    this.checkLayerArrayGroups(spec, field);
    layers.forEach((layer, index) => {
      const activationField = Array.isArray(array.activation) ? `${key("activation")}[${index}]` : key("activation");
      this.checkActivationWidth(layer.activation, bottleneck, activationField);
      if (layer.secondaryActivation !== null) {
        const secondaryField = Array.isArray(array.secondary_activation)
          ? `${key("secondary_activation")}[${index}]`
          : key("secondary_activation");
        this.checkActivationWidth(layer.secondaryActivation, bottleneck, secondaryField);
      }
    });
    return spec;
  }

  private kernelSizes(array: JsonObject, field: string, layerCount: number): number[] {
    const hasSingle = Object.hasOwn(array, "kernel_size");
    const hasList = Object.hasOwn(array, "kernel_sizes");
    if (hasSingle === hasList) {
      const detail = hasSingle ? "has both kernel_size and kernel_sizes; give exactly one" : "needs kernel_size or kernel_sizes";
      this.fail("config", field, detail);
    }
    if (hasSingle) {
      const kernelSize = this.integer(array.kernel_size, at(field, "kernel_size"), 1, NAM_LIMITS.maxKernelSize);
      return new Array<number>(layerCount).fill(kernelSize);
    }
    const listField = at(field, "kernel_sizes");
    const kernelSizes = this.positiveIntegers(array.kernel_sizes, listField, NAM_LIMITS.maxKernelSize, "kernel size");
    if (kernelSizes.length !== layerCount) {
      this.fail("config", listField, `has ${kernelSizes.length} entries, expected one per dilation (${layerCount})`);
    }
    return kernelSizes;
  }

  /**
   * gating_mode (string or per-layer array) wins over the legacy `gated` boolean; secondary activations
   * default to Sigmoid and are read only for gated/blended layers (2.1.1).
   */
  private gating(
    array: JsonObject,
    field: string,
    layerCount: number,
  ): { gating: GatingMode[]; secondary: (ActivationSpec | null)[] } {
    const sigmoid: ActivationSpec = { type: "Sigmoid" };
    const ungated = { gating: fill<GatingMode>(layerCount, "none"), secondary: fill(layerCount, null) };
    if (!Object.hasOwn(array, "gating_mode")) {
      if (!Object.hasOwn(array, "gated") || !this.boolean(array.gated, at(field, "gated"))) return ungated;
      return { gating: fill(layerCount, "gated"), secondary: fill(layerCount, sigmoid) };
    }

    const modeField = at(field, "gating_mode");
    const gating = this.perLayer(array.gating_mode, modeField, layerCount, (value, itemField) =>
      this.gatingMode(value, itemField),
    );
    const secondaryField = at(field, "secondary_activation");
    const secondaryValue = array.secondary_activation;
    const hasSecondary = Object.hasOwn(array, "secondary_activation");
    if (hasSecondary && Array.isArray(secondaryValue)) {
      if (!Array.isArray(array.gating_mode)) {
        this.fail("config", secondaryField, "a per-layer array needs a per-layer gating_mode array");
      }
      if (secondaryValue.length !== layerCount) {
        const detail = `has ${secondaryValue.length} entries, expected one per dilation (${layerCount})`;
        this.fail("config", secondaryField, detail);
      }
    }
    let shared: ActivationSpec | undefined;
    const secondary = gating.map((mode, index) => {
      if (mode === "none") return null;
      if (!hasSecondary) return sigmoid;
      if (Array.isArray(secondaryValue)) return this.activation(secondaryValue[index], `${secondaryField}[${index}]`);
      shared ??= this.activation(secondaryValue, secondaryField);
      return shared;
    });
    return { gating, secondary };
  }

  private gatingMode(value: unknown, field: string): GatingMode {
    if (value === "none" || value === "gated" || value === "blended") return value;
    this.fail("config", field, `expected "none", "gated" or "blended", found ${describeValue(value)}`);
  }

  /** The array's head rechannel: a `head` object, else the older head_size + head_bias (kernel 1). */
  private arrayHead(array: JsonObject, field: string): WaveNetLayerArraySpec["head"] {
    const headField = at(field, "head");
    if (array.head !== undefined && array.head !== null) {
      const head = this.object(array.head, headField);
      return {
        outChannels: this.width(head, headField, "out_channels"),
        kernelSize: this.integerAt(head, headField, "kernel_size", 1, NAM_LIMITS.maxKernelSize),
        dilation: Object.hasOwn(head, "head_dilation")
          ? this.integer(head.head_dilation, at(headField, "head_dilation"), 1, NAM_LIMITS.maxDilation)
          : 1,
        bias: this.booleanAt(head, headField, "bias"),
      };
    }
    if (!Object.hasOwn(array, "head_size")) {
      this.fail("config", headField, "missing: expected a head object or head_size and head_bias");
    }
    return {
      outChannels: this.width(array, field, "head_size"),
      kernelSize: 1,
      dilation: 1,
      bias: this.booleanAt(array, field, "head_bias"),
    };
  }

  // An inactive 1x1 is stored in one canonical form: its other keys are checked but mean nothing.

  private layer1x1(array: JsonObject, field: string): WaveNetLayerArraySpec["layer1x1"] {
    if (!Object.hasOwn(array, "layer1x1")) return { active: true, groups: 1 };
    const objectField = at(field, "layer1x1");
    const layer1x1 = this.object(array.layer1x1, objectField);
    const active = this.booleanAt(layer1x1, objectField, "active");
    const groups = this.groups(layer1x1, objectField, "groups");
    return { active, groups: active ? groups : 1 };
  }

  private head1x1(array: JsonObject, field: string, channels: number): WaveNetLayerArraySpec["head1x1"] {
    const inactive = { active: false, outChannels: channels, groups: 1 };
    if (!Object.hasOwn(array, "head1x1")) return inactive;
    const objectField = at(field, "head1x1");
    const head1x1 = this.object(array.head1x1, objectField);
    const active = this.booleanAt(head1x1, objectField, "active");
    const outChannels = this.width(head1x1, objectField, "out_channels");
    const groups = this.groups(head1x1, objectField, "groups");
    return active ? { active, outChannels, groups } : inactive;
  }

  /** Absent or false → inactive; an object → {active = true, shift = true, groups = 1}; anything else (null too) fails. */
  private film(array: JsonObject, path: string, key: string): FilmSpec | null {
    if (!Object.hasOwn(array, key) || array[key] === false) return null;
    const field = at(path, key);
    const film = this.object(array[key], field, "false or a FiLM object");
    const active = this.booleanAt(film, field, "active", true);
    const shift = this.booleanAt(film, field, "shift", true);
    const groups = this.groups(film, field, "groups", 1);
    return active ? { shift, groups } : null;
  }

  /** null/absent → not slimmable; an object without a method is ignored like the core does (see checkSlimming). */
  private slimmable(array: JsonObject, field: string, channels: number): WaveNetLayerArraySpec["slimmable"] {
    const value = array.slimmable;
    if (value === undefined || value === null) return null;
    if (!isObject(value)) this.fail("config", field, `expected an object or null, found ${describeValue(value)}`);
    const method = Object.hasOwn(value, "method") ? value.method : "";
    if (typeof method !== "string") {
      this.fail("config", at(field, "method"), `expected a string, found ${describeValue(method)}`);
    }
    if (method === "") return null;
    if (method !== SLIMMING_METHOD) {
      const detail = `unsupported slimming method ${quote(method)} (only "${SLIMMING_METHOD}")`;
      this.fail("not-supported", at(field, "method"), detail);
    }
    const kwargs = value.kwargs;
    const allowedField = at(field, "kwargs.allowed_channels");
    if (kwargs !== undefined && kwargs !== null && !isObject(kwargs)) {
      this.fail("config", at(field, "kwargs"), `expected an object, found ${describeValue(kwargs)}`);
    }
    if (!isObject(kwargs) || !Object.hasOwn(kwargs, "allowed_channels")) {
      return { allowedChannels: Array.from({ length: channels }, (_, i) => i + 1) };
    }
    const allowedChannels = this.positiveIntegers(
      kwargs.allowed_channels,
      allowedField,
      NAM_LIMITS.maxChannels,
      "channel count",
    );
    allowedChannels.forEach((count, index) => {
      if (index > 0 && count <= allowedChannels[index - 1]) {
        this.fail("config", allowedField, "must be strictly ascending");
      }
    });
    if (allowedChannels[allowedChannels.length - 1] !== channels) {
      this.fail("config", allowedField, `must end with the array's channels (${channels})`);
    }
    return { allowedChannels };
  }

  /** Every grouped conv needs its input and output widths divisible by its group count (3.2). */
  private checkLayerArrayGroups(array: WaveNetLayerArraySpec, field: string): void {
    const gatedWidths = [...new Set(array.layers.map((layer) => gateFactor(layer) * array.bottleneck))];
    const requireDivisible = (groups: number, widths: number[], groupsField: string) => {
      const bad = widths.find((width) => width % groups !== 0);
      if (bad !== undefined) this.fail("config", groupsField, `${groups} groups do not divide ${bad} channels`);
    };
    requireDivisible(array.groupsInput, [array.channels, ...gatedWidths], at(field, "groups_input"));
    requireDivisible(array.groupsInputMixin, [array.conditionSize, ...gatedWidths], at(field, "groups_input_mixin"));
    if (array.layer1x1.active) {
      requireDivisible(array.layer1x1.groups, [array.bottleneck, array.channels], at(field, "layer1x1.groups"));
    }
    if (array.head1x1.active) {
      const widths = [array.bottleneck, array.head1x1.outChannels];
      requireDivisible(array.head1x1.groups, widths, at(field, "head1x1.groups"));
    }
    const filmWidths: Record<keyof WaveNetFilms, number[]> = {
      convPre: [array.channels],
      convPost: gatedWidths,
      inputMixinPre: [array.conditionSize],
      inputMixinPost: gatedWidths,
      activationPre: gatedWidths,
      activationPost: [array.bottleneck],
      layer1x1Post: [array.channels],
      head1x1Post: [array.head1x1.outChannels],
    };
    for (const [name, jsonKey] of FILM_KEYS) {
      const film = array.films[name];
      if (film === null) continue;
      const outputs = filmWidths[name].map((width) => (film.shift ? 2 : 1) * width);
      requireDivisible(film.groups, [array.conditionSize, ...outputs], at(field, `${jsonKey}.groups`));
    }
  }

  /** Slimmable WaveNets (2.6): no post-stack head, groups or head kernels, and every slimmable object names its method. */
  private checkSlimming(
    rawLayers: unknown[],
    layerArrays: WaveNetLayerArraySpec[],
    postHead: WaveNetPostHeadSpec | null,
    path: string,
  ): void {
    if (postHead !== null) {
      this.fail("not-supported", at(path, "head"), "a post-stack head cannot be combined with slimming");
    }
    layerArrays.forEach((array, index) => {
      const field = `${at(path, "layers")}[${index}]`;
      const raw = rawLayers[index] as JsonObject;
      const unsupported = (key: string, what: string) =>
        this.fail("not-supported", at(field, key), `${what} cannot be combined with slimming`);
      if (array.slimmable === null && isObject(raw.slimmable)) {
        unsupported("slimmable.method", "a slimmable object without a method");
      }
      if (array.groupsInput !== 1) unsupported("groups_input", "grouped convolutions");
      if (array.groupsInputMixin !== 1) unsupported("groups_input_mixin", "grouped convolutions");
      if (array.layer1x1.active && array.layer1x1.groups !== 1) unsupported("layer1x1.groups", "grouped convolutions");
      if (array.head1x1.active && array.head1x1.groups !== 1) unsupported("head1x1.groups", "grouped convolutions");
      if (array.head.kernelSize !== 1) unsupported("head.kernel_size", "a head kernel size above 1");
      // The core slices FiLM weights as if ungrouped; grouped FiLMs would be cut wrongly.
      for (const [name, jsonKey] of FILM_KEYS) {
        if ((array.films[name]?.groups ?? 1) !== 1) unsupported(`${jsonKey}.groups`, "grouped FiLMs");
      }
    });
  }

  private postHead(value: unknown, field: string, lastArray: WaveNetLayerArraySpec): WaveNetPostHeadSpec | null {
    if (value === undefined || value === null) return null;
    const head = this.object(value, field);
    const implied = lastArray.head.outChannels;
    if (head.in_channels !== undefined && head.in_channels !== null) {
      const inChannels = this.integer(head.in_channels, at(field, "in_channels"), 1, NAM_LIMITS.maxChannels);
      if (inChannels !== implied) {
        const detail = `${inChannels} must equal the last layer array's head size, ${implied}`;
        this.fail("config", at(field, "in_channels"), detail);
      }
    }
    const spec: WaveNetPostHeadSpec = {
      inChannels: implied,
      channels: this.width(head, field, "channels"),
      outChannels: this.width(head, field, "out_channels"),
      kernelSizes: this.positiveIntegersAt(head, field, "kernel_sizes", NAM_LIMITS.maxKernelSize, "kernel size"),
      activation: this.activationAt(head, field, "activation"),
    };
    // Block j applies the activation to its own input width.
    for (const block of postHeadBlocks(spec)) {
      this.checkActivationWidth(spec.activation, block.inChannels, at(field, "activation"));
    }
    return spec;
  }

  // --- LSTM, ConvNet, Linear, SlimmableContainer (2.2–2.5) ----------------------------------------

  private lstm(config: JsonObject, path: string): LstmConfig {
    const numLayers = this.integerAt(config, path, "num_layers", 1, NAM_LIMITS.maxLayers);
    const inputSize = this.width(config, path, "input_size");
    const hiddenSize = this.width(config, path, "hidden_size");
    const inChannels = this.width(config, path, "in_channels", 1);
    const outChannels = this.width(config, path, "out_channels", 1);
    // The core copies in_channels input values into an input_size vector.
    if (inputSize !== inChannels) {
      this.fail("config", at(path, "input_size"), `${inputSize} must equal in_channels (${inChannels})`);
    }
    return { architecture: "LSTM", numLayers, inputSize, hiddenSize, inChannels, outChannels };
  }

  private convNet(config: JsonObject, path: string): ConvNetConfig {
    const channels = this.width(config, path, "channels");
    const dilations = this.positiveIntegersAt(config, path, "dilations", NAM_LIMITS.maxDilation, "dilation");
    const batchnorm = this.booleanAt(config, path, "batchnorm");
    const activation = this.activationAt(config, path, "activation");
    const groups = this.groups(config, path, "groups", 1);
    const inChannels = this.width(config, path, "in_channels", 1);
    const outChannels = this.width(config, path, "out_channels", 1);
    for (const width of [inChannels, channels]) {
      if (width % groups !== 0) {
        this.fail("config", at(path, "groups"), `${groups} groups do not divide ${width} channels`);
      }
    }
    this.checkActivationWidth(activation, channels, at(path, "activation"));
    return { architecture: "ConvNet", channels, dilations, batchnorm, activation, groups, inChannels, outChannels };
  }

  private linear(config: JsonObject, path: string): LinearConfig {
    const receptiveField = this.integerAt(config, path, "receptive_field", 1, NAM_LIMITS.maxReceptiveField);
    const bias = this.booleanAt(config, path, "bias");
    const inChannels = this.width(config, path, "in_channels", 1);
    const outChannels = this.width(config, path, "out_channels", 1);
    let implementation: LinearConfig["implementation"] = "auto";
    if (Object.hasOwn(config, "implementation")) {
      const name = config.implementation;
      const known = typeof name === "string" ? LINEAR_IMPLEMENTATIONS.get(name.toLowerCase()) : undefined;
      if (known === undefined) {
        const names = [...LINEAR_IMPLEMENTATIONS.keys()].join(", ");
        this.fail("config", at(path, "implementation"), `expected one of ${names}, found ${describeValue(name)}`);
      }
      implementation = known;
    }
    return { architecture: "Linear", receptiveField, bias, inChannels, outChannels, implementation };
  }

  private container(
    config: JsonObject,
    path: string,
    depth: number,
    sampleRate: number | null,
  ): SlimmableContainerConfig {
    const listField = at(path, "submodels");
    const list = this.required(config, "submodels", listField);
    if (!Array.isArray(list) || list.length === 0) {
      const found = describeValue(list);
      this.fail("config", listField, `expected a non-empty array of {max_value, model} objects, found ${found}`);
    }
    if (list.length > NAM_LIMITS.maxSubmodels) {
      this.fail("too-large", listField, `${list.length} submodels exceed the limit of ${NAM_LIMITS.maxSubmodels}`);
    }
    const submodels = list.map((raw, index) => {
      const field = `${listField}[${index}]`;
      const entry = this.object(raw, field);
      const maxValue = this.finiteAt(entry, field, "max_value");
      const modelField = at(field, "model");
      const model = this.parseModel(this.required(entry, "model", modelField), modelField, depth + 1);
      if (model.sampleRate !== null && sampleRate !== null && model.sampleRate !== sampleRate) {
        const detail = `${model.sampleRate} differs from the container's sample rate, ${sampleRate}`;
        this.fail("config", at(modelField, "sample_rate"), detail);
      }
      const ins = inputChannels(model.config);
      const outs = outputChannels(model.config);
      if (ins !== 1 || outs !== 1) {
        const detail = `a container submodel must be 1-in/1-out, this one has ${ins} in and ${outs} out`;
        this.fail("config", modelField, detail);
      }
      return { maxValue, model };
    });
    submodels.forEach((submodel, index) => {
      const previous = submodels[index - 1];
      if (previous !== undefined && submodel.maxValue <= previous.maxValue) {
        const detail = `${submodel.maxValue} must be greater than the previous submodel's ${previous.maxValue}`;
        this.fail("config", `${listField}[${index}].max_value`, detail);
      }
    });
    const lastIndex = submodels.length - 1;
    if (submodels[lastIndex].maxValue < 1) {
      const detail = `the last max_value must be at least 1.0, found ${submodels[lastIndex].maxValue}`;
      this.fail("config", `${listField}[${lastIndex}].max_value`, detail);
    }
    return { architecture: "SlimmableContainer", submodels };
  }

  // --- Activations (5) --------------------------------------------------------------------

  private activation(value: unknown, field: string): ActivationSpec {
    let name: unknown;
    let params: JsonObject = {};
    let nameField = field;
    if (typeof value === "string") {
      name = value;
    } else if (isObject(value)) {
      nameField = at(field, "type");
      name = this.required(value, "type", nameField);
      params = value;
    } else {
      this.fail("config", field, `expected an activation name or {"type": ...} object, found ${describeValue(value)}`);
    }
    if (typeof name !== "string") {
      this.fail("config", nameField, `expected an activation name, found ${describeValue(name)}`);
    }
    // Parameters are float in the core.
    const param = (key: string, fallback: number) =>
      Object.hasOwn(params, key) ? Math.fround(this.finite(params[key], at(field, key))) : Math.fround(fallback);
    switch (name === "LeakyHardTanh" ? "LeakyHardtanh" : name) {
      case "Tanh":
      case "Fasttanh":
      case "Hardtanh": // min_val/max_val are ignored by the core: always ±1
      case "ReLU":
      case "Sigmoid":
      case "SiLU":
      case "Hardswish":
      case "Softsign":
        return { type: name as Exclude<ActivationSpec["type"], "LeakyReLU" | "PReLU" | "LeakyHardtanh"> };
      case "LeakyReLU":
        return { type: "LeakyReLU", negativeSlope: param("negative_slope", 0.01) };
      case "PReLU": {
        if (Object.hasOwn(params, "negative_slope") || !Object.hasOwn(params, "negative_slopes")) {
          return { type: "PReLU", negativeSlopes: [param("negative_slope", 0.01)] };
        }
        const slopesField = at(field, "negative_slopes");
        const slopes = params.negative_slopes;
        if (!Array.isArray(slopes) || slopes.length === 0) {
          this.fail("config", slopesField, `expected a non-empty array of numbers, found ${describeValue(slopes)}`);
        }
        const negativeSlopes = slopes.map((slope, index) => Math.fround(this.finite(slope, `${slopesField}[${index}]`)));
        return { type: "PReLU", negativeSlopes };
      }
      case "LeakyHardtanh":
        return {
          type: "LeakyHardtanh",
          minVal: param("min_val", -1),
          maxVal: param("max_val", 1),
          minSlope: param("min_slope", 0.01),
          maxSlope: param("max_slope", 0.01),
        };
      default:
        this.fail("config", nameField, `unknown activation ${quote(name)} (known: ${ACTIVATION_NAMES.join(", ")})`);
    }
  }

  /** Per-channel PReLU slopes must match the width of the tensor the activation is applied to. */
  private checkActivationWidth(activation: ActivationSpec, width: number, field: string): void {
    if (activation.type !== "PReLU") return;
    const count = activation.negativeSlopes.length;
    if (count !== 1 && count !== width) {
      this.fail("config", field, `PReLU has ${count} slopes but is applied to ${width} channels (give 1 or ${width})`);
    }
  }

  // --- Primitive readers ---------------------------------------------------------------------

  private fail(code: NamErrorCode, field: string, detail: string): never {
    throw new NamFileError(this.file, field, code, detail);
  }

  private required(object: JsonObject, key: string, field: string): unknown {
    if (!Object.hasOwn(object, key)) this.fail("config", field, "missing (required)");
    return object[key];
  }

  private object(value: unknown, field: string, expected = "an object"): JsonObject {
    if (!isObject(value)) this.fail("config", field, `expected ${expected}, found ${describeValue(value)}`);
    return value;
  }

  private boolean(value: unknown, field: string): boolean {
    if (typeof value !== "boolean") this.fail("config", field, `expected true or false, found ${describeValue(value)}`);
    return value;
  }

  private finite(value: unknown, field: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.fail("config", field, `expected a finite number, found ${describeValue(value)}`);
    }
    return value;
  }

  /** An integer ≥ min; above `limit` it is "too-large". */
  private integer(value: unknown, field: string, min: number, limit: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      const wanted = min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
      this.fail("config", field, `expected ${wanted}, found ${describeValue(value)}`);
    }
    if (value > limit) this.fail("too-large", field, `${value} exceeds the limit of ${limit}`);
    return value;
  }

  /** A channel-like count (1 … maxChannels); `fallback` when given and the key is absent. */
  private width(object: JsonObject, path: string, key: string, fallback?: number): number {
    if (fallback !== undefined && !Object.hasOwn(object, key)) return fallback;
    return this.integerAt(object, path, key, 1, NAM_LIMITS.maxChannels);
  }

  /** A group count; `fallback` when given and the key is absent. */
  private groups(object: JsonObject, path: string, key: string, fallback?: number): number {
    return this.width(object, path, key, fallback);
  }

  private integerAt(object: JsonObject, path: string, key: string, min: number, limit: number): number {
    return this.integer(this.required(object, key, at(path, key)), at(path, key), min, limit);
  }

  /** `fallback` when given and the key is absent. */
  private booleanAt(object: JsonObject, path: string, key: string, fallback?: boolean): boolean {
    if (fallback !== undefined && !Object.hasOwn(object, key)) return fallback;
    return this.boolean(this.required(object, key, at(path, key)), at(path, key));
  }

  private finiteAt(object: JsonObject, path: string, key: string): number {
    return this.finite(this.required(object, key, at(path, key)), at(path, key));
  }

  private activationAt(object: JsonObject, path: string, key: string): ActivationSpec {
    return this.activation(this.required(object, key, at(path, key)), at(path, key));
  }

  private positiveIntegersAt(object: JsonObject, path: string, key: string, limit: number, what: string): number[] {
    return this.positiveIntegers(this.required(object, key, at(path, key)), at(path, key), limit, what);
  }

  /** A non-empty array of positive integers, at most maxLayers long, each at most `limit` ("too-large" beyond). */
  private positiveIntegers(value: unknown, field: string, limit: number, what: string): number[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail("config", field, `expected a non-empty array of positive integers, found ${describeValue(value)}`);
    }
    if (value.length > NAM_LIMITS.maxLayers) {
      this.fail("too-large", field, `${value.length} entries exceed the limit of ${NAM_LIMITS.maxLayers}`);
    }
    return value.map((item: unknown, index) => {
      if (typeof item !== "number" || !Number.isInteger(item) || item < 1) {
        this.fail("config", field, `expected an array of positive integers (item ${index} is ${describeValue(item)})`);
      }
      if (item > limit) this.fail("too-large", `${field}[${index}]`, `${what} ${item} exceeds the limit of ${limit}`);
      return item;
    });
  }

  /** One value for every layer, or an array with exactly one per layer. */
  private perLayer<T>(
    value: unknown,
    field: string,
    layerCount: number,
    parse: (item: unknown, itemField: string) => T,
  ): T[] {
    if (!Array.isArray(value)) return fill(layerCount, parse(value, field));
    if (value.length !== layerCount) {
      this.fail("config", field, `has ${value.length} entries, expected one per dilation (${layerCount})`);
    }
    return value.map((item: unknown, index) => parse(item, `${field}[${index}]`));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function inputChannels(config: ModelConfig): number {
  return config.architecture === "SlimmableContainer" ? 1 : config.inChannels;
}

function outputChannels(config: ModelConfig): number {
  switch (config.architecture) {
    case "WaveNet":
      return config.postHead?.outChannels ?? config.layerArrays[config.layerArrays.length - 1].head.outChannels;
    case "SlimmableContainer":
      return 1;
    default:
      return config.outChannels;
  }
}

function at(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fill<T>(count: number, value: T): T[] {
  return new Array<T>(count).fill(value);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** JSON-quoted and shortened, for messages. */
function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 60 ? `${quoted.slice(0, 57)}..."` : quoted;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${quote(value)}`;
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return String(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The trainer's {year, month, day, hour, minute, second} as "YYYY-MM-DDTHH:MM:SS" (date only without a full time). */
function formatDate(value: unknown): string | null {
  if (!isObject(value)) return null;
  const part = (key: string) => (Number.isInteger(value[key]) ? (value[key] as number) : null);
  const [year, month, day, hour, minute, second] = ["year", "month", "day", "hour", "minute", "second"].map(part);
  if (year == null || month == null || day == null) return null;
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  return hour == null || minute == null || second == null ? date : `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}`;
}
