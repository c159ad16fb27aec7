import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChainParams, EngineStatus, IrLoadRequest, LoadedSlot, ModelLoadRequest } from "../../firmware/engine/api.js";
import { defaultChainParams } from "../../firmware/engine/params.js";
import type { NamModel } from "../../firmware/nam/model.js";
import { PresetStore, PresetStoreError, type PresetEngine, type PresetStoreEvent } from "../../firmware/library/presets.js";
import { VersionedFileError } from "../../firmware/library/versioned-file.js";
import type { AudioEngine } from "../../firmware/engine/engine.js";
import { renderChainOffline } from "../../firmware/engine/offline.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { readF32 } from "../dsp/reference-cases.js";
import { fixtures } from "../helpers/paths.js";
import { createVirtualEngine } from "../helpers/virtual-engine.js";

/** The engine's loading side, remembering what plays; loads can be held back to test rapid switching. */
class FakeEngine implements PresetEngine {
  readonly calls: string[] = [];
  model: LoadedSlot | null = null;
  ir: LoadedSlot | null = null;
  params: Partial<ChainParams> = {};
  holdLoads = false;
  private readonly held: (() => void)[] = [];

  private async wait(): Promise<void> {
    if (this.holdLoads) await new Promise<void>((resolve) => this.held.push(resolve));
  }
  releaseLoads(): void {
    this.holdLoads = false;
    for (const resolve of this.held.splice(0)) resolve();
  }
  async loadModel(request: ModelLoadRequest): Promise<void> {
    this.calls.push(`loadModel ${request.id} slim=${request.slim}`);
    await this.wait();
    this.model = { id: request.id, name: request.name, slim: request.slim };
  }
  async unloadModel(): Promise<void> {
    this.calls.push("unloadModel");
    this.model = null;
  }
  async loadIr(request: IrLoadRequest): Promise<void> {
    this.calls.push(`loadIr ${request.id}`);
    this.ir = { id: request.id, name: request.name, slim: null };
  }
  async unloadIr(): Promise<void> {
    this.calls.push("unloadIr");
    this.ir = null;
  }
  setParams(params: Partial<ChainParams>): void {
    this.calls.push(`setParams out=${params.outputLevelDb}`);
    this.params = params;
  }
  status(): EngineStatus {
    return {
      backend: "offline", device: "fake", sampleRate: 48000, periodFrames: 128, running: true, xruns: 0, deadlineMisses: 0,
      latencyMs: 5, dspLoad: { mean: 0, p99: 0, max: 0 }, bypass: false, model: this.model, ir: this.ir, lastError: null,
    };
  }
}

const knownModels = new Set(["clean", "crunch", "lead"]);

function makeStore(filePath: string, engine: FakeEngine) {
  const log: string[] = [];
  const store = new PresetStore({
    filePath,
    engine,
    resolveModel: async (id, slim) => {
      if (!knownModels.has(id)) throw new Error(`model "${id}" is not in the library`);
      return { id, name: id, model: {} as NamModel, slim };
    },
    resolveIr: async (id) => ({ id, name: id, samples: new Float32Array([1]), sampleRateHz: 48000 }),
    log: { info: (m) => log.push(`info ${m}`), warn: (m) => log.push(`warn ${m}`) },
  });
  return { store, log };
}

describe("PresetStore", () => {
  let dir: string;
  let filePath: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-presets-"));
    filePath = join(dir, "presets.json");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Three presets in one bank, saved; returns their ids. */
  async function seed(store: PresetStore) {
    const clean = await store.createPreset({ name: "Clean", modelId: "clean", irId: "cab-a", params: { outputLevelDb: -3 } });
    const crunch = await store.createPreset({ name: "Crunch", modelId: "crunch", slim: 0.5, irId: "cab-a", params: { outputLevelDb: -6 } });
    const lead = await store.createPreset({ name: "Lead", modelId: "lead", irId: "cab-b", params: { gate: { ...defaultChainParams().gate, thresholdDb: -50 } } });
    const bank = await store.createBank("Gig", [clean.id, crunch.id, lead.id]);
    return { clean: clean.id, crunch: crunch.id, lead: lead.id, bank: bank.id };
  }

  it("starts empty without a file, writes on the first change and reads back the same document", async () => {
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    assert.deepEqual(await readdir(dir), []);
    const ids = await seed(store);
    await store.createSetlist("Friday", [ids.lead, ids.clean]);
    await store.stop();
    assert.deepEqual(await readdir(dir), ["presets.json"]);
    const saved = JSON.parse(await readFile(filePath, "utf8"));
    assert.equal(saved.version, 1);
    const again = makeStore(filePath, new FakeEngine()).store;
    await again.start();
    assert.deepEqual(again.document(), store.document());
    assert.deepEqual(again.preset(ids.crunch).params.outputLevelDb, -6);
    assert.equal(again.preset(ids.crunch).params.gate.thresholdDb, defaultChainParams().gate.thresholdDb);
  });

  it("activates through the engine and skips what already plays", async () => {
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    const ids = await seed(store);
    await store.activate(ids.clean);
    assert.deepEqual(engine.calls, ["loadModel clean slim=null", "loadIr cab-a", "setParams out=-3"]);
    engine.calls.length = 0;
    await store.activate(ids.crunch);
    assert.deepEqual(engine.calls, ["loadModel crunch slim=0.5", "setParams out=-6"]);
    const noModel = await store.createPreset({ name: "DI", modelId: null, irId: null });
    engine.calls.length = 0;
    await store.activate(noModel.id);
    assert.deepEqual(engine.calls, ["unloadModel", "unloadIr", "setParams out=0"]);
  });

  it("brings back the last active preset on start", async () => {
    const first = makeStore(filePath, new FakeEngine()).store;
    await first.start();
    const ids = await seed(first);
    await first.activate(ids.lead);
    await first.stop();
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    assert.deepEqual(engine.calls.slice(0, 2), ["loadModel lead slim=null", "loadIr cab-b"]);
    assert.equal(engine.model?.id, "lead");
  });

  it("steps through the bank, wrapping round, selects slots, and steps banks from their first preset", async () => {
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    const ids = await seed(store);
    const other = await store.createPreset({ name: "Ambient", modelId: "clean", irId: null });
    const second = await store.createBank("Covers", [other.id, ids.clean]);
    const active = () => store.document().activePresetId;
    await store.nextPreset();
    assert.equal(active(), ids.clean);
    await store.previousPreset();
    assert.equal(active(), ids.lead);
    await store.nextPreset();
    assert.equal(active(), ids.clean);
    await store.selectSlot(2);
    assert.equal(active(), ids.crunch);
    await assert.rejects(store.selectSlot(4), /bank "Gig" has 3 presets, no slot 4/);
    await store.nextBank();
    assert.equal(active(), other.id);
    assert.equal(store.document().activeBankId, second.id);
    await store.nextPreset();
    assert.equal(active(), ids.clean);
    await store.nextBank();
    assert.equal(active(), ids.clean);
    assert.equal(store.document().activeBankId, ids.bank);
    await store.previousBank();
    assert.equal(store.document().activeBankId, second.id);
  });

  it("follows a setlist's own order when one is in use", async () => {
    const { store } = makeStore(filePath, new FakeEngine());
    await store.start();
    const ids = await seed(store);
    const setlist = await store.createSetlist("Friday", [ids.lead, ids.clean]);
    await store.useSetlist(setlist.id);
    await store.nextPreset();
    assert.equal(store.document().activePresetId, ids.lead);
    await store.nextPreset();
    assert.equal(store.document().activePresetId, ids.clean);
    await store.nextPreset();
    assert.equal(store.document().activePresetId, ids.lead);
    assert.equal(store.navigationList().name, 'setlist "Friday"');
    await store.nextBank();
    assert.equal(store.document().activeSetlistId, null);
  });

  it("loads only the latest of quick switches", async () => {
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    const ids = await seed(store);
    await store.activate(ids.clean);
    engine.calls.length = 0;
    engine.holdLoads = true;
    const presses = [store.nextPreset(), store.nextPreset(), store.nextPreset(), store.nextPreset()];
    await new Promise((resolve) => setImmediate(resolve));
    engine.releaseLoads();
    await Promise.all(presses);
    // Position: clean → crunch → lead → clean → crunch. The engine loaded crunch, then only the last.
    assert.equal(store.document().activePresetId, ids.crunch);
    assert.deepEqual(engine.calls.filter((c) => c.startsWith("loadModel")), ["loadModel crunch slim=0.5"]);
    assert.equal(engine.model?.id, "crunch");
  });

  it("keeps the current sound and says why when a preset cannot load", async () => {
    const engine = new FakeEngine();
    const { store } = makeStore(filePath, engine);
    await store.start();
    const ids = await seed(store);
    await store.activate(ids.clean);
    const broken = await store.createPreset({ name: "Broken", modelId: "deleted-model", irId: null });
    const events: PresetStoreEvent[] = [];
    store.subscribe((event) => events.push(event));
    await assert.rejects(store.activate(broken.id), (error: Error) => {
      assert.ok(error instanceof PresetStoreError);
      assert.equal(error.message, 'preset "Broken": model "deleted-model" is not in the library');
      return true;
    });
    assert.equal(engine.model?.id, "clean");
    assert.equal(store.document().activePresetId, ids.clean);
    assert.ok(events.some((e) => e.type === "activation-failed" && e.presetId === broken.id));
  });

  it("removes a deleted preset everywhere and refuses references to missing presets", async () => {
    const { store } = makeStore(filePath, new FakeEngine());
    await store.start();
    const ids = await seed(store);
    const setlist = await store.createSetlist("Friday", [ids.crunch]);
    await store.activate(ids.crunch);
    await store.deletePreset(ids.crunch);
    const doc = store.document();
    assert.deepEqual(doc.banks[0]!.presetIds, [ids.clean, ids.lead]);
    assert.deepEqual(doc.setlists!.find((s) => s.id === setlist.id)!.presetIds, []);
    assert.equal(doc.activePresetId, null);
    await assert.rejects(store.updateBank(ids.bank, { presetIds: ["nope"] }), /no preset with id "nope"/);
    await assert.rejects(store.reorderBanks([]), /each of the 1 banks once/);
  });

  it("migrates a version-0 file, keeping the original as a backup", async () => {
    const v0 = JSON.stringify({
      presets: [
        { name: "Clean", model: "clean", ir: "cab-a", gain: 2, level: -4, gate: -65, bass: 6, mid: 4, treble: 7, normalize: false },
        { name: "Lead", model: "lead", ir: null, gate: null },
      ],
      banks: [{ name: "Old bank", presets: [1, 0] }],
      current: 1,
    });
    await writeFile(filePath, v0);
    const engine = new FakeEngine();
    const { store, log } = makeStore(filePath, engine);
    await store.start();
    assert.equal(await readFile(join(dir, "presets.json.v0.bak"), "utf8"), v0);
    const migrated = JSON.parse(await readFile(filePath, "utf8"));
    assert.equal(migrated.version, 1);
    assert.deepEqual(migrated.banks, [{ id: "b1", name: "Old bank", presetIds: ["p2", "p1"] }]);
    const clean = store.preset("p1");
    assert.deepEqual([clean.params.inputTrimDb, clean.params.outputLevelDb, clean.params.normalizeLoudness], [2, -4, false]);
    assert.deepEqual(clean.params.gate, { ...defaultChainParams().gate, enabled: true, thresholdDb: -65 });
    assert.deepEqual(clean.params.eq, { ...defaultChainParams().eq, bass: 6, mid: 4, treble: 7 });
    assert.equal(store.preset("p2").params.gate.enabled, false);
    assert.equal(engine.model?.id, "lead");
    assert.ok(log.some((line) => line.includes("migrated presets.json from version 0; the old file is kept as presets.json.v0.bak")));
    // Migrating again later does not overwrite the first backup.
    await writeFile(filePath, v0);
    await makeStore(filePath, new FakeEngine()).store.start();
    assert.equal((await readdir(dir)).filter((name) => name.endsWith(".bak")).length, 2);
  });

  const corrupt: [string, string, RegExp][] = [
    ["a truncated file", '{"version": 1, "presets": [{"id": "p1", "na', /^presets\.json: not valid JSON/],
    ["a wrong type deep inside", "", /^presets\.json: \/presets\/0\/params\/gate\/thresholdDb: Expected number/],
    ["a dangling reference", "", /^presets\.json: \/banks\/0\/presetIds\/1: no preset with id "zz"/],
    ["a newer version", '{"version": 7}', /^presets\.json: \/version: version 7 was written by a newer firmware \(this one reads up to 1\)/],
    ["a bad version-0 file", '{"presets": [{"model": "x"}]}', /^presets\.json \(migrated from version 0\): \/presets\/0\/name/],
  ];
  for (const [what, content, expected] of corrupt) {
    it(`refuses ${what} with a clear error and overwrites nothing`, async () => {
      const seedStore = makeStore(filePath, new FakeEngine()).store;
      await seedStore.start();
      const ids = await seed(seedStore);
      await seedStore.stop();
      const valid = JSON.parse(await readFile(filePath, "utf8"));
      let bytes = content;
      if (what === "a wrong type deep inside") {
        valid.presets[0].params.gate.thresholdDb = "-60";
        bytes = JSON.stringify(valid);
      } else if (what === "a dangling reference") {
        valid.banks[0].presetIds = [ids.clean, "zz"];
        bytes = JSON.stringify(valid);
      }
      await writeFile(filePath, bytes);
      const { store } = makeStore(filePath, new FakeEngine());
      await assert.rejects(store.start(), (error: Error) => {
        assert.ok(error instanceof VersionedFileError);
        assert.match(error.message, expected);
        return true;
      });
      assert.equal(await readFile(filePath, "utf8"), bytes);
      assert.deepEqual(await readdir(dir), ["presets.json"]);
      await assert.rejects(store.createPreset({ name: "x" }), /not started/);
    });
  }

  it("clears temporary files a power cut left behind", async () => {
    await writeFile(join(dir, ".presets.json.4242.00112233aabb.tmp"), "{half");
    await writeFile(join(dir, "notes.tmp"), "kept");
    const { store } = makeStore(filePath, new FakeEngine());
    await store.start();
    assert.deepEqual((await readdir(dir)).sort(), ["notes.tmp"]);
  });
});

describe("PresetStore with the real engine", () => {
  const RATE = 48000;
  const PERIOD = 128;
  const models = join(fixtures, "reference", "models");
  const modelFiles: Record<string, string> = { standard: "standard_core_a1.nam", tiny: "wavenet_tiny_core.nam" };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let dir: string;
  let engine: AudioEngine;
  let di: Float32Array;
  const params = { ...defaultChainParams(), limiterCeilingDb: -0.1, gate: { ...defaultChainParams().gate, enabled: false } };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-presets-engine-"));
    di = await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"));
    engine = createVirtualEngine(di, params);
    await engine.start();
  });
  afterEach(async () => {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Largest difference between the engine's recent output and the offline render of `modelId` on the same input. */
  async function distanceFromOffline(modelId: string, recording: { samples: Float32Array; startFrame: number }): Promise<number> {
    const { samples, startFrame } = recording;
    const looped = Float32Array.from({ length: startFrame + samples.length }, (_, i) => di[i % di.length]!);
    const offline = await renderChainOffline({
      input: looped, sampleRateHz: RATE, periodFrames: PERIOD, params, tanh: "fast",
      model: { model: await loadNamFile(join(models, modelFiles[modelId]!)), name: modelId, slim: null }, ir: null,
    });
    // The second half: well after the crossfade, the receptive field and the DC blocker's memory.
    let worst = 0;
    for (let i = samples.length >> 1; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i]! - offline[startFrame + i]!));
    return worst;
  }

  it("switches presets through the engine, and the output is the new preset's model", async (t) => {
    const store = new PresetStore({
      filePath: join(dir, "presets.json"),
      engine,
      resolveModel: async (id, slim) => ({ id, name: id, model: await loadNamFile(join(models, modelFiles[id]!)), slim }),
      resolveIr: async (id) => {
        throw new Error(`no IR ${id}`);
      },
      log: { info: () => {}, warn: () => {} },
    });
    await store.start();
    const first = await store.createPreset({ name: "Standard", modelId: "standard", params });
    const second = await store.createPreset({ name: "Tiny", modelId: "tiny", params });
    await store.createBank("Test", [first.id, second.id]);

    await store.activate(first.id);
    await sleep(1500);
    const playingFirst = await engine.takeRecording();
    await store.nextPreset();
    assert.equal(engine.status().model?.id, "tiny");
    await sleep(1500);
    const playingSecond = await engine.takeRecording();
    await store.stop();

    const firstVsStandard = await distanceFromOffline("standard", playingFirst);
    const secondVsTiny = await distanceFromOffline("tiny", playingSecond);
    const secondVsStandard = await distanceFromOffline("standard", playingSecond);
    t.diagnostic(`max |output − offline render|: Standard preset vs Standard ${firstVsStandard.toExponential(2)}, ` +
      `Tiny preset vs Tiny ${secondVsTiny.toExponential(2)}, Tiny preset vs Standard ${secondVsStandard.toExponential(2)}`);
    assert.ok(firstVsStandard < 1e-5, `first preset: ${firstVsStandard}`);
    assert.ok(secondVsTiny < 1e-5, `second preset: ${secondVsTiny}`);
    assert.ok(secondVsStandard > 1e-2, `the second preset still sounds like the first: ${secondVsStandard}`);
  });
});
