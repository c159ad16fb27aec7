// `npm run soak -- --minutes 30`: the daemon (`namstomp start`, a child process, as systemd runs
// it) playing a bank of presets with a model and an IR while a footswitch is pressed every second
// (the virtual footswitch route: the same gestures and actions as the hardware), a model or IR is
// uploaded every minute (and the previous one deleted), and two WebSocket clients stay connected.
// Prints every minute and at the end: the daemon's RSS and its growth, xruns, deadline misses,
// DSP load, worker restarts. Goal: RSS growth < 10 MB and 0 xruns; the exit code says whether
// both were met. Not part of `npm test`.
//
// V8 collects its old generation lazily, so a light load grows RSS for a long while before a full
// collection gives it back. The growth that counts is therefore measured after forcing one: the
// daemon runs with the inspector on 127.0.0.1 (a random port), and at the baseline and at the end
// this script asks it for a full GC and reads process.memoryUsage().
//
// Options: --minutes N (default 30; fractions work), --audio virtual|auto|naudiodon (default
// virtual), --press-interval-ms (1000), --upload-interval-s (60), --clients (2), --keep-data.

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { findPackageRoot } from "../firmware/cli/package-root.js";
import { hashPin } from "../firmware/security/pin-hash.js";
import { writeWavFloat32 } from "../firmware/util/wav.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    audio: { type: "string", default: "virtual" },
    "press-interval-ms": { type: "string", default: "1000" },
    "upload-interval-s": { type: "string", default: "60" },
    clients: { type: "string", default: "2" },
    "keep-data": { type: "boolean", default: false },
  },
});
const minutes = Number(values.minutes);
const pressIntervalMs = Number(values["press-interval-ms"]);
const uploadIntervalMs = Number(values["upload-interval-s"]) * 1000;
const clientCount = Number(values.clients);
if (!(minutes > 0) || !(pressIntervalMs > 0) || !(uploadIntervalMs > 0) || !(clientCount >= 0)) {
  throw new Error("--minutes, --press-interval-ms and --upload-interval-s must be positive, --clients at least 0");
}

const GOAL_RSS_GROWTH_MB = 10;
const SAMPLE_RATE = 48000;
const PIN = "soak-2468";
/** RSS is taken as the baseline once caches, JIT and the allocator have warmed up. */
const WARM_UP_MS = Math.min(60_000, minutes * 60_000 * 0.2);
const REPORT_INTERVAL_MS = Math.min(60_000, Math.max(5_000, (minutes * 60_000) / 10));
/** RSS swings by tens of MB with V8's collections: growth compares medians over windows this long. */
const RSS_WINDOW_MS = REPORT_INTERVAL_MS;

const root = findPackageRoot().directory;
const models = join(root, "test", "fixtures", "reference", "models");

/** The WHATWG WebSocket of Node 20 (--experimental-websocket, which the npm script passes); @types/node 20 does not declare it. */
interface PageSocket {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "open" | "close" | "error", listener: () => void): void;
  close(): void;
}
const WebSocketClass = (globalThis as unknown as { WebSocket?: new (url: string) => PageSocket }).WebSocket;

interface AudioFigures {
  running: boolean;
  xruns: number;
  deadlineMisses: number;
  dspLoad: { mean: number; p99: number; max: number };
  lastError: string | null;
}

class Counters {
  presses = 0;
  pressFailures = 0;
  uploads = 0;
  uploadFailures = 0;
  stateMessages = 0;
  meterMessages = 0;
  noticeMessages = 0;
  socketDrops = 0;
  readonly problems: string[] = [];

  problem(message: string): void {
    if (this.problems.length < 20) this.problems.push(message);
  }
}

async function main(): Promise<void> {
  if (WebSocketClass === undefined) throw new Error("no WebSocket in this Node: run with --experimental-websocket (npm run soak does)");
  const dataDir = await mkdtemp(join(tmpdir(), "namstomp-soak-"));
  const diPath = join(dataDir, "di.wav");
  await writeWavFloat32(diPath, guitarLikeSignal(), SAMPLE_RATE);
  await writeFile(join(dataDir, "config.json"), JSON.stringify({
    server: { host: "127.0.0.1", port: 0, logLevel: "info" },
    audio: { virtualInputWav: diPath },
    controls: { keyboard: false, footswitches: { backend: "mock" } },
    security: { pinHash: await hashPin(PIN) },
  }, null, 2));

  const daemon = spawn(process.execPath, ["--inspect=127.0.0.1:0", join(root, "dist", "firmware", "cli", "main.js"), "start", "--data", dataDir, "--audio", String(values.audio)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const inspectorUrl = inspectorAddress(daemon);
  const stopDaemon = once(async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      const exited = new Promise((resolve) => daemon.once("exit", resolve));
      daemon.kill("SIGTERM");
      await exited;
    }
    if (!values["keep-data"]) await rm(dataDir, { recursive: true, force: true });
  });
  process.once("SIGINT", () => void stopDaemon().then(() => process.exit(130)));

  try {
    const url = await readyUrl(daemon);
    const api = new Api(url);
    await api.login();
    const setup = await createSetlist(api);
    console.log(`soak: ${minutes} min against ${url} (pid ${daemon.pid}, data ${dataDir}); ${setup}`);
    await run(api, daemon, new Inspector(await inspectorUrl));
  } finally {
    await stopDaemon();
  }
}

async function run(api: Api, daemon: ChildProcess, inspector: Inspector): Promise<void> {
  const counters = new Counters();
  const sockets = Array.from({ length: clientCount }, () => keepConnected(api.url.replace(/^http/, "ws") + "/ws", counters));
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  const first = await api.audio();
  const rssSamples: { atMs: number; mb: number }[] = [];
  let previousUpload: { kind: "models" | "irs"; id: string } | null = null;
  let uploadNumber = 0;
  let lastReportAt = started;
  let lastUploadAt = started;
  let press = 0;
  let baselineAfterGc: CollectedMemory | null = null;

  for (let next = started + pressIntervalMs; Date.now() < endAt; next += pressIntervalMs) {
    await sleep(Math.max(0, next - Date.now()));
    press++;
    // Switch B steps through the bank; every 15th press switch C toggles bypass (and back on the next).
    const footswitch = press % 15 === 0 || press % 15 === 1 ? 3 : 2;
    const pressed = await api.request("POST", `/api/footswitches/${footswitch}/press`, { gesture: "short" }).catch((error: Error) => error);
    if (pressed instanceof Error || pressed.status !== 202) {
      counters.pressFailures++;
      counters.problem(`press ${press}: ${pressed instanceof Error ? pressed.message : `${pressed.status} ${await pressed.text()}`}`);
    } else counters.presses++;

    const rss = rssMB(daemon.pid!);
    rssSamples.push({ atMs: Date.now() - started, mb: rss });
    if (baselineAfterGc === null && Date.now() - started >= WARM_UP_MS) baselineAfterGc = await inspector.collect();

    if (Date.now() - lastUploadAt >= uploadIntervalMs) {
      lastUploadAt = Date.now();
      uploadNumber++;
      const uploaded = await uploadOne(api, uploadNumber, counters);
      if (uploaded && previousUpload) await api.request("DELETE", `/api/${previousUpload.kind}/${previousUpload.id}`);
      if (uploaded) previousUpload = uploaded;
    }
    if (Date.now() - lastReportAt >= REPORT_INTERVAL_MS) {
      lastReportAt = Date.now();
      const audio = await api.audio();
      console.log(`${clock(Date.now() - started)}  RSS ${rss.toFixed(1)} MB (${growth(rssSamples)})  xruns ${audio.xruns - first.xruns}  ` +
        `deadline misses ${audio.deadlineMisses - first.deadlineMisses}  DSP ${audio.dspLoad.mean.toFixed(1)} % (p99 ${audio.dspLoad.p99.toFixed(1)} %)  ` +
        `presses ${counters.presses}/${press}  uploads ${counters.uploads}  ws state ${counters.stateMessages} meters ${counters.meterMessages}`);
    }
  }

  for (const socket of sockets) socket.stop();
  const last = await api.audio();
  const { baseline, recent } = rssChange(rssSamples);
  const maxRss = Math.max(...rssSamples.map((sample) => sample.mb));
  const startAfterGc = baselineAfterGc ?? await inspector.collect();
  const endAfterGc = await inspector.collect();
  const rssGrowth = endAfterGc.rssMB - startAfterGc.rssMB;
  const xruns = last.xruns - first.xruns;
  console.log("");
  console.log(`soak: ${minutes} min, ${press} footswitch presses (${counters.pressFailures} failed), ${counters.uploads} uploads (${counters.uploadFailures} failed), ${clientCount} WebSocket clients`);
  console.log(`  RSS after a full GC: ${startAfterGc.rssMB.toFixed(1)} MB after warm-up → ${endAfterGc.rssMB.toFixed(1)} MB at the end: ` +
    `growth ${rssGrowth.toFixed(1)} MB (goal < ${GOAL_RSS_GROWTH_MB} MB); JS heap ${startAfterGc.heapUsedMB.toFixed(1)} → ${endAfterGc.heapUsedMB.toFixed(1)} MB, ` +
    `external ${startAfterGc.externalMB.toFixed(1)} → ${endAfterGc.externalMB.toFixed(1)} MB`);
  console.log(`  RSS as it runs (medians over ${RSS_WINDOW_MS / 1000} s, no forced GC): ${baseline.toFixed(1)} → ${recent.toFixed(1)} MB, max ${maxRss.toFixed(1)} MB`);
  console.log(`  xruns: ${xruns} (goal 0); deadline misses: ${last.deadlineMisses - first.deadlineMisses}; DSP load mean ${last.dspLoad.mean.toFixed(1)} %, p99 ${last.dspLoad.p99.toFixed(1)} %, max ${last.dspLoad.max.toFixed(1)} %`);
  console.log(`  audio running: ${last.running}; last fault (worker restart, device loss): ${last.lastError ?? "none"}`);
  console.log(`  WebSocket: ${counters.stateMessages} state, ${counters.meterMessages} meter, ${counters.noticeMessages} notice messages; ${counters.socketDrops} drops`);
  for (const problem of counters.problems) console.log(`  problem: ${problem}`);
  const passed = rssGrowth < GOAL_RSS_GROWTH_MB && xruns === 0 && last.running && counters.pressFailures === 0 && counters.uploadFailures === 0;
  console.log(`soak: ${passed ? "PASS" : "FAIL"}`);
  process.exitCode = passed ? 0 : 1;
}

/** Uploads the next model or IR (alternating); returns it, or null when refused. */
async function uploadOne(api: Api, number: number, counters: Counters): Promise<{ kind: "models" | "irs"; id: string } | null> {
  const kind = number % 2 === 1 ? "models" : "irs";
  const bytes = kind === "models" ? await readFile(join(models, "synth_feather_v070.nam")) : await irBytes(number);
  const form = new FormData();
  form.append("file", new Blob([bytes]), kind === "models" ? `soak-${number}.nam` : `soak-${number}.wav`);
  const response = await api.request("POST", `/api/${kind}`, form).catch((error: Error) => error);
  if (response instanceof Error || response.status !== 201) {
    counters.uploadFailures++;
    counters.problem(`upload ${number}: ${response instanceof Error ? response.message : `${response.status} ${await response.text()}`}`);
    return null;
  }
  counters.uploads++;
  return { kind, id: ((await response.json()) as { id: string }).id };
}

/** Three presets (model + IR, different settings) in a bank, the first one playing. */
async function createSetlist(api: Api): Promise<string> {
  const model = await api.json<{ id: string; label: string }>("POST", "/api/models", fileForm("amp.nam", await readFile(join(models, "synth_feather_v070.nam"))));
  const ir = await api.json<{ id: string }>("POST", "/api/irs", fileForm("cab.wav", await irBytes(0)));
  const presetIds: string[] = [];
  for (const [name, params] of [["Clean", { eq: { bass: 4 } }], ["Crunch", { inputTrimDb: 6 }], ["Lead", { outputLevelDb: 3, eq: { mid: 7 } }]] as const) {
    presetIds.push((await api.json<{ id: string }>("POST", "/api/presets", { name, modelId: model.id, irId: ir.id, params })).id);
  }
  const bank = await api.json<{ id: string }>("POST", "/api/banks", { name: "Soak", presetIds });
  await api.json("POST", `/api/presets/${presetIds[0]}/activate`, { bankId: bank.id });
  return `bank of 3 presets with ${model.label} and a 200 ms IR`;
}

/** A WebSocket page that stays connected (reconnecting after a drop) and counts what it receives. */
function keepConnected(url: string, counters: Counters): { stop(): void } {
  let stopped = false;
  let socket: PageSocket | null = null;
  const connect = () => {
    socket = new WebSocketClass!(url);
    socket.addEventListener("message", (event) => {
      const type = (JSON.parse(String(event.data)) as { type: string }).type;
      if (type === "state") counters.stateMessages++;
      else if (type === "meters") counters.meterMessages++;
      else if (type === "notice") counters.noticeMessages++;
    });
    socket.addEventListener("close", () => {
      if (stopped) return;
      counters.socketDrops++;
      setTimeout(connect, 1000);
    });
    socket.addEventListener("error", () => {});
  };
  connect();
  return {
    stop() {
      stopped = true;
      socket?.close();
    },
  };
}

class Api {
  private cookie = "";

  constructor(readonly url: string) {}

  async login(): Promise<void> {
    const response = await this.request("POST", "/api/auth/login", { pin: PIN });
    if (response.status !== 200) throw new Error(`login: ${response.status} ${await response.text()}`);
    this.cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  }

  request(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { cookie: this.cookie };
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    return fetch(`${this.url}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(30_000) });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.request(method, path, body);
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async audio(): Promise<AudioFigures> {
    return (await this.json<{ audio: AudioFigures }>("GET", "/api/status")).audio;
  }
}

function fileForm(fileName: string, bytes: Uint8Array): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes]), fileName);
  return form;
}

interface CollectedMemory {
  rssMB: number;
  heapUsedMB: number;
  externalMB: number;
}

/** The daemon's inspector (Chrome DevTools Protocol over a WebSocket): a full GC, then its memory figures. */
class Inspector {
  constructor(private readonly url: string) {}

  async collect(): Promise<CollectedMemory> {
    const socket = new WebSocketClass!(this.url);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve());
      socket.addEventListener("error", () => reject(new Error(`cannot reach the daemon's inspector at ${this.url}`)));
    });
    const answers = new Map<number, (result: unknown) => void>();
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
      if (message.id !== undefined) answers.get(message.id)?.(message.result);
    });
    let nextId = 0;
    const call = (method: string, params: object = {}) => new Promise<unknown>((resolve) => {
      const id = ++nextId;
      answers.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
    try {
      await call("HeapProfiler.collectGarbage");
      const evaluated = await call("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())" }) as { result: { value: string } };
      const usage = JSON.parse(evaluated.result.value) as { rss: number; heapUsed: number; external: number };
      const mb = (bytes: number) => bytes / 2 ** 20;
      return { rssMB: mb(usage.rss), heapUsedMB: mb(usage.heapUsed), externalMB: mb(usage.external) };
    } finally {
      socket.close();
    }
  }
}

/** The inspector's ws:// address from the daemon's stderr; the rest of stderr is passed through. */
function inspectorAddress(daemon: ChildProcess): Promise<string> {
  const lines = createInterface({ input: daemon.stderr! });
  return new Promise((resolve) => {
    lines.on("line", (line) => {
      const address = /Debugger listening on (ws:\/\/\S+)/.exec(line);
      if (address) resolve(address[1]!);
      else if (!line.startsWith("For help, see") && !line.startsWith("Debugger attached") && !line.startsWith("Debugger ending")) process.stderr.write(`${line}\n`);
    });
  });
}

/** The daemon's http://address:port, from its "namstomp ready" log line. */
function readyUrl(daemon: ChildProcess): Promise<string> {
  const lines = createInterface({ input: daemon.stdout! });
  return new Promise((resolve, reject) => {
    daemon.once("exit", (code, signal) => reject(new Error(`the daemon exited (${code ?? signal}) before it was ready`)));
    lines.on("line", (line) => {
      const ready = /namstomp ready: (http:\/\/[^\s]+)/.exec(line);
      if (ready) resolve(ready[1]!);
    });
  });
}

/** Resident set of a process (the daemon with its audio worker), MB; NaN once it is gone. */
function rssMB(pid: number): number {
  let status = "";
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return Number.NaN;
  }
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** A plucked-string-like DI: decaying harmonics, a new note every 2 s (the gate opens and closes). */
function guitarLikeSignal(): Float32Array {
  const samples = new Float32Array(SAMPLE_RATE * 8);
  const notes = [82.41, 110, 146.83, 196];
  for (let i = 0; i < samples.length; i++) {
    const noteIndex = Math.floor(i / (2 * SAMPLE_RATE));
    const t = (i % (2 * SAMPLE_RATE)) / SAMPLE_RATE;
    const f = notes[noteIndex % notes.length]!;
    let value = 0;
    for (let harmonic = 1; harmonic <= 6; harmonic++) value += Math.sin(2 * Math.PI * f * harmonic * t) / harmonic;
    samples[i] = 0.25 * value * Math.exp(-t * 1.5);
  }
  return samples;
}

/** A short cab-like IR (decaying noise), different per upload so every file is new. */
async function irBytes(seed: number): Promise<Buffer> {
  let state = seed + 1;
  const random = () => ((state = (state * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const samples = Float32Array.from({ length: 0.2 * SAMPLE_RATE }, (_, i) => random() * Math.exp(-i / 1500));
  const path = join(tmpdir(), `namstomp-soak-ir-${process.pid}-${seed}.wav`);
  await writeWavFloat32(path, samples, SAMPLE_RATE);
  try {
    return await readFile(path);
  } finally {
    await rm(path, { force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const clock = (ms: number) => `${String(Math.floor(ms / 60_000)).padStart(2, "0")}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Median RSS of the first window after warm-up, of the last window, and the change. */
function rssChange(samples: { atMs: number; mb: number }[]): { baseline: number; recent: number; change: number } {
  const endMs = samples.at(-1)?.atMs ?? 0;
  const baseline = median(samples.filter((s) => s.atMs >= WARM_UP_MS && s.atMs < WARM_UP_MS + RSS_WINDOW_MS).map((s) => s.mb));
  const recent = median(samples.filter((s) => s.atMs > endMs - RSS_WINDOW_MS).map((s) => s.mb));
  return { baseline, recent, change: recent - baseline };
}

function growth(samples: { atMs: number; mb: number }[]): string {
  if ((samples.at(-1)?.atMs ?? 0) < WARM_UP_MS + RSS_WINDOW_MS) return "warming up";
  const { change } = rssChange(samples);
  return `${change >= 0 ? "+" : ""}${change.toFixed(1)} MB`;
}

function once<T>(action: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= action());
}

await main();
