// The engine with its audio worker on the virtual real-time device: pacing, the whole chain in
// real time equal to the offline render, swaps, bad input, and recovery from a dead worker.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import type { AudioEngine } from "../../firmware/engine/engine.js";
import { renderChainOffline } from "../../firmware/engine/offline.js";
import { defaultChainParams } from "../../firmware/engine/params.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { fixtures } from "../helpers/paths.js";
import { createVirtualEngine, VIRTUAL_PERIOD_FRAMES as PERIOD, VIRTUAL_RATE_HZ as RATE } from "../helpers/virtual-engine.js";
import { readF32 } from "../dsp/reference-cases.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const models = join(fixtures, "reference", "models");

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
  return performance.now() - started;
}

describe("audio engine on the virtual device", () => {
  let di: Float32Array;
  let engine: AudioEngine;
  const params = { ...defaultChainParams(), limiterCeilingDb: -0.1 };
  params.gate = { ...params.gate, enabled: false };

  before(async () => {
    di = await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"));
    engine = createVirtualEngine(di, params);
    await engine.start();
  });
  after(async () => {
    await engine.stop();
  });

  it("runs at the device's real-time rate", async (t) => {
    const before = engine.heartbeat();
    const started = performance.now();
    await sleep(1000);
    const periods = engine.heartbeat() - before;
    const expected = ((performance.now() - started) / 1000) * (RATE / PERIOD);
    t.diagnostic(`${periods} periods in ${(performance.now() - started).toFixed(0)} ms (expected ${expected.toFixed(0)})`);
    assert.ok(Math.abs(periods - expected) / expected < 0.05, `${periods} periods, expected ≈ ${expected}`);
    const status = engine.status();
    assert.equal(status.running, true);
    assert.equal(status.backend, "virtual");
    assert.equal(status.xruns, 0);
  });

  it("plays a loaded model, and the real-time output equals the offline render", async (t) => {
    const model = await loadNamFile(join(models, "standard_core_a1.nam"));
    const started = performance.now();
    await engine.loadModel({ id: "standard", name: "A1 Standard", model, slim: null });
    const playingAfterMs = performance.now() - started;
    t.diagnostic(`load command → new model audible: ${playingAfterMs.toFixed(1)} ms`);
    assert.equal(engine.status().model?.id, "standard");
    // Long enough for the crossfade, the model's receptive field and the DC blocker's memory.
    await sleep(1500);
    const { samples, startFrame } = await engine.takeRecording();
    const total = startFrame + samples.length;
    const looped = Float32Array.from({ length: total }, (_, i) => di[i % di.length]!);
    const offline = await renderChainOffline({
      input: looped, sampleRateHz: RATE, periodFrames: PERIOD, params, tanh: "fast",
      model: { model, name: "A1 Standard", slim: null }, ir: null,
    });
    let worst = 0;
    for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i]! - offline[startFrame + i]!));
    t.diagnostic(`real time vs offline over ${samples.length} frames: max |diff| ${worst.toExponential(2)}`);
    assert.ok(worst < 1e-5, `max |diff| ${worst}`);
    assert.ok(playingAfterMs < 500, `took ${playingAfterMs} ms`);
    const load = engine.status().dspLoad;
    assert.ok(load.mean > 0 && load.max >= load.p99 && load.p99 >= load.mean * 0.5);
  });

  it("refuses a model it cannot run with a clear error and keeps playing", async () => {
    const playing = engine.status().model;
    const model = await loadNamFile(join(models, "standard_core_a1.nam"));
    const stereo = { ...model, config: { ...model.config, inChannels: 2 } } as typeof model;
    await assert.rejects(engine.loadModel({ id: "bad", name: "bad", model: stereo, slim: null }), /not supported yet: 2-channel input/);
    assert.deepEqual(engine.status().model, playing);
    const beat = engine.heartbeat();
    await sleep(100);
    assert.ok(engine.heartbeat() > beat);
  });

  it("mutes the output for the tuner and reports bypass", async () => {
    engine.setTuner(true);
    await sleep(200);
    assert.ok(engine.meters().outputPeakDb < -100, `output ${engine.meters().outputPeakDb} dB with the tuner on`);
    assert.equal(engine.meters().tuner.active, true);
    engine.setTuner(false);
    engine.setBypass(true);
    assert.equal(engine.status().bypass, true);
    engine.setBypass(false);
  });

  it("restarts a dead audio worker and is playing the same model again within 2 s", async (t) => {
    const model = engine.status().model;
    const worker = (engine as unknown as { worker: Worker }).worker;
    const faults: string[] = [];
    engine.on("fault", (message) => faults.push(message));
    await worker.terminate();
    const beat = engine.heartbeat();
    const backAfterMs = await waitFor(() => engine.status().running && engine.heartbeat() > beat + 10, 2000);
    t.diagnostic(`audio back ${backAfterMs.toFixed(0)} ms after the worker died`);
    assert.match(faults[0] ?? "", /audio worker exited/);
    await waitFor(() => engine.status().model?.id === model?.id, 2000);
  });
});
