// Writes the bad-input corpus (test/fixtures/bad-input/): malformed .nam files, malformed WAV
// files and malformed API requests, each made by one small, named edit of a valid input so a
// reviewer can see what every item tests. Deterministic (a seeded PRNG for the few random bytes):
// running it again rewrites the same files. The files are committed; this script is how they
// were made.
//
//   npx tsc -p tsconfig.json && node dist/scripts/make-bad-input-corpus.js

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../test/helpers/paths.js";
import { seededRandom } from "../test/helpers/random.js";

const outDir = join(repoRoot, "test", "fixtures", "bad-input");
const referenceModels = join(repoRoot, "test", "fixtures", "reference", "models");
const coreExamples = join(repoRoot, "test", "fixtures", "models", "core-examples");

// ── manifest types (read by test/robustness) ──────────────────────────────────────────────────

export interface FileCase {
  /** Path under bad-input/. */
  file: string;
  /** Where it is uploaded: POST /api/models or POST /api/irs. */
  kind: "model" | "ir";
  what: string;
}

export interface RequestCase {
  id: string;
  what: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** `{modelId}`, `{irId}`, `{presetId}`, `{bankId}` are replaced with ids that exist in the test's library. */
  url: string;
  /** A JSON body (sent as application/json) … */
  json?: unknown;
  /** … or raw text with its content type. */
  raw?: { contentType: string; text: string };
  /** A body of this many bytes of JSON (generated at run time: too big to commit). */
  oversizedJsonBytes?: number;
  /** A JSON body `{...fields, [key]: {"a":{"a":…0}}}` nested `depth` objects deep (generated at run time). */
  deepJson?: { fields: Record<string, unknown>; key: string; depth: number };
  /** A multipart upload (field, file name, content as text). */
  multipart?: { field: string; fileName: string; text: string; kind: "model" | "ir" };
  /** An upload of this many bytes (generated at run time), larger than the configured cap. */
  oversizedUpload?: { kind: "model" | "ir"; bytes: number };
  headers?: Record<string, string>;
  /** Sent without the admin session (default: with it, so validation is what is tested). */
  anonymous?: boolean;
  /** The exact status expected. */
  status: number;
  /** A part the message must contain (the field or value it is about). */
  mentions?: string;
}

// ── deterministic bytes ──────────────────────────────────────────────────────────────────────

const random = seededRandom(0x6e616d);
const randomBytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));

// ── .nam cases ───────────────────────────────────────────────────────────────────────────────

// Models are edited freely here; the loader is what checks them.
type Json = Record<string, any>;

const readJson = (path: string): Json => JSON.parse(readFileSync(path, "utf8")) as Json;
const wavenet = () => readJson(join(referenceModels, "wavenet_tiny_core.nam"));
const lstm = () => readJson(join(referenceModels, "lstm_core_h3.nam"));
const container = () => readJson(join(coreExamples, "slimmable_container.nam"));
const conditioned = () => readJson(join(coreExamples, "wavenet_condition_dsp.nam"));
const wavenetText = () => readFileSync(join(referenceModels, "wavenet_tiny_core.nam"), "utf8");

interface NamCase {
  name: string;
  what: string;
  content: string | Uint8Array;
}

function edited(base: () => Json, edit: (model: Json) => void): string {
  const model = base();
  edit(model);
  return JSON.stringify(model);
}

/** `depth` arrays inside each other around `inner`, as text (a JS value this deep would overflow building it). */
const nestedArrays = (depth: number, inner = "0") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`;

/** A valid model's text with the value of `"key":` replaced by raw JSON text. */
function withRawValue(key: string, rawValue: string, base = wavenet): string {
  const marker = "__RAW_VALUE__";
  return edited(base, (model) => setPath(model, key, marker)).replace(`"${marker}"`, rawValue);
}

function setPath(model: Json, path: string, value: unknown): void {
  const keys = path.split(".");
  let target: Json = model;
  for (const key of keys.slice(0, -1)) target = target[key] as Json;
  target[keys.at(-1)!] = value;
}

function deletePath(model: Json, path: string): void {
  const keys = path.split(".");
  let target: Json = model;
  for (const key of keys.slice(0, -1)) target = target[key] as Json;
  delete target[keys.at(-1)!];
}

function namCases(): NamCase[] {
  const text = wavenetText();
  const layer = (index: number) => (model: Json) => model.config.layers[index] as Json;
  const cases: NamCase[] = [
    // not JSON / not a model at all
    { name: "empty", what: "zero bytes", content: "" },
    { name: "whitespace-only", what: "only spaces and newlines", content: "  \n\t\n  " },
    { name: "plain-text", what: "a sentence, not JSON", content: "this is my favourite amp capture\n" },
    { name: "random-bytes", what: "4 KiB of random bytes", content: randomBytes(4096) },
    { name: "invalid-utf8", what: "valid JSON but a 0xFF byte inside the name string", content: Buffer.concat([Buffer.from(text.slice(0, 40)), Buffer.from([0xff, 0xfe]), Buffer.from(text.slice(40))]) },
    { name: "utf16le", what: "the model encoded as UTF-16LE with a BOM", content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]) },
    { name: "html-page", what: "an HTML error page saved under a .nam name", content: "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>\n" },
    { name: "zip-archive", what: "a ZIP header (a zipped model uploaded as is)", content: Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), randomBytes(200)]) },
    { name: "wav-file", what: "a WAV file uploaded as a model", content: wavFile({ data: pcm16(64) }) },
    { name: "json-null", what: "the JSON value null", content: "null" },
    { name: "json-array", what: "a JSON array at the top", content: "[]" },
    { name: "json-number", what: "a JSON number at the top", content: "42" },
    { name: "json-string", what: "a JSON string at the top", content: '"WaveNet"' },
    { name: "empty-object", what: "{}", content: "{}" },
    // truncated or damaged JSON
    { name: "truncated-half", what: "the first half of a valid model", content: text.slice(0, Math.floor(text.length / 2)) },
    { name: "truncated-in-weights", what: "cut in the middle of the weights array", content: text.slice(0, text.indexOf('"weights"') + 60) },
    { name: "truncated-last-brace", what: "a valid model without its final }", content: text.trimEnd().slice(0, -1) },
    { name: "trailing-garbage", what: "a valid model followed by junk", content: `${text}\n}}garbage` },
    { name: "two-models", what: "two models concatenated", content: `${text}${text}` },
    { name: "nan-literal", what: "a NaN literal among the weights (not JSON)", content: withRawValue("weights", `[${Array(130).fill(0.1).join(",")},NaN]`) },
    { name: "infinity-literal", what: "an Infinity literal as the sample rate (not JSON)", content: withRawValue("sample_rate", "Infinity") },
    { name: "single-quotes", what: "JavaScript-style single quotes", content: text.replaceAll('"', "'") },
    { name: "comment", what: "a // comment in the JSON", content: text.replace("{", "{ // exported by my trainer\n") },
    // version and architecture
    { name: "version-missing", what: "no version field", content: edited(wavenet, (m) => deletePath(m, "version")) },
    { name: "version-number", what: "version 5 (a number)", content: edited(wavenet, (m) => setPath(m, "version", 5)) },
    { name: "version-future", what: "version 9.0.0", content: edited(wavenet, (m) => setPath(m, "version", "9.0.0")) },
    { name: "version-garbage", what: 'version "banana"', content: edited(wavenet, (m) => setPath(m, "version", "banana")) },
    { name: "architecture-missing", what: "no architecture field", content: edited(wavenet, (m) => deletePath(m, "architecture")) },
    { name: "architecture-unknown", what: 'architecture "Transformer"', content: edited(wavenet, (m) => setPath(m, "architecture", "Transformer")) },
    { name: "architecture-number", what: "architecture 1", content: edited(wavenet, (m) => setPath(m, "architecture", 1)) },
    // wrong types
    { name: "config-missing", what: "no config", content: edited(wavenet, (m) => deletePath(m, "config")) },
    { name: "config-array", what: "config is an array", content: edited(wavenet, (m) => setPath(m, "config", [])) },
    { name: "config-string", what: "config is a string", content: edited(wavenet, (m) => setPath(m, "config", "default")) },
    { name: "layers-object", what: "config.layers is an object", content: edited(wavenet, (m) => setPath(m, "config.layers", {})) },
    { name: "layers-empty", what: "config.layers is empty", content: edited(wavenet, (m) => setPath(m, "config.layers", [])) },
    { name: "channels-string", what: 'channels "3"', content: edited(wavenet, (m) => { layer(0)(m).channels = "3"; }) },
    { name: "channels-zero", what: "channels 0", content: edited(wavenet, (m) => { layer(0)(m).channels = 0; }) },
    { name: "channels-negative", what: "channels -3", content: edited(wavenet, (m) => { layer(0)(m).channels = -3; }) },
    { name: "channels-fraction", what: "channels 2.5", content: edited(wavenet, (m) => { layer(0)(m).channels = 2.5; }) },
    { name: "kernel-size-zero", what: "kernel_size 0", content: edited(wavenet, (m) => { layer(0)(m).kernel_size = 0; }) },
    { name: "dilations-empty", what: "dilations []", content: edited(wavenet, (m) => { layer(0)(m).dilations = []; }) },
    { name: "dilation-negative", what: "a dilation of -1", content: edited(wavenet, (m) => { layer(0)(m).dilations = [1, -1]; }) },
    { name: "dilations-strings", what: 'dilations ["1", "2"]', content: edited(wavenet, (m) => { layer(0)(m).dilations = ["1", "2"]; }) },
    { name: "activation-unknown", what: 'activation "Sparkle"', content: edited(wavenet, (m) => { layer(0)(m).activation = "Sparkle"; }) },
    { name: "gated-string", what: 'gated "no"', content: edited(wavenet, (m) => { layer(0)(m).gated = "no"; }) },
    { name: "head-scale-string", what: 'head_scale "0.02"', content: edited(wavenet, (m) => setPath(m, "config.head_scale", "0.02")) },
    { name: "lstm-hidden-zero", what: "LSTM hidden_size 0", content: edited(lstm, (m) => setPath(m, "config.hidden_size", 0)) },
    { name: "lstm-layers-string", what: 'LSTM num_layers "one"', content: edited(lstm, (m) => setPath(m, "config.num_layers", "one")) },
    { name: "lstm-input-size-two", what: "LSTM input_size 2 (stereo input)", content: edited(lstm, (m) => setPath(m, "config.input_size", 2)) },
    // weights: wrong counts, wrong types, non-finite
    { name: "weights-missing", what: "no weights", content: edited(wavenet, (m) => deletePath(m, "weights")) },
    { name: "weights-string", what: "weights as a comma-separated string", content: edited(wavenet, (m) => { m.weights = (m.weights as number[]).join(","); }) },
    { name: "weights-object", what: "weights as an object", content: edited(wavenet, (m) => { m.weights = { 0: 0.1 }; }) },
    { name: "weights-empty", what: "weights []", content: edited(wavenet, (m) => { m.weights = []; }) },
    { name: "weights-one-short", what: "one weight missing", content: edited(wavenet, (m) => { (m.weights as number[]).pop(); }) },
    { name: "weights-one-extra", what: "one weight too many", content: edited(wavenet, (m) => { (m.weights as number[]).push(0.5); }) },
    { name: "weights-double", what: "every weight twice", content: edited(wavenet, (m) => { m.weights = [...(m.weights as number[]), ...(m.weights as number[])]; }) },
    { name: "weights-null-entry", what: "a null among the weights", content: edited(wavenet, (m) => { (m.weights as unknown[])[7] = null; }) },
    { name: "weights-string-entry", what: 'a "0.1" string among the weights', content: edited(wavenet, (m) => { (m.weights as unknown[])[3] = "0.1"; }) },
    { name: "weights-nested", what: "weights as arrays of arrays", content: edited(wavenet, (m) => { m.weights = (m.weights as number[]).map((w) => [w]); }) },
    { name: "weights-overflow", what: "a weight of 1e999 (parses to Infinity)", content: withRawValue("weights", `[${Array(130).fill(0.1).join(",")},1e999]`) },
    { name: "weights-negative-overflow", what: "a weight of -1e999", content: withRawValue("weights", `[-1e999,${Array(130).fill(0.1).join(",")}]`) },
    { name: "lstm-weights-short", what: "LSTM with ten weights missing", content: edited(lstm, (m) => { m.weights = (m.weights as number[]).slice(0, -10); }) },
    // sample rate and metadata
    { name: "sample-rate-zero", what: "sample_rate 0", content: edited(wavenet, (m) => setPath(m, "sample_rate", 0)) },
    { name: "sample-rate-negative", what: "sample_rate -48000", content: edited(wavenet, (m) => setPath(m, "sample_rate", -48000)) },
    { name: "sample-rate-huge", what: "sample_rate 1e12", content: edited(wavenet, (m) => setPath(m, "sample_rate", 1e12)) },
    { name: "sample-rate-string", what: 'sample_rate "48k"', content: edited(wavenet, (m) => setPath(m, "sample_rate", "48k")) },
    { name: "sample-rate-12", what: "sample_rate 12 Hz (a positive number, an absurd rate)", content: edited(wavenet, (m) => setPath(m, "sample_rate", 12)) },
    { name: "sample-rate-unresamplable", what: "sample_rate 47983 (the resampler cannot convert it to 48 kHz)", content: edited(lstm, (m) => setPath(m, "sample_rate", 47983)) },
    { name: "sample-rate-overflow", what: "sample_rate 1e999 (Infinity)", content: withRawValue("sample_rate", "1e999") },
    { name: "metadata-array", what: "metadata is an array", content: edited(wavenet, (m) => setPath(m, "metadata", [1, 2])) },
    { name: "loudness-string", what: 'metadata.loudness "loud"', content: edited(wavenet, (m) => setPath(m, "metadata.loudness", "loud")) },
    // huge
    { name: "huge-channels", what: "channels 100000 (beyond the loader's limit)", content: edited(wavenet, (m) => { layer(0)(m).channels = 100_000; }) },
    { name: "huge-kernel", what: "kernel_size 1000000", content: edited(wavenet, (m) => { layer(0)(m).kernel_size = 1_000_000; }) },
    { name: "huge-dilation", what: "a dilation of 2^30", content: edited(wavenet, (m) => { layer(0)(m).dilations = [1, 2 ** 30]; }) },
    { name: "huge-layer-count", what: "5000 dilations in one layer array", content: edited(wavenet, (m) => { layer(0)(m).dilations = Array(5000).fill(1); }) },
    { name: "huge-weight-claim", what: "a config implying 10^10 weights, with 131 given", content: edited(wavenet, (m) => { layer(0)(m).channels = 4000; layer(1)(m).channels = 4000; layer(1)(m).input_size = 4000; }) },
    { name: "huge-lstm", what: "LSTM hidden_size 1000000", content: edited(lstm, (m) => setPath(m, "config.hidden_size", 1_000_000)) },
    { name: "huge-number-literal", what: "a weight written with 100000 digits", content: withRawValue("weights", `[${Array(130).fill(0.1).join(",")},1${"0".repeat(100_000)}]`) },
    { name: "huge-array-of-zeros", what: "50000 weights for a 131-weight config", content: edited(wavenet, (m) => { m.weights = Array(50_000).fill(0); }) },
    // deeply nested
    { name: "deep-weights", what: "weights nested 50000 arrays deep", content: withRawValue("weights", nestedArrays(50_000)) },
    { name: "deep-metadata", what: "metadata nested 20000 arrays deep", content: withRawValue("metadata", nestedArrays(20_000)) },
    { name: "deep-layers", what: "config.layers nested 50000 arrays deep", content: withRawValue("config.layers", nestedArrays(50_000)) },
    { name: "deep-layer-object", what: "a layer array holding objects nested 20000 deep", content: withRawValue("config.layers", `[${nestedObjects(20_000)}]`) },
    { name: "deep-top-level", what: "the whole file nested 50000 arrays deep", content: nestedArrays(50_000) },
    {
      name: "deep-condition-dsp",
      what: "condition_dsp inside condition_dsp, 8 levels (beyond the nesting limit)",
      content: edited(conditioned, (model) => {
        let inner = model.config.condition_dsp as Json;
        for (let level = 0; level < 8; level++) {
          const wrapper = conditioned();
          wrapper.config.condition_dsp = inner;
          inner = wrapper;
        }
        model.config.condition_dsp = inner;
      }),
    },
    { name: "container-empty", what: "a SlimmableContainer with no submodels", content: edited(container, (m) => setPath(m, "config.submodels", [])) },
    { name: "container-bad-submodel", what: "a SlimmableContainer whose submodel is a string", content: edited(container, (m) => { (m.config.submodels as Json[])[0]!.model = "lstm.nam"; }) },
    { name: "container-max-value-order", what: "SlimmableContainer max_value not increasing", content: edited(container, (m) => { (m.config.submodels as Json[])[0]!.max_value = 2; }) },
    // JSON quirks
    { name: "duplicate-weights-key", what: 'a second "weights" key (the last one wins) with one weight', content: text.trimEnd().replace(/}$/, ', "weights": [0.5]}') },
    { name: "proto-key", what: 'a "__proto__" key at the top with the weights inside', content: edited(wavenet, (m) => { const weights = m.weights; delete m.weights; m.__proto_placeholder__ = { weights }; }).replace("__proto_placeholder__", "__proto__") },
  ];
  return cases;
}

// ── WAV cases ────────────────────────────────────────────────────────────────────────────────

interface WavSpec {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  byteRate?: number;
  /** Overrides of the declared sizes. */
  riffSize?: number;
  fmtSize?: number;
  dataSize?: number;
  /** Bytes appended to the fmt chunk body (extensible formats). */
  fmtExtra?: Uint8Array;
  data: Uint8Array;
  /** Chunks before fmt. */
  before?: Uint8Array;
  riffId?: string;
  waveId?: string;
  dataId?: string;
  omitFmt?: boolean;
  omitData?: boolean;
}

function chunkHeader(id: string, size: number): Uint8Array {
  const bytes = new Uint8Array(8);
  bytes.set(Buffer.from(id, "latin1"), 0);
  new DataView(bytes.buffer).setUint32(4, size >>> 0, true);
  return bytes;
}

function wavFile(spec: WavSpec): Uint8Array {
  const channels = spec.channels ?? 1;
  const bits = spec.bits ?? 16;
  const rate = spec.rate ?? 48000;
  const blockAlign = spec.blockAlign ?? (channels * bits) / 8;
  const fmtBody = new Uint8Array(16 + (spec.fmtExtra?.length ?? 0));
  const view = new DataView(fmtBody.buffer);
  view.setUint16(0, spec.format ?? 1, true);
  view.setUint16(2, channels & 0xffff, true);
  view.setUint32(4, rate >>> 0, true);
  view.setUint32(8, (spec.byteRate ?? rate * blockAlign) >>> 0, true);
  view.setUint16(12, blockAlign & 0xffff, true);
  view.setUint16(14, bits & 0xffff, true);
  if (spec.fmtExtra) fmtBody.set(spec.fmtExtra, 16);
  const parts: Uint8Array[] = [];
  if (spec.before) parts.push(spec.before);
  if (!spec.omitFmt) parts.push(chunkHeader("fmt ", spec.fmtSize ?? fmtBody.length), fmtBody);
  if (!spec.omitData) parts.push(chunkHeader(spec.dataId ?? "data", spec.dataSize ?? spec.data.length), spec.data);
  const body = Buffer.concat(parts);
  const header = new Uint8Array(12);
  header.set(Buffer.from(spec.riffId ?? "RIFF", "latin1"), 0);
  new DataView(header.buffer).setUint32(4, (spec.riffSize ?? body.length + 4) >>> 0, true);
  header.set(Buffer.from(spec.waveId ?? "WAVE", "latin1"), 8);
  return Buffer.concat([header, body]);
}

/** A decaying noise burst, like a short cab IR, as 16-bit PCM. */
function pcm16(frames: number, channels = 1): Uint8Array {
  const bytes = new Uint8Array(frames * channels * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < frames; i++) {
    const value = Math.round((random() * 2 - 1) * 20000 * Math.exp(-i / (frames / 6)));
    for (let c = 0; c < channels; c++) view.setInt16((i * channels + c) * 2, value, true);
  }
  return bytes;
}

function float32(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytes;
}

/** The fmt extension of WAVE_FORMAT_EXTENSIBLE: cbSize 22, valid bits, channel mask, sub-format GUID. */
function extensibleTail(subformat: number, bits: number, guidTail = [0x00100000, 0xaa000080, 0x71389b38]): Uint8Array {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 22, true);
  view.setUint16(2, bits, true);
  view.setUint32(4, 4, true);
  view.setUint32(8, subformat, true);
  guidTail.forEach((word, i) => view.setUint32(12 + i * 4, word, true));
  return bytes;
}

interface WavCase {
  name: string;
  what: string;
  content: Uint8Array | string;
}

function wavCases(): WavCase[] {
  const good = pcm16(512);
  return [
    { name: "empty", what: "zero bytes", content: new Uint8Array(0) },
    { name: "plain-text", what: "text, not audio", content: "my cab impulse response\n" },
    { name: "random-bytes", what: "4 KiB of random bytes", content: randomBytes(4096) },
    { name: "nam-model", what: "a .nam model uploaded as an IR", content: wavenetText() },
    { name: "riff-avi", what: "a RIFF file of another type (AVI)", content: wavFile({ data: good, waveId: "AVI " }) },
    { name: "riff-only", what: "only the 12-byte RIFF/WAVE header", content: wavFile({ data: good }).slice(0, 12) },
    { name: "cut-in-fmt", what: "cut inside the fmt chunk (20 bytes)", content: wavFile({ data: good }).slice(0, 20) },
    { name: "cut-after-fmt", what: "cut right after the fmt chunk (no data chunk)", content: wavFile({ data: good }).slice(0, 36) },
    { name: "no-fmt-chunk", what: "a data chunk but no fmt chunk", content: wavFile({ data: good, omitFmt: true }) },
    { name: "no-data-chunk", what: "a fmt chunk but no data chunk", content: wavFile({ data: good, omitData: true }) },
    { name: "data-id-misspelled", what: 'the data chunk is called "dat "', content: wavFile({ data: good, dataId: "dat " }) },
    { name: "zero-frames", what: "an empty data chunk", content: wavFile({ data: new Uint8Array(0) }) },
    { name: "half-a-frame", what: "one byte of 16-bit audio", content: wavFile({ data: new Uint8Array(1) }) },
    { name: "pcm-8bit", what: "8-bit unsigned PCM", content: wavFile({ bits: 8, data: randomBytes(512) }) },
    { name: "pcm-12bit", what: "12-bit PCM", content: wavFile({ bits: 12, blockAlign: 2, data: good }) },
    { name: "float-64bit", what: "64-bit float", content: wavFile({ format: 3, bits: 64, data: new Uint8Array(8 * 256) }) },
    { name: "float-16bit", what: "16-bit float", content: wavFile({ format: 3, bits: 16, data: good }) },
    { name: "format-adpcm", what: "Microsoft ADPCM (format 0x0002)", content: wavFile({ format: 2, bits: 4, blockAlign: 256, data: randomBytes(1024) }) },
    { name: "format-mp3", what: "MPEG layer 3 (format 0x0055)", content: wavFile({ format: 0x55, bits: 0, blockAlign: 1, data: randomBytes(1024) }) },
    { name: "format-alaw", what: "A-law (format 0x0006)", content: wavFile({ format: 6, bits: 8, data: randomBytes(512) }) },
    { name: "extensible-unknown", what: "WAVE_FORMAT_EXTENSIBLE with a made-up sub-format GUID", content: wavFile({ format: 0xfffe, data: good, fmtExtra: extensibleTail(1, 16, [1, 2, 3]) }) },
    { name: "extensible-8bit", what: "WAVE_FORMAT_EXTENSIBLE PCM at 8 bits", content: wavFile({ format: 0xfffe, bits: 8, data: randomBytes(256), fmtExtra: extensibleTail(1, 8) }) },
    { name: "channels-zero", what: "0 channels", content: wavFile({ channels: 0, blockAlign: 2, data: good }) },
    { name: "channels-three", what: "3 channels (an IR is mono or stereo)", content: wavFile({ channels: 3, data: pcm16(256, 3) }) },
    { name: "channels-65535", what: "65535 channels", content: wavFile({ channels: 65535, blockAlign: 2, data: good }) },
    { name: "rate-zero", what: "sample rate 0", content: wavFile({ rate: 0, data: good }) },
    { name: "rate-one", what: "sample rate 1 Hz", content: wavFile({ rate: 1, data: good }) },
    { name: "rate-7999", what: "sample rate 7999 Hz (below 8 kHz)", content: wavFile({ rate: 7999, data: good }) },
    { name: "rate-384001", what: "sample rate 384001 Hz", content: wavFile({ rate: 384001, data: good }) },
    { name: "rate-unresamplable", what: "sample rate 47983 Hz (the resampler cannot convert it to 48 kHz)", content: wavFile({ rate: 47983, data: good }) },
    { name: "rate-4e9", what: "sample rate 4000000000 Hz", content: wavFile({ rate: 4_000_000_000, data: good }) },
    { name: "block-align-wrong", what: "block align 3 for 16-bit mono", content: wavFile({ blockAlign: 3, data: good }) },
    { name: "block-align-zero", what: "block align 0", content: wavFile({ blockAlign: 0, data: good }) },
    { name: "bits-zero", what: "0 bits per sample", content: wavFile({ bits: 0, blockAlign: 2, data: good }) },
    { name: "fmt-size-short", what: "a fmt chunk declaring 2 bytes", content: wavFile({ fmtSize: 2, data: good }) },
    { name: "fmt-size-huge", what: "a fmt chunk declaring 4 GiB", content: wavFile({ fmtSize: 0xffffffff, data: good }) },
    { name: "chunk-size-huge-before-fmt", what: "a LIST chunk declaring 4 GiB before fmt", content: wavFile({ data: good, before: Buffer.concat([chunkHeader("LIST", 0xfffffff0), randomBytes(16)]) }) },
    { name: "data-size-beyond-file", what: "a data chunk declaring 1 GB in a 1 kB file, with no whole frame", content: wavFile({ data: new Uint8Array(1), dataSize: 1_000_000_000 }) },
    { name: "riff-size-beyond-file-empty", what: "RIFF size 4 GiB and an empty data chunk", content: wavFile({ data: new Uint8Array(0), riffSize: 0xffffffff }) },
    { name: "too-long", what: "11 s at 8 kHz (an IR may be 10 s)", content: wavFile({ rate: 8000, data: new Uint8Array(8000 * 11 * 2) }) },
    { name: "float-nan", what: "32-bit float samples that are all NaN", content: wavFile({ format: 3, bits: 32, data: float32(Array(256).fill(Number.NaN)) }) },
    { name: "float-infinity", what: "32-bit float with an infinite sample", content: wavFile({ format: 3, bits: 32, data: float32([1, Number.POSITIVE_INFINITY, 0.5, ...Array(253).fill(0.1)]) }) },
    { name: "silent", what: "16-bit, 512 frames of digital silence", content: wavFile({ data: new Uint8Array(1024) }) },
    { name: "rifx-garbage", what: "big-endian RIFX header over random bytes", content: Buffer.concat([Buffer.from("RIFX\x00\x00\x10\x00WAVE", "latin1"), randomBytes(200)]) },
  ];
}

// ── API requests ─────────────────────────────────────────────────────────────────────────────

function requestCases(): RequestCase[] {
  return [
    // presets: wrong types, unknown fields, bad references
    { id: "preset-name-number", what: "a preset name that is a number", method: "POST", url: "/api/presets", json: { name: 42 }, status: 400, mentions: "name" },
    { id: "preset-name-missing", what: "a preset without a name", method: "POST", url: "/api/presets", json: { modelId: null }, status: 400, mentions: "name" },
    { id: "preset-name-empty", what: "an empty preset name", method: "POST", url: "/api/presets", json: { name: "" }, status: 400, mentions: "name" },
    { id: "preset-name-too-long", what: "a 1000-character preset name", method: "POST", url: "/api/presets", json: { name: "x".repeat(1000) }, status: 400, mentions: "name" },
    { id: "preset-unknown-field", what: "an unknown field next to the name", method: "POST", url: "/api/presets", json: { name: "Lead", shell: "rm -rf /" }, status: 400, mentions: "shell" },
    { id: "preset-model-traversal", what: "a model id like ../../etc/passwd", method: "POST", url: "/api/presets", json: { name: "Lead", modelId: "../../etc/passwd" }, status: 400, mentions: "modelId" },
    { id: "preset-ir-traversal", what: "an IR id like /etc/shadow", method: "POST", url: "/api/presets", json: { name: "Lead", irId: "/etc/shadow" }, status: 400, mentions: "irId" },
    { id: "preset-model-unknown", what: "a well-formed model id that does not exist", method: "POST", url: "/api/presets", json: { name: "Lead", modelId: "ffffffffffffffff" }, status: 404, mentions: "ffffffffffffffff" },
    { id: "preset-slim-range", what: "slim 7 (0…1)", method: "POST", url: "/api/presets", json: { name: "Lead", slim: 7 }, status: 400, mentions: "slim" },
    { id: "preset-params-type", what: "params.gate.thresholdDb as a string", method: "POST", url: "/api/presets", json: { name: "Lead", params: { gate: { thresholdDb: "quiet" } } }, status: 400, mentions: "thresholdDb" },
    { id: "preset-params-unknown", what: "an unknown chain parameter", method: "POST", url: "/api/presets", json: { name: "Lead", params: { fuzz: 11 } }, status: 400, mentions: "fuzz" },
    { id: "preset-body-array", what: "a JSON array as the body", method: "POST", url: "/api/presets", json: [{ name: "Lead" }], status: 400 },
    { id: "preset-body-string", what: "a JSON string as the body", method: "POST", url: "/api/presets", json: "Lead", status: 400 },
    { id: "preset-body-null", what: "null as the body", method: "POST", url: "/api/presets", raw: { contentType: "application/json", text: "null" }, status: 400 },
    { id: "preset-bad-json", what: "JSON cut short", method: "POST", url: "/api/presets", raw: { contentType: "application/json", text: '{"name": "Le' }, status: 400 },
    { id: "preset-proto", what: "a __proto__ key (prototype pollution)", method: "POST", url: "/api/presets", raw: { contentType: "application/json", text: '{"name":"Lead","__proto__":{"isAdmin":true}}' }, status: 400 },
    { id: "preset-constructor-prototype", what: "a constructor.prototype key (prototype pollution)", method: "POST", url: "/api/presets", raw: { contentType: "application/json", text: '{"name":"Lead","constructor":{"prototype":{"isAdmin":true}}}' }, status: 400 },
    { id: "preset-deep-json", what: "a body nested 20000 objects deep", method: "POST", url: "/api/presets", deepJson: { fields: { name: "Lead" }, key: "params", depth: 20_000 }, status: 400 },
    { id: "preset-text-plain", what: "JSON sent as text/plain (what a cross-site form can send)", method: "POST", url: "/api/presets", raw: { contentType: "text/plain", text: '{"name":"Lead"}' }, status: 400, mentions: "body" },
    { id: "preset-form-urlencoded", what: "a form post (what a cross-site form would send)", method: "POST", url: "/api/presets", raw: { contentType: "application/x-www-form-urlencoded", text: "name=Lead" }, status: 415 },
    { id: "preset-oversized", what: "a 1 MiB JSON body", method: "POST", url: "/api/presets", oversizedJsonBytes: 1024 * 1024, status: 413 },
    { id: "preset-id-traversal", what: "a preset id like ..%2F..%2Fetc%2Fpasswd in the URL", method: "DELETE", url: "/api/presets/..%2F..%2Fetc%2Fpasswd", status: 400, mentions: "id" },
    { id: "preset-update-unknown", what: "updating a preset that does not exist", method: "PATCH", url: "/api/presets/nope", json: { name: "x" }, status: 404, mentions: "nope" },
    { id: "preset-activate-unknown", what: "activating a preset that does not exist", method: "POST", url: "/api/presets/nope/activate", json: {}, status: 404, mentions: "nope" },
    // banks
    { id: "bank-preset-ids-type", what: "presetIds as a string", method: "POST", url: "/api/banks", json: { name: "Set 1", presetIds: "p1,p2" }, status: 400, mentions: "presetIds" },
    { id: "bank-preset-unknown", what: "a bank naming a preset that does not exist", method: "POST", url: "/api/banks", json: { name: "Set 1", presetIds: ["nope"] }, status: 409, mentions: "nope" },
    { id: "bank-order-too-many", what: "an order of 200 banks (128 at most)", method: "PUT", url: "/api/banks/order", json: { bankIds: Array(200).fill("b") }, status: 400, mentions: "bankIds" },
    // models and IRs by id
    { id: "model-id-traversal", what: "a model id ..%2F..%2Fetc%2Fpasswd", method: "GET", url: "/api/models/..%2F..%2Fetc%2Fpasswd", status: 400, mentions: "id" },
    { id: "model-file-traversal", what: "downloading ../../etc/passwd as a model file", method: "GET", url: "/api/models/..%2F..%2Fetc%2Fpasswd/file", status: 400, mentions: "id" },
    { id: "ir-path-dotdot", what: "a literal /../../ in the IR URL", method: "GET", url: "/api/irs/../../etc/passwd", status: 404 },
    { id: "model-rename-number", what: "renaming a model to a number", method: "PATCH", url: "/api/models/{modelId}", json: { name: 7 }, status: 400, mentions: "name" },
    { id: "model-rename-blank", what: "renaming a model to spaces", method: "PATCH", url: "/api/models/{modelId}", json: { name: "   " }, status: 400, mentions: "name" },
    { id: "model-rename-unknown-field", what: "a rename with an extra field", method: "PATCH", url: "/api/models/{modelId}", json: { name: "x", path: "/etc/passwd" }, status: 400, mentions: "path" },
    { id: "model-delete-unknown", what: "deleting a model that does not exist", method: "DELETE", url: "/api/models/0000000000000000", status: 404, mentions: "0000000000000000" },
    { id: "model-select-slim", what: "selecting a model at slim -1", method: "POST", url: "/api/models/{modelId}/select", json: { slim: -1 }, status: 400, mentions: "slim" },
    { id: "ir-rename-unknown", what: "renaming an IR that does not exist", method: "PATCH", url: "/api/irs/0000000000000000", json: { name: "x" }, status: 404, mentions: "0000000000000000" },
    // uploads
    { id: "upload-json-body", what: "a model upload sent as JSON instead of multipart", method: "POST", url: "/api/models", json: { file: "model.nam" }, status: 406 },
    { id: "upload-wrong-field", what: "a multipart upload in the field \"model\" instead of \"file\"", method: "POST", url: "/api/models", multipart: { field: "model", fileName: "amp.nam", text: "{}", kind: "model" }, status: 400, mentions: "file" },
    { id: "upload-traversal-name", what: "a bad .nam uploaded as ../../etc/passwd", method: "POST", url: "/api/models", multipart: { field: "file", fileName: "../../etc/passwd", text: "root:x:0:0:root:/root:/bin/bash\n", kind: "model" }, status: 422, mentions: "passwd" },
    { id: "upload-ir-traversal-name", what: "a bad IR uploaded as ../../../boot/config.txt", method: "POST", url: "/api/irs", multipart: { field: "file", fileName: "../../../boot/config.txt", text: "dtparam=audio=on\n", kind: "ir" }, status: 422 },
    { id: "upload-model-oversized", what: "a model larger than the upload cap", method: "POST", url: "/api/models", oversizedUpload: { kind: "model", bytes: 1.5 * 1024 * 1024 }, status: 413 },
    { id: "upload-ir-oversized", what: "an IR larger than the upload cap", method: "POST", url: "/api/irs", oversizedUpload: { kind: "ir", bytes: 1.5 * 1024 * 1024 }, status: 413 },
    // live sound and stage
    { id: "params-type", what: "bypass as a string", method: "PATCH", url: "/api/params", json: { bypass: "yes" }, status: 400, mentions: "bypass" },
    { id: "params-range", what: "outputLevelDb 1000", method: "PATCH", url: "/api/params", json: { chain: { outputLevelDb: 1000 } }, status: 400, mentions: "outputLevelDb" },
    { id: "params-nan-string", what: 'limiterCeilingDb "NaN"', method: "PATCH", url: "/api/params", json: { chain: { limiterCeilingDb: "NaN" } }, status: 400, mentions: "limiterCeilingDb" },
    { id: "params-unknown", what: "an unknown top-level key", method: "PATCH", url: "/api/params", json: { volume: 11 }, status: 400, mentions: "volume" },
    { id: "action-unknown", what: "a stage action that does not exist", method: "POST", url: "/api/actions/format-sd-card", status: 400, mentions: "action" },
    { id: "footswitch-zero", what: "footswitch 0", method: "POST", url: "/api/footswitches/0/press", json: {}, status: 400, mentions: "number" },
    { id: "footswitch-huge", what: "footswitch 99999999999999999999", method: "POST", url: "/api/footswitches/99999999999999999999/press", json: {}, status: 400, mentions: "number" },
    { id: "footswitch-gesture", what: 'a "triple" gesture', method: "POST", url: "/api/footswitches/1/press", json: { gesture: "triple" }, status: 400, mentions: "gesture" },
    // auth and origin
    { id: "anonymous-change", what: "creating a preset without the PIN", method: "POST", url: "/api/presets", json: { name: "Lead" }, anonymous: true, status: 401, mentions: "PIN" },
    { id: "anonymous-download", what: "downloading a model without the PIN", method: "GET", url: "/api/models/{modelId}/file", anonymous: true, status: 401, mentions: "PIN" },
    { id: "login-pin-number", what: "a PIN sent as a number", method: "POST", url: "/api/auth/login", json: { pin: 1234 }, anonymous: true, status: 400, mentions: "pin" },
    { id: "login-extra-field", what: "a login with an extra field", method: "POST", url: "/api/auth/login", json: { pin: "123456", admin: true }, anonymous: true, status: 400, mentions: "admin" },
    { id: "login-oversized", what: "a 2 kB login body (the limit is 1 kB)", method: "POST", url: "/api/auth/login", json: { pin: "1".repeat(2000) }, anonymous: true, status: 413 },
    { id: "setup-again", what: "choosing a PIN when one is set", method: "POST", url: "/api/auth/setup", json: { pin: "999999" }, anonymous: true, status: 409, mentions: "already" },
    { id: "host-rebinding", what: "a request naming the pedal evil.example (DNS rebinding)", method: "GET", url: "/api/status", headers: { host: "evil.example" }, status: 421, mentions: "evil.example" },
    { id: "origin-cross-site", what: "a change from another site's page", method: "POST", url: "/api/presets", json: { name: "Lead" }, headers: { origin: "http://evil.example" }, status: 403, mentions: "evil.example" },
  ];
}

// ── writing ──────────────────────────────────────────────────────────────────────────────────

function main(): void {
  rmSync(join(outDir, "nam"), { recursive: true, force: true });
  rmSync(join(outDir, "wav"), { recursive: true, force: true });
  mkdirSync(join(outDir, "nam"), { recursive: true });
  mkdirSync(join(outDir, "wav"), { recursive: true });
  const files: FileCase[] = [];
  for (const item of namCases()) {
    writeFileSync(join(outDir, "nam", `${item.name}.nam`), item.content);
    files.push({ file: `nam/${item.name}.nam`, kind: "model", what: item.what });
  }
  for (const item of wavCases()) {
    writeFileSync(join(outDir, "wav", `${item.name}.wav`), item.content);
    files.push({ file: `wav/${item.name}.wav`, kind: "ir", what: item.what });
  }
  const requests = requestCases();
  writeFileSync(join(outDir, "files.json"), `${JSON.stringify(files, null, 2)}\n`);
  writeFileSync(join(outDir, "requests.json"), `${JSON.stringify(requests, null, 2)}\n`);
  writeFileSync(join(outDir, "README.md"), readme(files, requests));
  console.log(`bad-input corpus: ${files.length} files and ${requests.length} requests (${files.length + requests.length} items) in ${outDir}`);
}

function readme(files: FileCase[], requests: RequestCase[]): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  const lines = [
    "# Bad-input corpus",
    "",
    "Malformed uploads and API requests the pedal must refuse with a 4xx and a message that names",
    "the file or field, while the daemon stays up, audio keeps running without an xrun and the",
    "library stays unchanged (`test/robustness/bad-input.test.ts`). Every file is one named edit of a",
    "valid input; `scripts/make-bad-input-corpus.ts` made them all (deterministically) and wrote this",
    "index, `files.json` and `requests.json`. Regenerate with",
    "`npx tsc -p tsconfig.json && node dist/scripts/make-bad-input-corpus.js`.",
    "",
    `${files.length + requests.length} items: ${files.filter((f) => f.kind === "model").length} .nam files, ` +
      `${files.filter((f) => f.kind === "ir").length} WAV files, ${requests.length} API requests.`,
    "",
    "Uploaded files are expected to get 422 (a NamFileError, WavFileError or IrFileError message",
    "starting with the uploaded file's name).",
    "",
    "## .nam files (POST /api/models)",
    "",
    "| file | what |",
    "|---|---|",
    ...files.filter((f) => f.kind === "model").map((f) => `| \`${f.file}\` | ${escape(f.what)} |`),
    "",
    "## WAV files (POST /api/irs)",
    "",
    "| file | what |",
    "|---|---|",
    ...files.filter((f) => f.kind === "ir").map((f) => `| \`${f.file}\` | ${escape(f.what)} |`),
    "",
    "## API requests (`requests.json`)",
    "",
    "Sent with an admin session unless marked anonymous; `{modelId}` is an id that exists.",
    "",
    "| id | request | what | status |",
    "|---|---|---|---|",
    ...requests.map((r) => `| ${r.id} | \`${r.method} ${escape(r.url.length > 60 ? `${r.url.slice(0, 57)}...` : r.url)}\`${r.anonymous ? " (anonymous)" : ""} | ${escape(r.what)} | ${r.status} |`),
    "",
  ];
  return lines.join("\n");
}

main();
