// Crash consistency of everything the pedal stores: the real daemon (`namstomp start`, a child
// process on the virtual device) takes preset saves, renames, model and IR uploads over HTTP from
// a few concurrent clients and is SIGKILLed at a random moment, several times. After every kill:
// no file visible under its real name is half-written, the daemon starts again, everything
// acknowledged before the kill is there with the acknowledged content (uploads byte for byte),
// every stored model and IR loads into the engine, and no temporary file is left.
//
// SIGKILL tests the process's side (a write cut anywhere); the kernel keeps its page cache, so
// what this cannot show is the fsync ordering under a real power cut — writeFileAtomic fsyncs
// the file before the rename and the directory after it for that.

import { it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { isAtomicWriteLeftover } from "../../firmware/util/atomic-write.js";
import { fixtures, repoRoot } from "../helpers/paths.js";
import { irWavBytes } from "../server/fixtures.js";
import { seededRandom } from "../helpers/random.js";
import { TEST_ADMIN_PIN, testAdminPinHash } from "../server/helper.js";

/** Saves and uploads sent in all, over as many kill/restart cycles as it takes. */
const TOTAL_OPERATIONS = 200;
/** A cycle sends 10–40 operations (killed after 5–34 acknowledgements): 25 cycles always reach 200. */
const MAX_CYCLES = 25;
const CLIENTS = 4;
const START_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 10_000;

const mulberry32 = seededRandom;
const random = mulberry32(0xdead);
const below = (n: number) => Math.floor(random() * n);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface Upload {
  kind: "models" | "irs";
  fileName: string;
  bytes: Buffer;
}

/** What the daemon acknowledged (must survive) and what was in flight at the kill (may or may not). */
class Ledger {
  /** Preset id → names it may have (one once acknowledged; more while a rename was cut off). */
  readonly presets = new Map<string, Set<string>>();
  /** Upload id → sha256 of the acknowledged bytes. */
  readonly uploads = new Map<string, { kind: "models" | "irs"; sha: string }>();
  /** Names of preset creations cut off by a kill: such a preset may exist. */
  readonly presetsInDoubt = new Set<string>();
  /** Hashes of uploads cut off by a kill: such an upload may exist, and then holds exactly these bytes. */
  readonly uploadsInDoubt = new Set<string>();
  /** Entries checked to be present and loadable (counted once each). */
  readonly verified = new Set<string>();
  acknowledged = 0;
  issued = 0;
}

class DaemonProcess {
  private constructor(readonly process: ChildProcess, readonly url: string) {}

  static async start(dataDir: string): Promise<DaemonProcess> {
    const child = spawn(process.execPath, [
      join(repoRoot, "dist", "firmware", "cli", "main.js"), "start", "--data", dataDir, "--audio", "virtual", "--port", "0", "--host", "127.0.0.1",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the daemon did not get ready within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
      child.once("exit", (code, signal) => reject(new Error(`the daemon exited (${code ?? signal}) before it was ready: ${stderr}`)));
      lines.on("line", (line) => {
        const ready = /namstomp ready: (http:\/\/[^\s]+)/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      });
    });
    // Keep draining the log so the daemon never blocks on a full pipe.
    lines.on("line", () => {});
    return new DaemonProcess(child, url);
  }

  kill(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once("exit", () => resolve()));
    this.process.kill("SIGKILL");
    return exited;
  }

  async stop(): Promise<void> {
    const exited = new Promise<number | null>((resolve) => this.process.once("exit", (code) => resolve(code)));
    this.process.kill("SIGTERM");
    assert.equal(await exited, 0, "a clean stop exits with 0");
  }
}

async function request(daemon: DaemonProcess, cookie: string, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: { cookie }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { cookie, "content-type": "application/json" };
  }
  return fetch(`${daemon.url}${path}`, init);
}

async function login(daemon: DaemonProcess): Promise<string> {
  const response = await request(daemon, "", "POST", "/api/auth/login", { pin: TEST_ADMIN_PIN });
  assert.equal(response.status, 200, await response.text());
  return response.headers.get("set-cookie")!.split(";")[0]!;
}

/** One client: random saves and uploads until the daemon dies under it. */
async function client(daemon: DaemonProcess, cookie: string, ledger: Ledger, uploads: Upload[], busy: Set<string>, onAck: () => void): Promise<void> {
  for (;;) {
    if (ledger.issued >= TOTAL_OPERATIONS * 2) return;
    const idle = [...ledger.presets.keys()].filter((id) => !busy.has(id));
    const choice = random();
    ledger.issued++;
    try {
      if (choice < 0.45 || (choice < 0.6 && idle.length === 0)) {
        const name = `preset ${ledger.issued}`;
        ledger.presetsInDoubt.add(name);
        const response = await request(daemon, cookie, "POST", "/api/presets", { name, params: { outputLevelDb: -(ledger.issued % 20) } });
        assert.equal(response.status, 201, await response.clone().text());
        const { id } = (await response.json()) as { id: string };
        ledger.presets.set(id, new Set([name]));
        ledger.presetsInDoubt.delete(name);
      } else if (choice < 0.6) {
        const id = idle[below(idle.length)]!;
        const name = `renamed ${ledger.issued}`;
        busy.add(id);
        ledger.presets.get(id)!.add(name);
        const response = await request(daemon, cookie, "PATCH", `/api/presets/${id}`, { name });
        assert.equal(response.status, 200, await response.clone().text());
        ledger.presets.set(id, new Set([name]));
        busy.delete(id);
      } else {
        const upload = uploads[below(uploads.length)]!;
        const sha = sha256(upload.bytes);
        ledger.uploadsInDoubt.add(sha);
        const form = new FormData();
        form.append("file", new Blob([upload.bytes]), upload.fileName);
        const response = await request(daemon, cookie, "POST", `/api/${upload.kind}`, form);
        assert.equal(response.status, 201, await response.clone().text());
        const { id } = (await response.json()) as { id: string };
        ledger.uploads.set(id, { kind: upload.kind, sha });
      }
      ledger.acknowledged++;
      onAck();
    } catch (error) {
      if (daemon.process.exitCode !== null || daemon.process.signalCode !== null) return;
      if (error instanceof assert.AssertionError) throw error;
      // The connection broke because the kill is under way: this operation is in doubt.
      if ((error as Error).name !== "TypeError") throw error;
      return;
    }
  }
}

/** Right after a kill, before any restart: what a reader would see under the real names. */
async function checkNothingHalfWritten(dataDir: string): Promise<number> {
  let temporaryFiles = 0;
  const presets = JSON.parse(await readFile(join(dataDir, "presets.json"), "utf8")) as { version: number; presets: unknown[] };
  assert.equal(presets.version, 1);
  for (const [folder, extension] of [["models", ".nam"], ["irs", ".wav"]] as const) {
    for (const name of await readdir(join(dataDir, folder))) {
      if (isAtomicWriteLeftover(name)) {
        temporaryFiles++;
        continue;
      }
      assert.ok(!name.startsWith("."), `${folder}/${name}: a hidden file that is not a write leftover`);
      if (!name.endsWith(".json")) continue;
      // The record is written last: once it exists, the upload it describes is complete.
      const record = JSON.parse(await readFile(join(dataDir, folder, name), "utf8")) as { id: string; sizeBytes: number };
      const stored = await stat(join(dataDir, folder, `${record.id}${extension}`));
      assert.equal(stored.size, record.sizeBytes, `${folder}/${record.id}${extension} is complete`);
    }
  }
  return temporaryFiles;
}

/** After a restart: everything acknowledged is there and loads; entries cut off are either absent or whole. */
async function verify(daemon: DaemonProcess, cookie: string, ledger: Ledger, uploadShas: Set<string>, dataDir: string): Promise<void> {
  const overview = (await (await request(daemon, cookie, "GET", "/api/presets")).json()) as { presets: { id: string; name: string; params: { outputLevelDb: number } }[] };
  const stored = new Map(overview.presets.map((preset) => [preset.id, preset]));
  for (const [id, names] of ledger.presets) {
    const preset = stored.get(id);
    assert.ok(preset, `acknowledged preset ${id} (${[...names].join(" / ")}) is there`);
    assert.ok(names.has(preset.name), `preset ${id} is named "${preset.name}", expected ${[...names].join(" or ")}`);
    ledger.presets.set(id, new Set([preset.name]));
  }
  for (const preset of overview.presets) {
    if (!ledger.presets.has(preset.id)) {
      assert.ok(ledger.presetsInDoubt.has(preset.name), `preset "${preset.name}" was never asked for`);
      ledger.presets.set(preset.id, new Set([preset.name]));
    }
    if (ledger.verified.has(preset.id)) continue;
    const activate = await request(daemon, cookie, "POST", `/api/presets/${preset.id}/activate`, {});
    assert.equal(activate.status, 200, `preset "${preset.name}" loads: ${await activate.text()}`);
    ledger.verified.add(preset.id);
  }
  ledger.presetsInDoubt.clear();

  for (const kind of ["models", "irs"] as const) {
    const listing = (await (await request(daemon, cookie, "GET", `/api/${kind}`)).json()) as Record<string, { id: string }[]>;
    const listed = new Set(listing[kind]!.map((entry) => entry.id));
    for (const [id, upload] of ledger.uploads) if (upload.kind === kind) assert.ok(listed.has(id), `acknowledged ${kind} upload ${id} is there`);
    for (const id of listed) {
      if (ledger.verified.has(id)) continue;
      const file = Buffer.from(await (await request(daemon, cookie, "GET", `/api/${kind}/${id}/file`)).arrayBuffer());
      const expected = ledger.uploads.get(id);
      if (expected) assert.equal(sha256(file), expected.sha, `${kind}/${id} holds the uploaded bytes`);
      else {
        assert.ok(uploadShas.has(sha256(file)) && ledger.uploadsInDoubt.has(sha256(file)), `${kind}/${id} (cut off by the kill) is whole`);
        ledger.uploads.set(id, { kind, sha: sha256(file) });
      }
      const select = await request(daemon, cookie, "POST", `/api/${kind}/${id}/select`, {});
      assert.equal(select.status, 200, `${kind}/${id} loads: ${await select.text()}`);
      ledger.verified.add(id);
    }
    const leftovers = (await readdir(join(dataDir, kind))).filter((name) => isAtomicWriteLeftover(name) || !/^[0-9a-f]{16}\.(json|nam|wav)$/.test(name));
    assert.deepEqual(leftovers, [], `no temporary or unfinished files in ${kind}/ after the restart`);
  }
  ledger.uploadsInDoubt.clear();
  assert.deepEqual((await readdir(dataDir)).filter(isAtomicWriteLeftover), [], "no temporary files in the data directory");
}

it(`keeps every acknowledged save and upload across SIGKILLs during ${TOTAL_OPERATIONS} of them`, { timeout: 90_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), "namstomp-power-loss-"));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  await writeFile(join(dataDir, "config.json"), JSON.stringify({
    server: { logLevel: "info" },
    budget: { calibrationMsPerShape: 10 },
    controls: { keyboard: false, footswitches: { backend: "mock" } },
    security: { pinHash: await testAdminPinHash() },
  }));
  const uploads: Upload[] = [
    { kind: "models", fileName: "lstm.nam", bytes: await readFile(join(fixtures, "reference", "models", "lstm_core_h3.nam")) },
    { kind: "models", fileName: "tiny.nam", bytes: await readFile(join(fixtures, "reference", "models", "wavenet_tiny_core.nam")) },
    { kind: "models", fileName: "feather.nam", bytes: await readFile(join(fixtures, "reference", "models", "synth_feather_v070.nam")) },
    { kind: "irs", fileName: "cab.wav", bytes: await irWavBytes() },
  ];
  const uploadShas = new Set(uploads.map((upload) => sha256(upload.bytes)));
  const ledger = new Ledger();
  let cycles = 0;
  let temporaryFiles = 0;
  const started = performance.now();
  for (; ledger.issued < TOTAL_OPERATIONS && cycles < MAX_CYCLES; cycles++) {
    const daemon = await DaemonProcess.start(dataDir);
    t.after(() => void daemon.process.kill("SIGKILL"));
    const cookie = await login(daemon);
    await verify(daemon, cookie, ledger, uploadShas, dataDir);
    // Killed after a random number of acknowledgements, a moment later: mid-request for some clients.
    const issuedBefore = ledger.issued;
    const killAfter = 5 + below(30);
    let acks = 0;
    let killing: Promise<void> | null = null;
    const onAck = () => {
      if (++acks === killAfter) killing = new Promise((resolve) => setTimeout(resolve, below(15))).then(() => daemon.kill());
    };
    const busy = new Set<string>();
    await Promise.all(Array.from({ length: CLIENTS }, () => client(daemon, cookie, ledger, uploads, busy, onAck)));
    await (killing ?? daemon.kill());
    temporaryFiles += await checkNothingHalfWritten(dataDir);
    t.diagnostic(`cycle ${cycles + 1}: ${ledger.issued - issuedBefore} sent, killed after ${acks} acknowledged`);
  }
  const daemon = await DaemonProcess.start(dataDir);
  const cookie = await login(daemon);
  await verify(daemon, cookie, ledger, uploadShas, dataDir);
  await daemon.stop();
  t.diagnostic(`${cycles} kills during ${ledger.issued} operations (${ledger.acknowledged} acknowledged) in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
    `${ledger.verified.size} presets and uploads verified after restarts, 0 lost; ${temporaryFiles} temporary files left by kills, all removed at restart`);
  assert.ok(ledger.issued >= TOTAL_OPERATIONS, `${ledger.issued} operations`);
});
