// The model and IR routes with app.inject(): upload (multipart, validated, size-capped, admitted by
// a Pi-4-like budget), list, inspect, rename, download, delete, select into the live sound.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ApiError, IrInfo, LiveChange, ModelInfo, ModelList, Status } from "../../firmware/api-contract/index.js";
import { build, multipart } from "./helper.js";
import { irWavBytes, modelBytes } from "./fixtures.js";

const json = <T>(response: { json(): unknown }) => response.json() as T;

describe("models", () => {
  it("stores a valid upload under a generated id and describes it with its cost on this device", async (t) => {
    const { app, dataDir } = await build(t);
    const bytes = await modelBytes("feather");
    const upload = await app.inject({ method: "POST", url: "/api/models", ...multipart("My Feather.nam", bytes) });
    assert.equal(upload.statusCode, 201, upload.body);
    const model = json<ModelInfo>(upload);
    assert.match(model.id, /^[0-9a-f]{16}$/);
    assert.equal(model.name, "My Feather");
    assert.equal(model.originalFileName, "My Feather.nam");
    assert.equal(model.badge, "Feather");
    assert.equal(model.modelClass, "a1-feather");
    assert.equal(model.multiplyAddsPerSample, 2809);
    assert.equal(model.cost.chosen?.fits, true);
    // 3900 ns/sample at 48 kHz = 18.7 % of the period, under the 60 % budget.
    assert.ok(Math.abs(model.cost.chosen!.loadPercent - 18.72) < 0.01, String(model.cost.chosen!.loadPercent));
    assert.deepEqual((await readdir(join(dataDir, "models"))).sort(), [`${model.id}.json`, `${model.id}.nam`]);

    const list = json<ModelList>(await app.inject({ method: "GET", url: "/api/models" }));
    assert.deepEqual(list.models.map((m) => m.id), [model.id]);
    assert.equal(json<ModelInfo>(await app.inject({ method: "GET", url: `/api/models/${model.id}` })).label, "A1 Feather");

    const renamed = await app.inject({ method: "PATCH", url: `/api/models/${model.id}`, payload: { name: "Dirty Tree" } });
    assert.equal(json<ModelInfo>(renamed).name, "Dirty Tree");

    const download = await app.inject({ method: "GET", url: `/api/models/${model.id}/file` });
    assert.equal(download.statusCode, 200);
    assert.ok(download.rawPayload.equals(bytes), "the download is the uploaded file");
    assert.match(String(download.headers["content-disposition"]), /filename\*=UTF-8''My%20Feather\.nam/);

    assert.equal((await app.inject({ method: "DELETE", url: `/api/models/${model.id}` })).statusCode, 204);
    assert.equal((await app.inject({ method: "GET", url: `/api/models/${model.id}` })).statusCode, 404);
    assert.deepEqual(await readdir(join(dataDir, "models")), []);
  });

  it("refuses a model over the budget, saying why and what fits, and keeps nothing", async (t) => {
    const { app, dataDir } = await build(t);
    const response = await app.inject({ method: "POST", url: "/api/models", ...multipart("standard.nam", await modelBytes("standard")) });
    assert.equal(response.statusCode, 422);
    const error = json<ApiError>(response);
    assert.equal(error.code, "over-budget");
    assert.match(error.message, /^A1 Standard needs ~67 % of the audio period on this .+ \(models may use up to 60 %\); A1 Lite\/Feather\/Nano fit\.$/);
    assert.deepEqual(await readdir(join(dataDir, "models")), []);
  });

  it("slims an A2 model to the widest width that fits, and plays it at that width", async (t) => {
    const { app } = await build(t);
    const model = json<ModelInfo>(await app.inject({ method: "POST", url: "/api/models", ...multipart("A2.nam", await modelBytes("a2")) }));
    assert.equal(model.badge, "A2");
    assert.equal(model.cost.slimmed, true);
    assert.deepEqual(model.cost.chosen?.channels, [3]);
    assert.equal(model.cost.chosen?.slim, 0);
    assert.deepEqual(model.cost.widths.map((w) => w.fits), [true, false]);
    assert.match(model.cost.message, /^slimmed to slim 0\.00 \(3 channels\) to fit: ~16 % of the audio period \(full width needs ~65 %; budget 60 %\)$/);

    const select = await app.inject({ method: "POST", url: `/api/models/${model.id}/select`, payload: {} });
    assert.equal(select.statusCode, 200, select.body);
    const change = json<LiveChange>(select);
    assert.equal(change.live.modelId, model.id);
    assert.equal(change.live.slim, 0);
    assert.match(change.message ?? "", /slimmed/);
    const status = json<Status>(await app.inject({ method: "GET", url: "/api/status" }));
    assert.deepEqual(status.model && { id: status.model.id, slim: status.model.slim, badge: status.model.badge }, { id: model.id, slim: 0, badge: "A2" });

    // Asking for the full width is refused with the reason; the narrow width keeps playing.
    const full = await app.inject({ method: "PATCH", url: "/api/params", payload: { slim: 1 } });
    assert.equal(full.statusCode, 422);
    assert.match(json<ApiError>(full).message, /at full width \(8 channels\) needs ~65 %.*the widest width that fits is slim 0\.00 \(3 channels\)\./);
    assert.equal(json<Status>(await app.inject({ method: "GET", url: "/api/status" })).model?.slim, 0);
  });

  it("admits the full A2 and A1 Standard where the budget allows (a Pi 5-like limit)", async (t) => {
    const { app } = await build(t, { settings: { budget: { maxModelLoadPercent: 75 } } });
    const a2 = json<ModelInfo>(await app.inject({ method: "POST", url: "/api/models", ...multipart("A2.nam", await modelBytes("a2")) }));
    assert.equal(a2.cost.slimmed, false);
    assert.equal(a2.cost.chosen?.slim, null);
    const standard = await app.inject({ method: "POST", url: "/api/models", ...multipart("standard.nam", await modelBytes("standard")) });
    assert.equal(standard.statusCode, 201);
  });

  it("names the file and the field of an invalid model", async (t) => {
    const { app } = await build(t);
    const model = JSON.parse((await modelBytes("feather")).toString("utf8")) as { config: { layers: { dilations: unknown }[] } };
    model.config.layers[1]!.dilations = "wide";
    const response = await app.inject({ method: "POST", url: "/api/models", ...multipart("broken.nam", Buffer.from(JSON.stringify(model))) });
    assert.equal(response.statusCode, 422);
    const error = json<ApiError>(response);
    assert.equal(error.code, "nam-config");
    assert.equal(error.field, "config.layers[1].dilations");
    assert.match(error.message, /^broken\.nam: config\.layers\[1\]\.dilations: /);

    const notJson = await app.inject({ method: "POST", url: "/api/models", ...multipart("x.nam", Buffer.from("not json")) });
    assert.equal(json<ApiError>(notJson).code, "nam-json");
  });

  it("caps the upload size while streaming, and wants the file in the field `file`", async (t) => {
    const { app, dataDir } = await build(t, { settings: { server: { maxModelUploadMiB: 1 } } });
    const tooLarge = await app.inject({ method: "POST", url: "/api/models", ...multipart("big.nam", Buffer.alloc(1.5 * 2 ** 20, 32)) });
    assert.equal(tooLarge.statusCode, 413);
    assert.equal(json<ApiError>(tooLarge).code, "FST_REQ_FILE_TOO_LARGE");
    const wrongField = await app.inject({ method: "POST", url: "/api/models", ...multipart("a.nam", Buffer.from("{}"), "model") });
    assert.equal(wrongField.statusCode, 400);
    assert.equal(json<ApiError>(wrongField).code, "no-file");
    const notMultipart = await app.inject({ method: "POST", url: "/api/models", payload: { file: "x" } });
    assert.equal(notMultipart.statusCode, 406);
    assert.deepEqual(await readdir(join(dataDir, "models")), []);
  });

  it("refuses to delete a model that plays or that presets use", async (t) => {
    const { app } = await build(t);
    const model = json<ModelInfo>(await app.inject({ method: "POST", url: "/api/models", ...multipart("f.nam", await modelBytes("feather")) }));
    await app.inject({ method: "POST", url: `/api/models/${model.id}/select`, payload: {} });
    const playing = await app.inject({ method: "DELETE", url: `/api/models/${model.id}` });
    assert.equal(playing.statusCode, 409);
    assert.match(json<ApiError>(playing).message, /is playing/);
    await app.inject({ method: "DELETE", url: "/api/live/model" });
    await app.inject({ method: "POST", url: "/api/presets", payload: { name: "Crunch", modelId: model.id } });
    const used = await app.inject({ method: "DELETE", url: `/api/models/${model.id}` });
    assert.equal(used.statusCode, 409);
    assert.match(json<ApiError>(used).message, /used by "Crunch"/);
  });

  it("answers 404 for unknown ids and 400 for malformed ones, without internals", async (t) => {
    const { app } = await build(t);
    const unknown = await app.inject({ method: "GET", url: "/api/models/0123456789abcdef" });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(json<ApiError>(unknown), { statusCode: 404, error: "Not Found", code: "not-found", message: 'no model with id "0123456789abcdef"' });
    const traversal = await app.inject({ method: "GET", url: "/api/models/..%2F..%2Fetc%2Fpasswd/file" });
    assert.equal(traversal.statusCode, 400);
    assert.equal(json<ApiError>(traversal).code, "invalid-request");
  });

  it("hides the details of an internal error", async (t) => {
    const { app, dataDir } = await build(t);
    const model = json<ModelInfo>(await app.inject({ method: "POST", url: "/api/models", ...multipart("f.nam", await modelBytes("feather")) }));
    // The file vanishes behind the library's back: reading it fails with an ENOENT the player must not see.
    await rm(join(dataDir, "models", `${model.id}.nam`));
    const response = await app.inject({ method: "GET", url: `/api/models/${model.id}/file` });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(json<ApiError>(response), { statusCode: 500, error: "Internal Server Error", code: "internal", message: "internal error; the pedal's log has the details" });
  });
});

describe("IRs", () => {
  it("stores a WAV, plays it, refuses to delete it while it plays, and deletes it after", async (t) => {
    const { app, dataDir } = await build(t);
    const upload = await app.inject({ method: "POST", url: "/api/irs", ...multipart("4x12 V30.wav", await irWavBytes()) });
    assert.equal(upload.statusCode, 201, upload.body);
    const ir = json<IrInfo>(upload);
    assert.equal(ir.name, "4x12 V30");
    assert.equal(ir.sampleRateHz, 44100);
    assert.equal(ir.frames, 8820);
    assert.ok(Math.abs(ir.durationMs - 200) < 1e-9);

    const select = await app.inject({ method: "POST", url: `/api/irs/${ir.id}/select` });
    assert.equal(select.statusCode, 200, select.body);
    assert.equal(json<LiveChange>(select).live.irId, ir.id);
    assert.equal(json<Status>(await app.inject({ method: "GET", url: "/api/status" })).ir?.name, "4x12 V30");
    assert.equal((await app.inject({ method: "DELETE", url: `/api/irs/${ir.id}` })).statusCode, 409);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/live/ir" })).statusCode, 200);
    assert.equal((await app.inject({ method: "DELETE", url: `/api/irs/${ir.id}` })).statusCode, 204);
    assert.deepEqual(await readdir(join(dataDir, "irs")), []);
  });

  it("refuses a file that is not a WAV and keeps nothing", async (t) => {
    const { app, dataDir } = await build(t);
    const response = await app.inject({ method: "POST", url: "/api/irs", ...multipart("cab.wav", Buffer.from("RIFF....not a wave")) });
    assert.equal(response.statusCode, 422);
    assert.match(json<ApiError>(response).code, /^wav-/);
    assert.deepEqual(await readdir(join(dataDir, "irs")), []);
  });
});
