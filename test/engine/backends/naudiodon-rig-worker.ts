// Test helper: a worker thread that owns naudiodon, as the daemon's audio worker does, and runs
// NaudiodonBackend for naudiodon-backend.test.ts. The period callback plays silence, or an
// impulse when asked, and finds the impulse again in the input: output and input frames are
// counted alike (one period each per callback), so the difference is the round trip in frames.
// Thread: worker.

import { setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import type { AudioBackendConfig } from "../../../firmware/engine/backends/backend.js";
import { loadNaudiodon } from "../../../firmware/engine/backends/naudiodon-addon.js";
import { NaudiodonBackend } from "../../../firmware/engine/backends/naudiodon-backend.js";
import { timeNativeCloses } from "../../helpers/naudiodon-closes.js";

export type RigRequest =
  | { type: "devices" }
  | { type: "start"; config: AudioBackendConfig }
  | { type: "counters" }
  | { type: "impulse" }
  | { type: "block"; ms: number }
  | { type: "stallStream" }
  | { type: "closes" }
  | { type: "stop" };

/** The native closes (naudiodon's abort) of every stream opened so far. */
export interface RigCloses {
  /** Closes that have called back. */
  done: number;
  /** Closes begun that have not called back yet. */
  pending: number;
  /** Longest of the finished ones (ms). */
  slowestMs: number;
}

export interface RigCounters {
  atMs: number;
  periods: number;
  xruns: number;
  restarts: number;
  lastProblem: string | null;
  device: string;
  latencyMs: number;
  /** Changes of the delay the sawtooth shows: audio dropped or repeated somewhere. */
  glitches: number;
  /** The latest glitches: "frame: delay before -> after". */
  glitchLog: string[];
  /** SCHED_FIFO priority of PortAudio's callback thread (0: normal scheduling). */
  realtimePriority: number;
  /** Longest time between two periods reaching the worker (ms). */
  longestGapMs: number;
  /** That delay now (frames, modulo 4096); -1 while not locked. */
  rampDelay: number;
}

/** Impulse height; anything above half of it on the input is the impulse coming back. */
const IMPULSE = 1;
/**
 * Under the impulses the output carries a sawtooth that encodes the frame number modulo
 * RAMP_FRAMES exactly (float32 end to end on the rig), so every input sample says how long ago
 * it was played: a change of that delay is a dropped or repeated stretch of audio (a glitch),
 * whether or not any layer reported an xrun.
 */
const RAMP_FRAMES = 4096;
const RAMP_SCALE = 0.5;
const rampValue = (n: number) => ((n % RAMP_FRAMES) / RAMP_FRAMES - 0.5) * RAMP_SCALE;
const rampFrame = (value: number) => Math.round((value / RAMP_SCALE + 0.5) * RAMP_FRAMES) % RAMP_FRAMES;

let rampDelay = -1;
let glitches = 0;
/** The latest glitches, for the test's report: "frame: delay before -> after" ("?" = not one delay in the period). */
const glitchLog: string[] = [];

function glitch(before: number, after: number | null): void {
  glitches++;
  if (glitchLog.length === 8) glitchLog.shift();
  glitchLog.push(`${frame}: ${before} -> ${after ?? "?"}`);
}

let backend: NaudiodonBackend | null = null;
let frame = 0;
let impulseRequested = false;
let impulseSentAt = -1;
let roundTrip: ((frames: number | null) => void) | null = null;
/** An impulse not back after this many frames (a second) was lost: dropped by a glitch. */
let impulseGiveUpFrames = 48000;

function onPeriod(input: Float32Array, output: Float32Array): void {
  if (impulseSentAt >= 0) {
    for (let i = 0; i < input.length; i++) {
      if (input[i]! > IMPULSE / 2) {
        answerImpulse(frame + i - impulseSentAt);
        break;
      }
    }
    if (impulseSentAt >= 0 && frame - impulseSentAt > impulseGiveUpFrames) answerImpulse(null);
  }
  checkRamp(input);
  for (let i = 0; i < output.length; i++) output[i] = rampValue(frame + i);
  if (impulseRequested) {
    impulseRequested = false;
    output[0] = IMPULSE;
    impulseSentAt = frame;
  }
  frame += input.length;
}

function answerImpulse(frames: number | null): void {
  impulseSentAt = -1;
  roundTrip?.(frames);
  roundTrip = null;
}

/** Follows the delay the sawtooth shows; counts changes of it once locked. */
function checkRamp(input: Float32Array): void {
  let delay = -1;
  for (let i = 0; i < input.length; i++) {
    const value = input[i]!;
    if (Math.abs(value) > RAMP_SCALE / 2) continue; // an impulse, not the ramp
    const sampleDelay = (((frame + i - rampFrame(value)) % RAMP_FRAMES) + RAMP_FRAMES) % RAMP_FRAMES;
    if (delay < 0) delay = sampleDelay;
    else if (sampleDelay !== delay) {
      // Not one delay across the period: silence (before the ramp arrives), or a glitch inside it.
      if (rampDelay >= 0) glitch(rampDelay, null);
      rampDelay = -1;
      return;
    }
  }
  if (delay < 0) return;
  if (rampDelay >= 0 && delay !== rampDelay) glitch(rampDelay, delay);
  rampDelay = delay;
}

function counters(): RigCounters {
  const status = backend!.status();
  const diagnostics = backend!.diagnostics();
  return {
    atMs: performance.now(),
    periods: diagnostics.periods,
    xruns: status.xruns,
    restarts: diagnostics.restarts,
    lastProblem: diagnostics.lastProblem,
    device: status.device,
    latencyMs: status.latencyMs,
    glitches,
    rampDelay,
    glitchLog: [...glitchLog],
    realtimePriority: diagnostics.realtimePriority,
    longestGapMs: diagnostics.longestGapMs,
  };
}

async function handle(request: RigRequest): Promise<unknown> {
  switch (request.type) {
    case "devices":
      return (await loadNaudiodon()).getDevices();
    case "start": {
      await timeNativeCloses();
      impulseGiveUpFrames = request.config.sampleRateHz;
      const candidate = new NaudiodonBackend(request.config);
      await candidate.start(onPeriod);
      backend = candidate;
      return counters();
    }
    case "counters":
      return counters();
    case "impulse":
      // Resolves with the round trip in frames, or null if the impulse never came back.
      return new Promise<number | null>((resolve) => {
        roundTrip = resolve;
        impulseRequested = true;
      });
    case "block": {
      const until = performance.now() + request.ms;
      while (performance.now() < until) {
        // Busy on purpose: this thread's event loop is blocked, as a long GC pause or a heavy
        // synchronous task would block it.
      }
      return null;
    }
    case "stallStream": {
      // The open stream stops delivering while this thread runs on, as when a device is
      // unplugged or its driver wedges: stop consuming its input, so naudiodon's callback blocks
      // and no period arrives. (The test reaches into the backend for this; nothing else does.)
      const { stream } = backend as unknown as { stream: { pause(): void } | null };
      stream?.pause();
      return stream !== null;
    }
    case "closes": {
      const closeTimes = await timeNativeCloses();
      const done = closeTimes.filter((c) => c.endedAtMs !== null);
      return {
        done: done.length,
        pending: closeTimes.length - done.length,
        slowestMs: Math.max(0, ...done.map((c) => c.endedAtMs! - c.startedAtMs)),
      } satisfies RigCloses;
    }
    case "stop":
      await backend?.stop();
      return backend === null ? null : counters();
  }
}

// Like the daemon's audio worker: this thread ahead of ordinary work where allowed (on Linux
// the nice value is per thread; root may lower it).
try {
  setPriority(-10);
} catch {
  // not allowed: normal priority
}

parentPort!.on("message", ({ id, request }: { id: number; request: RigRequest }) => {
  handle(request).then(
    (result) => parentPort!.postMessage({ id, result }),
    (error: unknown) => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
