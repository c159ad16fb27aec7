// The daemon brings audio back by itself, within 2 s, when the audio worker dies or stalls, with
// the same model and IR playing, and says what happened in the status.
//
// A real stall cannot be caused from outside: the engine has no command that blocks its worker.
// The stall case freezes the heartbeat the engine's watchdog reads (SharedState "heartbeat") —
// exactly what a worker stuck in a loop or blocked in a driver leaves behind — so what is tested
// is the detection, the restart and the recovery, not how the worker got stuck.

import { it } from "node:test";
import assert from "node:assert/strict";
import type { Worker } from "node:worker_threads";
import type { AudioEngine } from "../../firmware/engine/engine.js";
import { playingPedal, type PlayingPedal } from "./pedal-under-test.js";

const RECOVERY_LIMIT_MS = 2000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until audio runs again with at least `periods` new periods after `beat`; returns when (performance.now()). */
async function audioBack(engine: AudioEngine, beat: number, periods: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(engine.status().running && engine.heartbeat() > beat + periods)) {
    if (performance.now() - started > timeoutMs) throw new Error(`audio not back within ${timeoutMs} ms`);
    await sleep(5);
  }
  return performance.now();
}

async function statusOf(pedal: PlayingPedal) {
  return (await pedal.admin({ method: "GET", url: "/api/status" })).json() as {
    audio: { running: boolean; lastError: string | null };
    model: { id: string } | null;
    ir: { id: string } | null;
  };
}

it("restarts a dead audio worker and plays the same model and IR again within 2 s", async (t) => {
  const pedal = await playingPedal(t);
  const engine = pedal.daemon.engine;
  const worker = (engine as unknown as { worker: Worker }).worker;
  const diedAt = performance.now();
  await worker.terminate();
  const backAt = await audioBack(engine, engine.heartbeat(), 10, 5000);
  t.diagnostic(`audio back ${(backAt - diedAt).toFixed(0)} ms after the worker died`);
  assert.ok(backAt - diedAt < RECOVERY_LIMIT_MS, `${(backAt - diedAt).toFixed(0)} ms`);
  const status = await statusOf(pedal);
  assert.equal(status.audio.running, true);
  assert.match(status.audio.lastError ?? "", /audio worker exited/);
  assert.equal(status.model?.id, pedal.modelId);
  assert.equal(status.ir?.id, pedal.irId);
});

it("restarts a stalled audio worker and plays the same model and IR again within 2 s", async (t) => {
  const pedal = await playingPedal(t);
  const engine = pedal.daemon.engine;
  const state = (engine as unknown as { state: { getInt(field: string): number } }).state;
  const readInt = state.getInt.bind(state);
  let frozenHeartbeat: number | null = readInt("heartbeat");
  state.getInt = (field) => (field === "heartbeat" && frozenHeartbeat !== null ? frozenHeartbeat : readInt(field));
  t.after(() => {
    state.getInt = readInt;
  });
  const stalledAt = performance.now();
  const fault = await new Promise<string>((resolve) => engine.once("fault", resolve));
  const detectedAt = performance.now();
  // The new worker's periods are real again.
  frozenHeartbeat = null;
  const backAt = await audioBack(engine, readInt("heartbeat"), 10, 5000);
  t.diagnostic(`stall detected after ${(detectedAt - stalledAt).toFixed(0)} ms, audio back ${(backAt - stalledAt).toFixed(0)} ms after the stall began`);
  assert.match(fault, /audio stalled for \d+ ms/);
  assert.ok(backAt - stalledAt < RECOVERY_LIMIT_MS, `${(backAt - stalledAt).toFixed(0)} ms`);
  const status = await statusOf(pedal);
  assert.equal(status.audio.running, true);
  assert.match(status.audio.lastError ?? "", /audio stalled/);
  assert.equal(status.model?.id, pedal.modelId);
  assert.equal(status.ir?.id, pedal.irId);
});
