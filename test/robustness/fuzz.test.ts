// Generative fuzzing against the whole daemon for a bounded time: valid .nam files, WAVs and JSON
// bodies, mutated by a seeded PRNG (bit flips, byte splices, truncation, header fields set to
// edge values, JSON nodes replaced by values of other types and sizes), each sent through the
// real routes. Whatever the input, the answer must be a 2xx or a 4xx with a message — never a
// 5xx or a hang — and audio must keep its pace with no xrun. Accepted mutants are selected into
// the engine (a valid-but-strange model must not take the audio down) and then deleted.
//
// Reproduce a failure with the seed and iteration it prints; the input is kept under
// test-output/fuzz/. NAMSTOMP_FUZZ_SEED and NAMSTOMP_FUZZ_SECONDS run other seeds or longer.

import { it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { multipart } from "../server/helper.js";
import { assertAudioKeptRunning, markAudio, playingPedal, type PlayingPedal } from "./pedal-under-test.js";
import { seededRandom } from "../helpers/random.js";

const SEED = Number(process.env.NAMSTOMP_FUZZ_SEED ?? 0x5eed);
const SECONDS = Number(process.env.NAMSTOMP_FUZZ_SECONDS ?? 8);
/**
 * A shared VM misses a period now and then with the pedal idle (a vCPU descheduled for > 2.7 ms:
 * about one xrun a minute on the 2-core development VM, whatever runs). Inputs that disturbed the
 * audio would show up by the dozen (a few hundred uploads are played per run), so a couple is noise.
 */
const ALLOWED_XRUNS = Math.max(1, Math.ceil(SECONDS / 30)) + 1;

type Random = () => number;

const mulberry32 = seededRandom;

/** Each iteration has its own generator, so one failing case replays alone from (seed, iteration). */
const iterationRandom = (iteration: number): Random => mulberry32(Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(iteration + 1, 0xc2b2ae35));
const below = (random: Random, n: number) => Math.floor(random() * n);
const pick = <T>(random: Random, items: readonly T[]): T => items[below(random, items.length)]!;

// ── byte mutations ───────────────────────────────────────────────────────────────────────────

const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 48000, 44100, 8, 16, 24, 32, 64];

/** @param hotBytes mutations land in the first `hotBytes` bytes (a header) most of the time */
function mutateBytes(random: Random, input: Uint8Array, donors: readonly Uint8Array[], hotBytes = Infinity): Uint8Array {
  let bytes = Uint8Array.from(input);
  const rounds = 1 + below(random, 4);
  for (let round = 0; round < rounds; round++) {
    const span = random() < 0.8 ? Math.min(hotBytes, bytes.length) : bytes.length;
    const at = below(random, Math.max(1, span));
    switch (below(random, 8)) {
      case 0:
        if (bytes.length > 0) bytes[at]! ^= 1 << below(random, 8);
        break;
      case 1:
        if (bytes.length > 0) bytes[at] = below(random, 256);
        break;
      case 2: // a 32-bit header field set to an edge value (WAV sizes, rates, counts)
        if (bytes.length >= 4) new DataView(bytes.buffer).setUint32(Math.min(at & ~1, bytes.length - 4), pick(random, INTERESTING_U32), true);
        break;
      case 3:
        bytes = bytes.slice(0, at);
        break;
      case 4: {
        const length = below(random, 64);
        bytes = concat(bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + length)));
        break;
      }
      case 5: {
        const length = below(random, 256);
        bytes = concat(bytes.subarray(0, at), bytes.subarray(at, at + length), bytes.subarray(at));
        break;
      }
      case 6:
        bytes = concat(bytes.subarray(0, at), Uint8Array.from({ length: below(random, 32) }, () => below(random, 256)), bytes.subarray(at));
        break;
      case 7: { // splice in a piece of another valid file
        const donor = pick(random, donors);
        const from = below(random, Math.max(1, donor.length));
        bytes = concat(bytes.subarray(0, at), donor.subarray(from, from + below(random, 512)));
        break;
      }
    }
  }
  return bytes;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

// ── JSON mutations ───────────────────────────────────────────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function interestingValue(random: Random): Json {
  switch (below(random, 16)) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return "";
    case 3: return "x".repeat(below(random, 5000));
    case 4: return "../../etc/passwd";
    case 5: return -1;
    case 6: return 0;
    case 7: return pick(random, [1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31), 2 ** 32]);
    case 8: return random() * 2e6 - 1e6;
    case 9: return [];
    case 10: return {};
    case 11: return Array.from({ length: below(random, 2000) }, () => random());
    case 12: {
      // Deeper nesting (tens of thousands) is in the bad-input corpus; here it stays within what JSON.stringify can write back.
      let nested: Json = 0;
      for (let depth = below(random, 1000); depth > 0; depth--) nested = [nested];
      return nested;
    }
    case 13: return { __proto__: { polluted: true } } as unknown as Json;
    case 14: return "NaN";
    default: return below(random, 100);
  }
}

/** Every container node of a JSON value with the key/index leading to each child. */
function containers(value: Json, found: (Json[] | { [key: string]: Json })[] = []): (Json[] | { [key: string]: Json })[] {
  if (value !== null && typeof value === "object") {
    found.push(value);
    for (const child of Object.values(value)) if (found.length < 5000) containers(child, found);
  }
  return found;
}

function mutateJson(random: Random, base: Json): Json {
  const root = structuredClone(base);
  const rounds = 1 + below(random, 3);
  for (let round = 0; round < rounds; round++) {
    const nodes = containers(root);
    if (nodes.length === 0) return interestingValue(random);
    const node = pick(random, nodes);
    const keys = Object.keys(node);
    const key = keys.length > 0 ? pick(random, keys) : "0";
    const record = node as Record<string, Json>;
    switch (below(random, 6)) {
      case 0:
      case 1:
        record[key] = interestingValue(random);
        break;
      case 2:
        if (Array.isArray(node)) node.splice(Number(key), 1);
        else delete record[key];
        break;
      case 3:
        if (Array.isArray(node)) node.push(...node.slice(0, below(random, 4)));
        else record[pick(random, ["extra", "__proto__", "constructor", "weights", "version", "name"])] = interestingValue(random);
        break;
      case 4: // numbers as strings, strings as numbers
        record[key] = typeof record[key] === "number" ? String(record[key]) : typeof record[key] === "string" ? Number(record[key]) : record[key]!;
        break;
      case 5:
        if (Array.isArray(record[key])) record[key] = (record[key] as Json[]).slice(0, below(random, (record[key] as Json[]).length + 1));
        break;
    }
  }
  return root;
}

// ── valid starting points ─────────────────────────────────────────────────────────────────────

function wavBytes(random: Random, format: "pcm16" | "float32" | "pcm24-stereo"): Uint8Array {
  const frames = 256 + below(random, 512);
  const channels = format === "pcm24-stereo" ? 2 : 1;
  const bits = format === "pcm16" ? 16 : format === "float32" ? 32 : 24;
  const blockAlign = (channels * bits) / 8;
  const data = new Uint8Array(frames * blockAlign);
  const view = new DataView(data.buffer);
  for (let i = 0; i < frames; i++) {
    const value = (random() * 2 - 1) * Math.exp(-i / 64);
    for (let c = 0; c < channels; c++) {
      const offset = i * blockAlign + (c * bits) / 8;
      if (format === "float32") view.setFloat32(offset, value, true);
      else if (bits === 16) view.setInt16(offset, Math.round(value * 32767), true);
      else {
        const code = Math.round(value * 8388607) & 0xffffff;
        data[offset] = code & 0xff;
        data[offset + 1] = (code >> 8) & 0xff;
        data[offset + 2] = code >> 16;
      }
    }
  }
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (offset: number, text: string) => [...text].forEach((char, i) => header.setUint8(offset + i, char.charCodeAt(0)));
  ascii(0, "RIFF");
  header.setUint32(4, 36 + data.length, true);
  ascii(8, "WAVEfmt ");
  header.setUint32(16, 16, true);
  header.setUint16(20, format === "float32" ? 3 : 1, true);
  header.setUint16(22, channels, true);
  header.setUint32(24, 48000, true);
  header.setUint32(28, 48000 * blockAlign, true);
  header.setUint16(32, blockAlign, true);
  header.setUint16(34, bits, true);
  ascii(36, "data");
  header.setUint32(40, data.length, true);
  return concat(new Uint8Array(header.buffer), data);
}

interface BodyTarget {
  method: "POST" | "PATCH" | "PUT";
  url: string;
  base: Json;
  /** Collection the created entry is deleted from when the mutant is accepted. */
  created?: string;
}

const BODY_TARGETS: BodyTarget[] = [
  { method: "POST", url: "/api/presets", base: { name: "Fuzz", modelId: null, irId: null, slim: null, params: { gate: { thresholdDb: -60 }, eq: { bass: 6 }, outputLevelDb: -3 } }, created: "/api/presets" },
  { method: "PATCH", url: "/api/params", base: { chain: { inputTrimDb: 1, gate: { enabled: true, releaseMs: 100 }, eq: { treble: 4 } }, bypass: false, tuner: false } },
  { method: "POST", url: "/api/banks", base: { name: "Fuzz bank", presetIds: [] }, created: "/api/banks" },
  { method: "POST", url: "/api/footswitches/1/press", base: { gesture: "short" } },
  { method: "POST", url: "/api/auth/login", base: { pin: "0000" } },
];

// ── the run ──────────────────────────────────────────────────────────────────────────────────

interface Failure {
  iteration: number;
  what: string;
  status: number;
  body: string;
  input: Uint8Array;
  extension: string;
}

it(`survives ${SECONDS} s of mutated .nam, WAV and JSON inputs (seed ${SEED})`, async (t) => {
  const pedal = await playingPedal(t);
  const models = await Promise.all(["lstm_core_h3.nam", "wavenet_tiny_core.nam"].map((name) => readFile(join(fixtures, "reference", "models", name))));
  models.push(await readFile(join(fixtures, "models", "core-examples", "slimmable_container.nam")));
  const setupRandom = mulberry32(SEED);
  const wavs = [wavBytes(setupRandom, "pcm16"), wavBytes(setupRandom, "float32"), wavBytes(setupRandom, "pcm24-stereo")];
  const modelJson = models.map((bytes) => JSON.parse(bytes.toString("utf8")) as Json);
  const donors = [...models, ...wavs];

  const failures: Failure[] = [];
  const counts = { models: 0, irs: 0, bodies: 0, accepted: 0 };
  const audioBefore = markAudio(pedal);
  /** What was going on when an xrun was counted, to tell a cause from machine noise. */
  const xrunMoments: string[] = [];
  let xruns = audioBefore.xruns;
  const deadline = performance.now() + SECONDS * 1000;
  let iteration = 0;
  for (; performance.now() < deadline && failures.length < 10; iteration++) {
    const random = iterationRandom(iteration);
    const kind = below(random, 10);
    let response: LightMyRequestResponse;
    let input: Uint8Array;
    let what: string;
    let extension: string;
    if (kind < 4) {
      counts.models++;
      const index = below(random, models.length);
      input = random() < 0.5
        ? Buffer.from(JSON.stringify(mutateJson(random, modelJson[index]!)))
        : mutateBytes(random, models[index]!, donors);
      what = "POST /api/models";
      extension = "nam";
      response = await pedal.admin({ method: "POST", url: "/api/models", ...multipart(`fuzz-${iteration}.nam`, input) });
    } else if (kind < 7) {
      counts.irs++;
      // Sample bytes are almost always still valid audio: aim at the RIFF/fmt/data headers.
      input = mutateBytes(random, pick(random, wavs), donors, 48);
      what = "POST /api/irs";
      extension = "wav";
      response = await pedal.admin({ method: "POST", url: "/api/irs", ...multipart(`fuzz-${iteration}.wav`, input) });
    } else {
      counts.bodies++;
      const target = pick(random, BODY_TARGETS);
      input = Buffer.from(JSON.stringify(mutateJson(random, target.base)) ?? "null");
      what = `${target.method} ${target.url}`;
      extension = "json";
      response = await pedal.admin({ method: target.method, url: target.url, payload: input, headers: { "content-type": "application/json" } });
      if (response.statusCode < 300 && target.created) await pedal.admin({ method: "DELETE", url: `${target.created}/${(response.json() as { id: string }).id}` });
    }
    const xrunsNow = pedal.daemon.engine.status().xruns;
    if (xrunsNow !== xruns) xrunMoments.push(`iteration ${iteration} (${what} → ${response.statusCode})`);
    xruns = xrunsNow;
    if (response.statusCode >= 500 || (response.statusCode >= 400 && !hasMessage(response))) {
      failures.push({ iteration, what, status: response.statusCode, body: response.body.slice(0, 300), input, extension });
    } else if (response.statusCode < 300 && kind < 7) {
      counts.accepted++;
      const failure = await playThenDelete(pedal, kind < 4 ? "models" : "irs", (response.json() as { id: string }).id);
      if (failure !== null) failures.push({ iteration, what: `${what} then select`, status: 0, body: failure, input, extension });
    }
  }
  t.diagnostic(`seed ${SEED}: ${iteration} inputs in ${SECONDS} s (${counts.models} models, ${counts.irs} IRs, ${counts.bodies} bodies; ${counts.accepted} accepted uploads played and deleted)`);
  if (xrunMoments.length > 0) t.diagnostic(`xruns counted during: ${xrunMoments.slice(0, 10).join(", ")}`);
  await keepFailures(failures);
  assert.deepEqual(failures.map((f) => `iteration ${f.iteration}: ${f.what} → ${f.status} ${f.body}`), []);
  assert.equal((await pedal.admin({ method: "GET", url: "/api/status" })).statusCode, 200);
  assertAudioKeptRunning(t, pedal, audioBefore, ALLOWED_XRUNS);
  for (const folder of ["models", "irs"]) {
    const names = await readdir(join(pedal.dataDir, folder));
    assert.equal(names.filter((name) => name.endsWith(".json")).length, 1, `${folder}: only the baseline entry is left (${names.join(", ")})`);
  }
});

function hasMessage(response: LightMyRequestResponse): boolean {
  try {
    const message = (response.json() as { message?: unknown }).message;
    return typeof message === "string" && message.length > 0;
  } catch {
    return false;
  }
}

/** An accepted mutant goes into the engine (it must not take audio down), then the baseline comes back and the mutant is deleted. */
async function playThenDelete(pedal: PlayingPedal, collection: "models" | "irs", id: string): Promise<string | null> {
  const problems: string[] = [];
  const select = await pedal.admin({ method: "POST", url: `/api/${collection}/${id}/select`, payload: {} });
  if (select.statusCode >= 500) problems.push(`select → ${select.statusCode} ${select.body.slice(0, 200)}`);
  const baseline = collection === "models" ? pedal.modelId : pedal.irId;
  const back = await pedal.admin({ method: "POST", url: `/api/${collection}/${baseline}/select`, payload: {} });
  if (back.statusCode !== 200) problems.push(`reselecting the baseline → ${back.statusCode} ${back.body.slice(0, 200)}`);
  const removed = await pedal.admin({ method: "DELETE", url: `/api/${collection}/${id}` });
  if (removed.statusCode !== 204) problems.push(`delete → ${removed.statusCode} ${removed.body.slice(0, 200)}`);
  return problems.length === 0 ? null : problems.join(" · ");
}

async function keepFailures(failures: Failure[]): Promise<void> {
  if (failures.length === 0) return;
  const directory = join(repoRoot, "test-output", "fuzz");
  await mkdir(directory, { recursive: true });
  for (const failure of failures) await writeFile(join(directory, `seed-${SEED}-iteration-${failure.iteration}.${failure.extension}`), failure.input);
}
