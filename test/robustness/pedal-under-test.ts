// What the robustness tests share: the whole daemon (test/server/helper.ts's build, which sets an
// admin PIN in its config and logs in), a valid model and IR playing, and the checks that
// matter after a barrage — audio kept its pace with no xrun, and the library (API listings and
// the files in the data directory) did not change.

import assert from "node:assert/strict";
import { readdir, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { TestContext } from "node:test";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { build, multipart, type TestPedal } from "../server/helper.js";
import { irWavBytes, modelBytes } from "../server/fixtures.js";

export interface PlayingPedal extends TestPedal {
  /** Cookie header of an admin session. */
  cookie: string;
  modelId: string;
  irId: string;
  /** inject with the admin session. */
  admin(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/** The daemon with a PIN, logged in, playing a valid A1 Feather model through a valid IR. */
export async function playingPedal(t: TestContext, settings: Record<string, unknown> = {}): Promise<PlayingPedal> {
  const pedal = await build(t, { settings });
  // The fastify instance itself (no default headers): every request here says which session it carries.
  const app = pedal.daemon.http;
  const cookie = pedal.adminCookie!;
  const admin = (options: InjectOptions): Promise<LightMyRequestResponse> => app.inject({ ...options, headers: { ...options.headers, cookie } });
  const model = await admin({ method: "POST", url: "/api/models", ...multipart("feather.nam", await modelBytes("feather")) });
  assert.equal(model.statusCode, 201, model.body);
  const ir = await admin({ method: "POST", url: "/api/irs", ...multipart("cab.wav", await irWavBytes()) });
  assert.equal(ir.statusCode, 201, ir.body);
  const modelId = (model.json() as { id: string }).id;
  const irId = (ir.json() as { id: string }).id;
  assert.equal((await admin({ method: "POST", url: `/api/models/${modelId}/select`, payload: {} })).statusCode, 200);
  assert.equal((await admin({ method: "POST", url: `/api/irs/${irId}/select` })).statusCode, 200);
  const preset = await admin({ method: "POST", url: "/api/presets", payload: { name: "Clean", modelId, irId } });
  assert.equal(preset.statusCode, 201, preset.body);
  return { ...pedal, cookie, modelId, irId, admin };
}

export interface LibrarySnapshot {
  listings: string[];
  /** Every file under the data directory: path, size, modification time. */
  files: string[];
}

export async function snapshotLibrary(pedal: PlayingPedal): Promise<LibrarySnapshot> {
  const listings: string[] = [];
  for (const url of ["/api/models", "/api/irs", "/api/presets", "/api/banks"]) {
    listings.push(`${url} ${(await pedal.admin({ method: "GET", url })).body}`);
  }
  return { listings, files: await listFiles(pedal.dataDir, pedal.dataDir) };
}

/** Fails with the lines that appeared or went (shortened), not two whole listings. */
export function assertSameLibrary(before: LibrarySnapshot, after: LibrarySnapshot): void {
  const lines = (snapshot: LibrarySnapshot) => [...snapshot.listings, ...snapshot.files];
  const was = new Set(lines(before));
  const now = new Set(lines(after));
  const shorten = (line: string) => (line.length > 240 ? `${line.slice(0, 237)}...` : line);
  const changes = [
    ...[...now].filter((line) => !was.has(line)).map((line) => `+ ${shorten(line)}`),
    ...[...was].filter((line) => !now.has(line)).map((line) => `- ${shorten(line)}`),
  ];
  assert.deepEqual(changes, [], `the library changed:\n${changes.join("\n")}`);
}

async function listFiles(root: string, directory: string): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of (await readdir(directory, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) lines.push(...await listFiles(root, path));
    else {
      const info = await stat(path);
      lines.push(`${relative(root, path)} ${info.size} ${info.mtimeMs}`);
    }
  }
  return lines;
}

/** Audio counters at one moment, to compare after a barrage. */
export interface AudioMark {
  heartbeat: number;
  xruns: number;
  deadlineMisses: number;
  at: number;
}

export function markAudio(pedal: PlayingPedal): AudioMark {
  const status = pedal.daemon.engine.status();
  return { heartbeat: pedal.daemon.engine.heartbeat(), xruns: status.xruns, deadlineMisses: status.deadlineMisses, at: performance.now() };
}

/**
 * Checks that audio ran at its real-time pace since `before` with no xrun (or at most
 * `allowedXruns`). The virtual device counts a period finished more than one period late as an
 * xrun, so "0 new xruns" is the real-time guarantee; the heartbeat check proves the worker was not
 * restarted or stalled.
 */
export function assertAudioKeptRunning(t: TestContext, pedal: PlayingPedal, before: AudioMark, allowedXruns = 0): void {
  const after = markAudio(pedal);
  const { sampleRate, periodFrames, running } = pedal.daemon.engine.status();
  const expectedPeriods = ((after.at - before.at) / 1000) * (sampleRate / periodFrames);
  const periods = after.heartbeat - before.heartbeat;
  t.diagnostic(`audio: ${periods} periods in ${((after.at - before.at) / 1000).toFixed(1)} s (expected ≈ ${expectedPeriods.toFixed(0)}), ` +
    `xruns ${before.xruns} → ${after.xruns}, deadline misses ${before.deadlineMisses} → ${after.deadlineMisses}`);
  assert.equal(running, true, "audio is running");
  assert.ok(after.xruns - before.xruns <= allowedXruns, `${after.xruns - before.xruns} xruns (at most ${allowedXruns} allowed)`);
  assert.ok(periods >= expectedPeriods * 0.95, `audio advanced ${periods} periods, expected ≈ ${expectedPeriods.toFixed(0)}`);
}
