// The model library on disk: validated uploads under generated ids, records that survive a
// restart, unfinished uploads cleaned away, load requests at the admitted width.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDsp } from "../../firmware/dsp/index.js";
import { ModelLibrary, type ModelAdmission } from "../../firmware/library/models.js";
import { LibraryError } from "../../firmware/library/upload-library.js";
import { NamFileError } from "../../firmware/nam/index.js";
import { fixtures } from "../helpers/paths.js";

const featherPath = join(fixtures, "reference", "models", "synth_feather_v070.nam");
const a2Path = join(fixtures, "models", "core-examples", "A2.nam");

describe("model library", () => {
  let directory: string;
  const warnings: string[] = [];
  const admitted: (number | null)[] = [];
  const admission: ModelAdmission = {
    admit(summary, requestedSlim) {
      admitted.push(requestedSlim);
      return summary.slimWidths === undefined ? null : (requestedSlim ?? 0);
    },
  };
  const open = async () => {
    const library = new ModelLibrary({
      directory, admission, deviceRateHz: 48000, dsp: (await loadDsp()).exports, log: { warn: (message) => warnings.push(message) },
    });
    await library.start();
    return library;
  };

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "namstomp-models-"));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("validates uploads before anything is stored", async () => {
    const library = await open();
    assert.throws(() => library.validateUpload(Buffer.from([0xff, 0xfe, 0x00]), "bin.nam"), (error: unknown) =>
      error instanceof NamFileError && error.code === "json" && error.message === "bin.nam: the file is not UTF-8 text");
    assert.throws(() => library.validateUpload(Buffer.from('{"version":"0.5.4"}'), "half.nam"), NamFileError);
    const oddRate = JSON.parse(await readFile(featherPath, "utf8")) as { sample_rate: number };
    oddRate.sample_rate = 47983;
    assert.throws(() => library.validateUpload(Buffer.from(JSON.stringify(oddRate)), "odd.nam"), (error: unknown) =>
      error instanceof NamFileError && error.field === "sample_rate" && /^odd\.nam: sample_rate: 47983 Hz cannot be resampled to and from the device's 48000 Hz/.test(error.message));
    // 44.1 kHz models run through the resamplers.
    oddRate.sample_rate = 44100;
    assert.equal(library.validateUpload(Buffer.from(JSON.stringify(oddRate)), "cd.nam").summary.sampleRate, 44100);
    assert.deepEqual(await readdir(directory), []);
  });

  it("stores, renames and restores entries across restarts", async () => {
    const bytes = await readFile(featherPath);
    const library = await open();
    const entry = await library.add(bytes, "Tube Screamer.nam", library.validateUpload(bytes, "Tube Screamer.nam"));
    assert.equal(entry.name, "Tube Screamer");
    assert.equal(entry.summary.class, "a1-feather");
    assert.ok((await readFile(library.filePath(entry.id))).equals(bytes));
    const record = JSON.parse(await readFile(join(directory, `${entry.id}.json`), "utf8")) as { version: number; originalFileName: string };
    assert.equal(record.version, 1);
    assert.equal(record.originalFileName, "Tube Screamer.nam");
    await library.rename(entry.id, "  TS9  ");

    const reopened = await open();
    assert.deepEqual(reopened.list().map((e) => [e.id, e.name, e.summary.label]), [[entry.id, "TS9", "A1 Feather"]]);
    await reopened.remove(entry.id);
    assert.throws(() => reopened.get(entry.id), (error: unknown) => error instanceof LibraryError && error.code === "not-found");
    assert.deepEqual(await readdir(directory), []);
  });

  it("removes unfinished uploads and write leftovers at start, and skips damaged records", async () => {
    await writeFile(join(directory, "0123456789abcdef.nam"), "{}");
    await writeFile(join(directory, ".fedcba9876543210.json.123.0123456789ab.tmp"), "{");
    await writeFile(join(directory, "aaaaaaaaaaaaaaaa.json"), '{"version":1,"id":"aaaaaaaaaaaaaaaa"}');
    await writeFile(join(directory, "aaaaaaaaaaaaaaaa.nam"), "{}");
    warnings.length = 0;
    const library = await open();
    assert.deepEqual(library.list(), []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /skipping the model record aaaaaaaaaaaaaaaa\.json/);
    // The damaged record and its file are kept for a person to look at.
    assert.deepEqual((await readdir(directory)).sort(), ["aaaaaaaaaaaaaaaa.json", "aaaaaaaaaaaaaaaa.nam"]);
    await rm(join(directory, "aaaaaaaaaaaaaaaa.json"));
    await rm(join(directory, "aaaaaaaaaaaaaaaa.nam"));
  });

  it("builds load requests at the admitted width and keeps parsed models", async () => {
    const bytes = await readFile(a2Path);
    const library = await open();
    const entry = await library.add(bytes, "A2.nam", library.validateUpload(bytes, "A2.nam"));
    admitted.length = 0;
    const request = await library.loadRequest(entry.id, null);
    assert.deepEqual([request.id, request.name, request.slim], [entry.id, "A2", 0]);
    assert.equal(request.model.config.architecture, "SlimmableContainer");
    assert.equal((await library.loadRequest(entry.id, 0.7)).slim, 0.7);
    assert.deepEqual(admitted, [null, 0.7]);

    // A fresh library parses the file once, then serves the parsed model.
    const reopened = await open();
    const first = await reopened.loadRequest(entry.id, null);
    await rm(reopened.filePath(entry.id));
    assert.equal((await reopened.loadRequest(entry.id, null)).model, first.model);
    await reopened.remove(entry.id);
  });
});
