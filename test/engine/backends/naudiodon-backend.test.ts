// NaudiodonBackend: device choice everywhere; on the JACK rig (scripts/ci-jack-rig.sh: a
// real-time virtual ALSA device, no sound card) the real thing in a worker thread, as the daemon
// runs it — real-time rate, round-trip latency, no xruns or glitches in 20 s, recovery after a
// blocked thread and after a stalled stream, and stops that finish (start/stop cycles, each native
// close within 2 s). The rig tests skip, saying why, when the rig is not up.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import type { AudioBackendConfig } from "../../../firmware/engine/backends/backend.js";
import { chooseDevice, type NaudiodonDevice } from "../../../firmware/engine/backends/naudiodon-addon.js";
import type { RigCloses, RigCounters, RigRequest } from "./naudiodon-rig-worker.js";

const RATE = 48000;
/** The rig worker's sawtooth period (frames): its delay reading is the round trip modulo this. */
const RAMP_FRAMES = 4096;
const rigPeriod = Number(process.env.NAMSTOMP_JACK_PERIOD ?? 256);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The helper worker, which owns naudiodon for this whole file (one worker per process). */
class RigWorker {
  private readonly worker = new Worker(new URL("./naudiodon-rig-worker.js", import.meta.url));
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    // Requests keep the process alive with their timeouts; an idle worker must not.
    this.worker.unref();
    this.worker.on("message", ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      if (error === undefined) waiter?.resolve(result);
      else waiter?.reject(new Error(error));
    });
    this.worker.on("error", (error) => this.failAll(error));
    this.worker.on("exit", (code) => this.failAll(new Error(`rig worker exited with code ${code}`)));
  }

  request<T>(request: RigRequest, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`rig worker: no answer to ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

const rig = new RigWorker();
after(() => rig.close());

// Is the addon there, and the rig's device? NAMSTOMP_JACK_DEVICE (printed by the rig script)
// says the rig is up: then a missing addon fails the tests instead of skipping them.
const rigDeviceFromEnv = process.env.NAMSTOMP_JACK_DEVICE || null;
let devices: NaudiodonDevice[] = [];
let addonProblem: string | null = null;
try {
  devices = await rig.request<NaudiodonDevice[]>({ type: "devices" });
} catch (error) {
  addonProblem = (error as Error).message;
}
const rigDevice = rigDeviceFromEnv ?? devices.find((d) => d.name.includes("namstomp_jack"))?.name ?? null;
const rigSkip =
  rigDeviceFromEnv !== null
    ? false
    : addonProblem !== null
      ? `naudiodon addon not available here: ${addonProblem}`
      : rigDevice === null
        ? "no JACK rig device: start it with scripts/ci-jack-rig.sh start (or set NAMSTOMP_JACK_DEVICE)"
        : false;

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

function device(id: number, name: string, hostAPIName: string, inputs = 2, outputs = 2): NaudiodonDevice {
  return {
    id,
    name,
    hostAPIName,
    maxInputChannels: inputs,
    maxOutputChannels: outputs,
    defaultSampleRate: RATE,
    defaultLowInputLatency: 0.005,
    defaultLowOutputLatency: 0.005,
  };
}

describe("choosing the naudiodon device by name", () => {
  const list = [
    device(0, "system", "JACK Audio Connection Kit"),
    device(1, "USB Audio CODEC: - (hw:1,0)", "ALSA"),
    device(2, "usb audio codec", "JACK Audio Connection Kit"),
    device(3, "bcm2835 Headphones: - (hw:0,0)", "ALSA", 0, 8),
  ];

  it("matches a substring, case-insensitively, preferring an exact name, then ALSA", () => {
    assert.equal(chooseDevice(list, "usb audio", 1, 2).id, 1);
    assert.equal(chooseDevice(list, "USB AUDIO CODEC", 1, 2).id, 2);
    assert.equal(chooseDevice(list, "hw:1", 2, 1).id, 1);
  });

  it("lists every device when none matches", () => {
    assert.throws(
      () => chooseDevice(list, "Focusrite", 1, 2),
      (error: Error) =>
        error.message.startsWith('no audio device matches "Focusrite"; devices: ') &&
        list.every((d) => error.message.includes(JSON.stringify(d.name))),
    );
  });

  it("says so when the matching device lacks the channels", () => {
    assert.throws(() => chooseDevice(list, "bcm2835", 1, 2), /has 1 capture and 2 playback channels; matching: 3 "bcm2835/);
  });
});

describe("NaudiodonBackend with the naudiodon addon", { skip: addonProblem === null ? false : `naudiodon addon not available here: ${addonProblem}` }, () => {
  it("fails to start on an unknown device with an error listing PortAudio's devices", async () => {
    const config: AudioBackendConfig = { sampleRateHz: RATE, periodFrames: 128, deviceName: "no-such-device-42", inputChannel: 0, outputChannels: 2 };
    await assert.rejects(rig.request({ type: "start", config }), (error: Error) => {
      assert.match(error.message, /^no audio device matches "no-such-device-42"; devices: /);
      for (const d of devices) assert.ok(error.message.includes(JSON.stringify(d.name)), `${d.name} missing from: ${error.message}`);
      return true;
    });
  });
});

describe(`NaudiodonBackend on the JACK rig (${rigDevice ?? "absent"}, ${rigPeriod} frames)`, { skip: rigSkip }, () => {
  const expectedPeriodsPerSecond = RATE / rigPeriod;
  const roundTrips: number[] = [];
  let lostImpulses = 0;
  let start: RigCounters;

  /** Sends impulses, one a second, until `untilMs` (worker clock), collecting round trips. */
  async function measureRoundTrips(untilMs: number): Promise<void> {
    for (;;) {
      const frames = await rig.request<number | null>({ type: "impulse" }, 3000);
      if (frames === null) lostImpulses++;
      else roundTrips.push(frames);
      const now = (await rig.request<RigCounters>({ type: "counters" })).atMs;
      if (now + 1000 >= untilMs) {
        await sleep(Math.max(0, untilMs - now));
        return;
      }
      await sleep(1000);
    }
  }

  before(async () => {
    const config: AudioBackendConfig = {
      sampleRateHz: RATE,
      periodFrames: rigPeriod,
      deviceName: rigDevice,
      inputChannel: 1, // the rig loops both channels back: capture channel 1 of 2 is picked
      outputChannels: 2,
    };
    start = await rig.request<RigCounters>({ type: "start", config });
  });

  after(async () => {
    await rig.request({ type: "stop" }).catch(() => {});
  });

  it("runs at the real-time rate (periods per second over 10 s)", async (t) => {
    await measureRoundTrips(start.atMs + 10_000);
    const at10 = await rig.request<RigCounters>({ type: "counters" });
    const rate = (at10.periods - start.periods) / ((at10.atMs - start.atMs) / 1000);
    t.diagnostic(`${at10.device}: ${rate.toFixed(2)} periods/s over ${((at10.atMs - start.atMs) / 1000).toFixed(1)} s (real time: ${expectedPeriodsPerSecond.toFixed(2)})`);
    assert.ok(Math.abs(rate / expectedPeriodsPerSecond - 1) < 0.02, `${rate} periods/s, expected ${expectedPeriodsPerSecond}`);
  });

  it("has no xruns in 20 s", async (t) => {
    await measureRoundTrips(start.atMs + 20_000);
    const at20 = await rig.request<RigCounters>({ type: "counters" });
    const rate = (at20.periods - start.periods) / ((at20.atMs - start.atMs) / 1000);
    t.diagnostic(
      `${at20.xruns - start.xruns} xruns, ${at20.glitches - start.glitches} glitches (audio dropped or repeated, seen in the loopback) ` +
        `in ${((at20.atMs - start.atMs) / 1000).toFixed(1)} s; ${rate.toFixed(2)} periods/s; PortAudio callback thread ` +
        (at20.realtimePriority > 0 ? `SCHED_FIFO ${at20.realtimePriority}` : "not real-time") +
        `; longest gap between periods in the worker ${at20.longestGapMs.toFixed(1)} ms` +
        (at20.glitchLog.length > 0 ? `; glitches (frame: delay before -> after): ${at20.glitchLog.join(", ")}` : ""),
    );
    assert.equal(at20.xruns - start.xruns, 0, `xruns: ${at20.lastProblem ?? "reported by PortAudio"}`);
    assert.equal(at20.restarts, 0);
    // The sawtooth also shows glitches no layer reports. On this rig they are single-period
    // blips (one period played a period early, the next one again; the ALSA jack plugin's ring
    // between two separate JACK clients), so they are reported above, not failed on; what must
    // hold is that the loopback is still locked at the delay it started with.
    const usual = mostCommon(roundTrips);
    assert.equal(at20.rampDelay, usual % RAMP_FRAMES, `the loopback is not back at its ${usual}-frame delay: ${at20.glitchLog.join(", ")}`);
  });

  it("measures the round-trip latency (impulse out, back in), steady to within a period", (t) => {
    const shortest = Math.min(...roundTrips);
    const longest = Math.max(...roundTrips);
    const ms = (frames: number) => ((frames / RATE) * 1000).toFixed(2);
    const counts = [...new Set(roundTrips)].sort((a, b) => a - b).map((f) => `${f} ×${roundTrips.filter((g) => g === f).length}`);
    t.diagnostic(
      `round trip ${shortest}..${longest} frames = ${ms(shortest)}..${ms(longest)} ms = ${shortest / rigPeriod}..${longest / rigPeriod} periods ` +
        `(${roundTrips.length} impulses: ${counts.join(", ")}; ${lostImpulses} lost); status() latency ${start.latencyMs.toFixed(2)} ms`,
    );
    // An impulse can fall in a blip's dropped period (see the test above); most must come back.
    assert.ok(roundTrips.length >= 10 && lostImpulses <= roundTrips.length / 10, `${lostImpulses} impulses lost`);
    // naudiodon's queue holds a constant two periods; PortAudio's ALSA buffers on the JACK plugin
    // (two separate JACK clients, capture and playback) may hold one period more or less.
    assert.ok(longest - shortest <= rigPeriod, `round trips varied by more than a period: ${roundTrips.join(", ")}`);
    assert.ok(shortest >= rigPeriod && longest <= 16 * rigPeriod, `${shortest}..${longest} frames`);
  });

  it("recovers by itself after its thread is blocked for 200 ms, counting the xrun", async (t) => {
    const before = await rig.request<RigCounters>({ type: "counters" });
    await rig.request({ type: "block", ms: 200 });
    await sleep(1000);
    const settled = await rig.request<RigCounters>({ type: "counters" });
    await sleep(500);
    const later = await rig.request<RigCounters>({ type: "counters" });
    const rate = (later.periods - settled.periods) / ((later.atMs - settled.atMs) / 1000);
    const frames = await rig.request<number | null>({ type: "impulse" }, 3000);
    assert.ok(frames !== null, "the impulse after the xrun was lost");
    t.diagnostic(
      `after a 200 ms block: xruns ${before.xruns} -> ${later.xruns}, restarts ${later.restarts}, ` +
        `${rate.toFixed(1)} periods/s, round trip ${frames} frames`,
    );
    assert.ok(later.xruns > before.xruns, "the xrun was not counted");
    assert.ok(Math.abs(rate / expectedPeriodsPerSecond - 1) < 0.1, `${rate} periods/s after the block`);
    assert.ok(frames >= Math.min(...roundTrips) && frames <= Math.max(...roundTrips), `round trip after the xrun: ${frames} frames`);
  });

  it("restarts a stream that stops delivering while its thread runs, and audio flows again", async (t) => {
    const before = await rig.request<RigCounters>({ type: "counters" });
    assert.equal(await rig.request<boolean>({ type: "stallStream" }), true);
    let now = before;
    while (now.restarts === before.restarts || now.periods - before.periods < expectedPeriodsPerSecond) {
      assert.ok(now.atMs < before.atMs + 5000, `no recovery within 5 s: ${JSON.stringify(now)}`);
      await sleep(100);
      now = await rig.request<RigCounters>({ type: "counters" });
    }
    const settled = now;
    await sleep(500);
    const later = await rig.request<RigCounters>({ type: "counters" });
    const rate = (later.periods - settled.periods) / ((later.atMs - settled.atMs) / 1000);
    const frames = await rig.request<number | null>({ type: "impulse" }, 3000);
    t.diagnostic(
      `restarts ${before.restarts} -> ${later.restarts} (${later.lastProblem}); xruns ${before.xruns} -> ${later.xruns}; ` +
        `${rate.toFixed(1)} periods/s after; round trip ${frames} frames`,
    );
    assert.ok(later.restarts > before.restarts);
    assert.ok(later.xruns > before.xruns, "the stall was not counted as an xrun");
    assert.ok(Math.abs(rate / expectedPeriodsPerSecond - 1) < 0.1, `${rate} periods/s after the restart`);
    assert.ok(frames !== null && frames <= 16 * rigPeriod, `round trip after the restart: ${frames} frames`);
  });
});

describe(`NaudiodonBackend stopping and reopening on the JACK rig (${rigDevice ?? "absent"})`, { skip: rigSkip }, () => {
  /** Each native close (Pa_AbortStream, Pa_CloseStream, Pa_Terminate) must be done within this. */
  const CLOSE_LIMIT_MS = 2000;
  const CYCLES = 10;

  it(`starts and stops the stream ${CYCLES} times, every native close done within ${CLOSE_LIMIT_MS} ms`, { timeout: 20_000 }, async (t) => {
    const config: AudioBackendConfig = { sampleRateHz: RATE, periodFrames: rigPeriod, deviceName: rigDevice, inputChannel: 0, outputChannels: 2 };
    const before = await rig.request<RigCloses>({ type: "closes" });
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await rig.request({ type: "start", config });
      // A different point of the period each time.
      await sleep(50 + Math.random() * 150);
      await rig.request({ type: "stop" });
      // The backend's stop gives up on a close after 2 s; the close itself must have finished.
      const closes = await rig.request<RigCloses>({ type: "closes" });
      assert.equal(closes.pending, 0, `cycle ${cycle}: a native close still running after the stop (slowest so far ${closes.slowestMs.toFixed(0)} ms)`);
    }
    const after = await rig.request<RigCloses>({ type: "closes" });
    t.diagnostic(`${after.done - before.done} native closes in ${CYCLES} cycles, slowest ${after.slowestMs.toFixed(0)} ms`);
    assert.ok(after.done - before.done >= CYCLES, `${after.done - before.done} closes for ${CYCLES} stops`);
    assert.ok(after.slowestMs < CLOSE_LIMIT_MS, `slowest native close ${after.slowestMs.toFixed(0)} ms`);
  });
});
