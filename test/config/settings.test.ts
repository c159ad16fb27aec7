// The settings loader: schema defaults, then config.json, then the environment, then flags;
// unknown and invalid settings refused with the path; the versioned file and its migration hook.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSettings, SETTINGS_MIGRATIONS, SettingsError } from "../../firmware/config/load-settings.js";

describe("settings", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-config-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const configIn = async (name: string, document: unknown) => {
    const dataDir = join(dir, name);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, "config.json"), typeof document === "string" ? document : JSON.stringify(document));
    return dataDir;
  };
  const refusal = async (flags: Parameters<typeof loadSettings>[0], env = {}) => {
    try {
      await loadSettings(flags, env);
    } catch (error) {
      assert.ok(error instanceof SettingsError, String(error));
      return error.message;
    }
    assert.fail("the settings were accepted");
  };

  it("takes every default when there is no config file", async () => {
    const loaded = await loadSettings({ data: join(dir, "empty") }, {});
    assert.equal(loaded.configFile, null);
    assert.equal(loaded.settings.dataDir, join(dir, "empty"));
    assert.equal(loaded.settings.server.port, 8080);
    assert.equal(loaded.settings.server.host, "0.0.0.0");
    assert.equal(loaded.settings.audio.backend, "auto");
    assert.equal(loaded.settings.audio.periodFrames, 128);
    assert.equal(loaded.settings.budget.maxModelLoadPercent, 60);
    assert.equal(loaded.settings.controls.footswitches.layout, "3-switch");
    assert.equal(loaded.uvThreadpoolSize, 4);
  });

  it("reads the config file, then the environment, then the flags", async () => {
    const dataDir = await configIn("layered", { server: { port: 9000, host: "127.0.0.1" }, audio: { periodFrames: 64, backend: "naudiodon" } });
    const fromFile = await loadSettings({}, { NAMSTOMP_DATA_DIR: dataDir, UV_THREADPOOL_SIZE: "8", NOTIFY_SOCKET: "/run/systemd/notify" });
    assert.equal(fromFile.configFile, join(dataDir, "config.json"));
    assert.equal(fromFile.settings.dataDir, dataDir);
    assert.equal(fromFile.settings.server.port, 9000);
    assert.equal(fromFile.settings.audio.periodFrames, 64);
    assert.equal(fromFile.uvThreadpoolSize, 8);
    assert.equal(fromFile.systemd.NOTIFY_SOCKET, "/run/systemd/notify");

    const flagged = await loadSettings({ data: dataDir, port: 9100, audio: "virtual" }, {});
    assert.equal(flagged.settings.server.port, 9100);
    assert.equal(flagged.settings.server.host, "127.0.0.1");
    assert.equal(flagged.settings.audio.backend, "virtual");

    const elsewhere = await loadSettings({ config: join(dataDir, "config.json"), data: join(dir, "other") }, {});
    assert.equal(elsewhere.settings.server.port, 9000);
    assert.equal(elsewhere.settings.dataDir, join(dir, "other"));
  });

  it("refuses unknown and invalid settings, naming them", async () => {
    const unknown = await configIn("unknown", { audio: { perodFrames: 64 } });
    assert.equal(await refusal({ data: unknown }), `${join(unknown, "config.json")}: /audio/perodFrames: unknown setting`);
    const invalid = await configIn("invalid", { audio: { periodFrames: 100 }, budget: { maxModelLoadPercent: 120 } });
    const message = await refusal({ data: invalid });
    assert.match(message, /\/audio\/periodFrames: must be one of 64, 128, 256, got 100/);
    const gpio = await configIn("gpio", { controls: { footswitches: { switches: [{ gpio: 17 }, { gpio: 17 }] } } });
    assert.match(await refusal({ data: gpio }), /\/controls\/footswitches\/switches\/1\/gpio: GPIO17 is already used/);
    const notJson = await configIn("not-json", "{ port: 1 ");
    assert.match(await refusal({ data: notJson }), /config\.json: not valid JSON/);
    assert.match(await refusal({ config: join(dir, "missing.json") }), /missing\.json: the config file does not exist/);
    assert.match(await refusal({ port: 70000 }), /^--port: must be an integer from 0 to 65535/);
    const newer = await configIn("newer", { version: 2 });
    assert.match(await refusal({ data: newer }), /version 2 was written by a newer firmware/);
  });

  it("migrates an older file through the hook, keeping a backup", async () => {
    const dataDir = await configIn("old", { version: 0, httpPort: 8181 });
    SETTINGS_MIGRATIONS[0] = ({ httpPort, ...rest }) => ({ ...rest, version: 1, server: { port: httpPort } });
    try {
      const loaded = await loadSettings({ data: dataDir }, {});
      assert.equal(loaded.migratedFromVersion, 0);
      assert.equal(loaded.settings.server.port, 8181);
      assert.deepEqual(JSON.parse(await readFile(join(dataDir, "config.json"), "utf8")), { version: 1, server: { port: 8181 } });
      assert.deepEqual((await readdir(dataDir)).sort(), ["config.json", "config.json.v0.bak"]);
    } finally {
      delete SETTINGS_MIGRATIONS[0];
    }
  });
});
