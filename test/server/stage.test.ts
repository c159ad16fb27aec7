// The live sound, presets and banks, stage actions, the virtual footswitch and the WebSocket, on
// the real daemon (virtual audio device, mock GPIO): inject() and injectWS().

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type {
  ApiError, Bank, LiveChange, LiveSound, ModelInfo, Preset, PresetsOverview, ServerMessage, Status,
} from "../../firmware/api-contract/index.js";
import { systemClock } from "../../firmware/controls/clock.js";
import { build, multipart } from "./helper.js";
import { modelBytes } from "./fixtures.js";

const json = <T>(response: { json(): unknown }) => response.json() as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every message a WebSocket client receives, parsed, and a way to wait for one. */
async function listen(app: FastifyInstance) {
  const messages: { atMs: number; message: ServerMessage }[] = [];
  const waiters: { test: (m: ServerMessage) => boolean; resolve: (m: { atMs: number; message: ServerMessage }) => void }[] = [];
  const onMessage = (data: Buffer) => {
    const entry = { atMs: performance.now(), message: JSON.parse(data.toString()) as ServerMessage };
    messages.push(entry);
    for (const waiter of [...waiters]) {
      if (waiter.test(entry.message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(entry);
      }
    }
  };
  // Listening from the start: the server sends the state as soon as the socket opens.
  const socket = await app.injectWS("/ws", {}, { onInit: (ws) => ws.on("message", onMessage) });
  /** The first message from now on that passes `test`. */
  const next = (test: (m: ServerMessage) => boolean, timeoutMs = 2000) =>
    new Promise<{ atMs: number; message: ServerMessage }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching WebSocket message within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  return { socket, messages, next };
}

const isState = (m: ServerMessage): m is Extract<ServerMessage, { type: "state" }> => m.type === "state";

async function twoPresetsInABank(app: FastifyInstance) {
  const bank = json<Bank>(await app.inject({ method: "POST", url: "/api/banks", payload: { name: "Gig" } }));
  const clean = json<Preset>(await app.inject({ method: "POST", url: "/api/presets", payload: { name: "Clean", bankId: bank.id, params: { outputLevelDb: -3 } } }));
  const lead = json<Preset>(await app.inject({ method: "POST", url: "/api/presets", payload: { name: "Lead", bankId: bank.id, params: { gate: { thresholdDb: -50 } } } }));
  return { bank, clean, lead };
}

describe("live sound", () => {
  it("applies partial chain settings at once, field by field, and validates them", async (t) => {
    const { app } = await build(t);
    const before = json<LiveSound>(await app.inject({ method: "GET", url: "/api/params" }));
    const change = await app.inject({ method: "PATCH", url: "/api/params", payload: { chain: { gate: { thresholdDb: -55 }, eq: { bass: 7 } }, bypass: true } });
    assert.equal(change.statusCode, 200, change.body);
    const live = json<LiveChange>(change).live;
    assert.equal(live.params.gate.thresholdDb, -55);
    assert.equal(live.params.gate.releaseMs, before.params.gate.releaseMs);
    assert.equal(live.params.eq.bass, 7);
    assert.equal(live.params.eq.treble, before.params.eq.treble);
    assert.equal(live.bypass, true);
    assert.equal(json<Status>(await app.inject({ method: "GET", url: "/api/status" })).audio.bypass, true);

    const outOfRange = await app.inject({ method: "PATCH", url: "/api/params", payload: { chain: { eq: { bass: 11 } } } });
    assert.equal(outOfRange.statusCode, 400);
    assert.equal(json<ApiError>(outOfRange).code, "invalid-request");
    assert.match(json<ApiError>(outOfRange).message, /body\/chain\/eq\/bass/);
    const unknown = await app.inject({ method: "PATCH", url: "/api/params", payload: { chain: { drive: 3 } } });
    assert.equal(unknown.statusCode, 400);
    const noSlimWithoutModel = await app.inject({ method: "PATCH", url: "/api/params", payload: { slim: 0.5 } });
    assert.equal(noSlimWithoutModel.statusCode, 409);
    assert.equal(json<LiveSound>(await app.inject({ method: "GET", url: "/api/params" })).params.eq.bass, 7, "refused changes change nothing");
  });

  it("reports the status with the documented names and types", async (t) => {
    const { app } = await build(t);
    const status = json<Status>(await app.inject({ method: "GET", url: "/api/status" }));
    assert.equal(status.audio.backend, "virtual");
    assert.equal(status.audio.running, true);
    assert.equal(status.audio.sampleRate, 48000);
    assert.equal(status.audio.periodFrames, 128);
    for (const value of [status.audio.xruns, status.audio.deadlineMisses, status.audio.latencyMs, status.audio.dspLoad.mean, status.audio.dspLoad.p99, status.audio.dspLoad.max, status.system.memoryMB, status.system.uptimeS]) {
      assert.equal(typeof value, "number");
    }
    assert.equal(status.preset, null);
    assert.equal(status.model, null);
    assert.equal(status.ir, null);
    assert.equal(status.system.version, "0.1.0");
    assert.equal(status.budget.maxModelLoadPercent, 60);
    assert.deepEqual(status.budget.references.filter((r) => r.id.startsWith("a1-")).map((r) => [r.label, r.fits]), [
      ["A1 Standard", false], ["A1 Lite", true], ["A1 Feather", true], ["A1 Nano", true],
    ]);
  });
});

describe("presets and banks", () => {
  it("creates, activates, updates, reorders and deletes", async (t) => {
    const { app } = await build(t);
    const model = json<ModelInfo>(await app.inject({ method: "POST", url: "/api/models", ...multipart("f.nam", await modelBytes("feather")) }));
    const { bank, clean, lead } = await twoPresetsInABank(app);
    assert.equal(clean.params.outputLevelDb, -3);
    assert.equal(lead.params.gate.thresholdDb, -50);
    assert.equal(lead.params.gate.releaseMs, 120, "unset settings take the defaults");

    const updated = await app.inject({ method: "PATCH", url: `/api/presets/${lead.id}`, payload: { modelId: model.id, params: { eq: { mid: 8 } } } });
    assert.equal(json<Preset>(updated).modelId, model.id);
    const activate = await app.inject({ method: "POST", url: `/api/presets/${lead.id}/activate`, payload: { bankId: bank.id } });
    assert.equal(activate.statusCode, 200, activate.body);
    assert.equal(json<LiveChange>(activate).live.modelId, model.id);
    const status = json<Status>(await app.inject({ method: "GET", url: "/api/status" }));
    assert.deepEqual(status.preset, { id: lead.id, name: "Lead", bankId: bank.id, bankName: "Gig", position: 2, count: 2 });
    assert.equal(status.model?.badge, "Feather");

    const reordered = await app.inject({ method: "PATCH", url: `/api/banks/${bank.id}`, payload: { presetIds: [lead.id, clean.id] } });
    assert.deepEqual(json<Bank>(reordered).presetIds, [lead.id, clean.id]);
    const second = json<Bank>(await app.inject({ method: "POST", url: "/api/banks", payload: { name: "Rehearsal", presetIds: [clean.id] } }));
    const order = await app.inject({ method: "PUT", url: "/api/banks/order", payload: { bankIds: [second.id, bank.id] } });
    assert.deepEqual(json<{ banks: Bank[] }>(order).banks.map((b) => b.name), ["Rehearsal", "Gig"]);
    const badOrder = await app.inject({ method: "PUT", url: "/api/banks/order", payload: { bankIds: [bank.id] } });
    assert.equal(badOrder.statusCode, 409);

    assert.equal((await app.inject({ method: "DELETE", url: `/api/presets/${clean.id}` })).statusCode, 204);
    const overview = json<PresetsOverview>(await app.inject({ method: "GET", url: "/api/presets" }));
    assert.deepEqual(overview.presets.map((p) => p.name), ["Lead"]);
    assert.deepEqual(overview.banks.map((b) => b.presetIds), [[], [lead.id]]);
    assert.equal(overview.activePresetId, lead.id);
    assert.equal((await app.inject({ method: "DELETE", url: `/api/banks/${second.id}` })).statusCode, 204);
  });

  it("checks references: unknown presets, banks, models and IRs", async (t) => {
    const { app } = await build(t);
    assert.equal((await app.inject({ method: "POST", url: "/api/presets/nope/activate", payload: {} })).statusCode, 404);
    assert.equal((await app.inject({ method: "PATCH", url: "/api/banks/nope", payload: { name: "x" } })).statusCode, 404);
    const missingModel = await app.inject({ method: "POST", url: "/api/presets", payload: { name: "X", modelId: "0123456789abcdef" } });
    assert.equal(missingModel.statusCode, 404);
    assert.match(json<ApiError>(missingModel).message, /no model with id/);
    const badName = await app.inject({ method: "POST", url: "/api/presets", payload: { name: "" } });
    assert.equal(badName.statusCode, 400);
  });
});

describe("stage actions and footswitches", () => {
  it("steps presets from the page through the footswitch actions", async (t) => {
    const { app } = await build(t);
    const { clean, lead } = await twoPresetsInABank(app);
    await app.inject({ method: "POST", url: `/api/presets/${clean.id}/activate`, payload: {} });
    const next = await app.inject({ method: "POST", url: "/api/actions/preset-next" });
    assert.equal(next.statusCode, 200, next.body);
    assert.equal(json<Status>(await app.inject({ method: "GET", url: "/api/status" })).preset?.id, lead.id);
    assert.equal(json<LiveChange>(await app.inject({ method: "POST", url: "/api/actions/bypass-toggle" })).live.bypass, true);
    assert.equal((await app.inject({ method: "POST", url: "/api/actions/self-destruct" })).statusCode, 400);
  });

  it("presses a virtual footswitch through the same mapping as the hardware", async (t) => {
    const { app } = await build(t);
    const { clean, lead } = await twoPresetsInABank(app);
    await app.inject({ method: "POST", url: `/api/presets/${clean.id}/activate`, payload: {} });
    const ws = await listen(app);
    const moved = ws.next((m) => isState(m) && m.status.preset?.id === lead.id);
    // Switch 2 of the default 3-switch layout: short press = next preset.
    const press = await app.inject({ method: "POST", url: "/api/footswitches/2/press", payload: { gesture: "short" } });
    assert.equal(press.statusCode, 202);
    await moved;
    assert.equal((await app.inject({ method: "POST", url: "/api/footswitches/4/press", payload: { gesture: "short" } })).statusCode, 404);
    assert.equal((await app.inject({ method: "POST", url: "/api/footswitches/9/press", payload: { gesture: "short" } })).statusCode, 400);
    ws.socket.terminate();
  });
});

describe("WebSocket /ws", () => {
  it("sends the state on connect, every change, and meters at 25 Hz", async (t) => {
    const { app } = await build(t);
    const ws = await listen(app);
    await sleep(50);
    assert.equal(ws.messages[0]?.message.type, "state", "the first message is the state");
    const bypassed = ws.next((m) => isState(m) && m.live.bypass);
    await app.inject({ method: "PATCH", url: "/api/params", payload: { bypass: true } });
    await bypassed;

    const metersBefore = ws.messages.filter((m) => m.message.type === "meters").length;
    await sleep(1000);
    const meters = ws.messages.filter((m) => m.message.type === "meters");
    const perSecond = meters.length - metersBefore;
    t.diagnostic(`${perSecond} meter frames in 1 s`);
    assert.ok(perSecond >= 20, `${perSecond} meter frames per second`);
    const sample = meters.at(-1)!.message as Extract<ServerMessage, { type: "meters" }>;
    assert.equal(sample.meters.inputPeakDb, -120, "silence from the virtual device, floored");
    assert.equal(typeof sample.meters.dspLoadPercent, "number");
    ws.socket.terminate();
  });

  it("shows a footswitch press on the mock GPIO within 100 ms", async (t) => {
    const { app, gpio } = await build(t);
    const { clean, lead } = await twoPresetsInABank(app);
    await app.inject({ method: "POST", url: `/api/presets/${clean.id}/activate`, payload: {} });
    const ws = await listen(app);
    const moved = ws.next((m) => isState(m) && m.status.preset?.id === lead.id);
    // GPIO27 is switch B (next preset) in the default layout; it closes to ground.
    gpio.edge({ gpio: 27, high: false, timeUs: systemClock.nowUs() });
    await sleep(40);
    const releasedAt = performance.now();
    gpio.edge({ gpio: 27, high: true, timeUs: systemClock.nowUs() });
    const { atMs } = await moved;
    t.diagnostic(`release → state on the WebSocket: ${(atMs - releasedAt).toFixed(1)} ms`);
    assert.ok(atMs - releasedAt < 100, `${(atMs - releasedAt).toFixed(1)} ms`);
    ws.socket.terminate();
  });
});
