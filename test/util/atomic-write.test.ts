import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAtomicWriteLeftover, writeFileAtomic } from "../../firmware/util/atomic-write.js";

describe("writeFileAtomic", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-atomic-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates and replaces a file and leaves no temporary file", async () => {
    const path = join(dir, "presets.json");
    await writeFileAtomic(path, '{"version":1}');
    assert.equal(await readFile(path, "utf8"), '{"version":1}');
    await writeFileAtomic(path, new TextEncoder().encode("second"));
    assert.equal(await readFile(path, "utf8"), "second");
    assert.deepEqual(await readdir(dir), ["presets.json"]);
  });

  it("gives new files the requested mode", async () => {
    const path = join(dir, "secret.json");
    await writeFileAtomic(path, "{}", { mode: 0o600 });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it("leaves the target untouched and removes the temporary file when the rename fails", async () => {
    const target = join(dir, "occupied");
    await mkdir(target);
    await writeFile(join(target, "inside"), "kept");
    await assert.rejects(writeFileAtomic(target, "new content"));
    assert.equal(await readFile(join(target, "inside"), "utf8"), "kept");
    assert.deepEqual((await readdir(dir)).filter(isAtomicWriteLeftover), []);
  });

  it("fails without side effects when the directory does not exist", async () => {
    await assert.rejects(writeFileAtomic(join(dir, "missing", "file.json"), "x"), { code: "ENOENT" });
  });

  it("lets concurrent writers each land a whole file", async () => {
    const path = join(dir, "contended.json");
    const contents = Array.from({ length: 20 }, (_, i) => JSON.stringify({ writer: i, payload: "x".repeat(10000 + i) }));
    await Promise.all(contents.map((content) => writeFileAtomic(path, content)));
    assert.ok(contents.includes(await readFile(path, "utf8")));
    assert.deepEqual((await readdir(dir)).filter(isAtomicWriteLeftover), []);
  });

  it("recognises its own leftovers only", () => {
    assert.ok(isAtomicWriteLeftover(".presets.json.1234.0123456789ab.tmp"));
    assert.ok(!isAtomicWriteLeftover("presets.json"));
    assert.ok(!isAtomicWriteLeftover(".hidden.tmp"));
  });
});
