// systemd/namstomp.service and namstomp-cpu-performance.service: the settings the appliance relies
// on, agreement with the installer, the package's bin and the engine; systemd-analyze verify.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultEngineOptions } from "../../firmware/engine/engine.js";
import { DEFAULT_AUDIO_RT_PRIORITY } from "../../firmware/system/realtime.js";
import { repoRoot } from "../helpers/paths.js";

type Unit = Map<string, Map<string, string[]>>;

/** Sections → keys → values in order (a key may repeat; an empty assignment resets it, as in systemd). */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | null = null;
  for (const raw of text.replace(/\\\n/g, " ").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const assignment = /^([A-Za-z0-9]+)=(.*)$/.exec(line);
    assert.ok(section && assignment, `not a unit-file line: ${line}`);
    const [, key, value] = assignment;
    section.set(key!, value === "" ? [] : [...(section.get(key!) ?? []), value!]);
  }
  return unit;
}

function readUnit(name: string): { text: string; unit: Unit } {
  const text = readFileSync(join(repoRoot, "systemd", name), "utf8");
  return { text, unit: parseUnit(text) };
}

function one(unit: Unit, section: string, key: string): string {
  const values = unit.get(section)?.get(key);
  assert.ok(values && values.length === 1, `[${section}] ${key}= set once (got ${JSON.stringify(values)})`);
  return values[0]!;
}

/** A systemd time span ("10", "10s", "1min", "500ms") in seconds. */
function seconds(span: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|min|m)?$/.exec(span);
  assert.ok(match, `a time span: ${span}`);
  const scale = { ms: 0.001, s: 1, sec: 1, min: 60, m: 60 }[match[2] ?? "s"]!;
  return Number(match[1]) * scale;
}

/** `readonly NAME=value` from scripts/install-pi.sh. */
function installerConstant(name: string): string {
  const script = readFileSync(join(repoRoot, "scripts", "install-pi.sh"), "utf8");
  const match = new RegExp(`^readonly ${name}=(\\S+)$`, "m").exec(script);
  assert.ok(match, `install-pi.sh sets ${name}`);
  return match[1]!;
}

describe("namstomp.service", () => {
  const { unit } = readUnit("namstomp.service");

  it("is a notify service that systemd restarts always, watchdog included", () => {
    assert.equal(one(unit, "Service", "Type"), "notify");
    assert.equal(one(unit, "Service", "NotifyAccess"), "all");
    assert.equal(one(unit, "Service", "Restart"), "always");
    assert.equal(one(unit, "Unit", "StartLimitIntervalSec"), "0");
    const watchdog = seconds(one(unit, "Service", "WatchdogSec"));
    // The daemon pings every WatchdogSec/2 while the heartbeat moves; the engine's own stall
    // recovery (stallTimeoutMs) must get a chance first.
    assert.ok(watchdog * 1000 / 2 > 2 * defaultEngineOptions.stallTimeoutMs, `WatchdogSec=${watchdog}`);
    assert.ok(seconds(one(unit, "Service", "TimeoutStartSec")) > watchdog);
  });

  it("stops gracefully on SIGTERM to the daemon alone", () => {
    assert.equal(one(unit, "Service", "KillSignal"), "SIGTERM");
    assert.equal(one(unit, "Service", "KillMode"), "mixed");
    assert.ok(seconds(one(unit, "Service", "TimeoutStopSec")) >= 5);
  });

  it("allows real-time scheduling for the audio thread and locked memory, without making the process real-time", () => {
    assert.ok(Number(one(unit, "Service", "LimitRTPRIO")) > DEFAULT_AUDIO_RT_PRIORITY);
    assert.equal(one(unit, "Service", "LimitMEMLOCK"), "infinity");
    assert.match(one(unit, "Service", "LimitRTTIME"), /^\d+m?s:\d+m?s$/);
    assert.equal(unit.get("Service")!.has("CPUSchedulingPolicy"), false);
  });

  it("runs the package's bin from the installed app, as the service user, on the installer's paths", () => {
    const appDir = installerConstant("APP_DIR");
    const dataDir = installerConstant("DATA_DIR");
    const user = installerConstant("SERVICE_USER");
    const node = installerConstant("DEFAULT_NODE");
    const bin = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { bin: Record<string, string> }).bin.namstomp!;
    assert.equal(one(unit, "Service", "ExecStart"), `${node} ${appDir}/${bin} start`);
    assert.ok(existsSync(join(repoRoot, bin)), `${bin} is built`);
    assert.equal(one(unit, "Service", "User"), user);
    assert.equal(one(unit, "Service", "Group"), user);
    assert.equal(one(unit, "Service", "WorkingDirectory"), dataDir);
    assert.equal(one(unit, "Service", "ReadWritePaths"), dataDir);
    assert.deepEqual(unit.get("Service")!.get("Environment"), [
      "NODE_ENV=production", `NAMSTOMP_DATA_DIR=${dataDir}`, "UV_THREADPOOL_SIZE=8",
    ]);
    assert.equal(one(unit, "Service", "EnvironmentFile"), "-/etc/default/namstomp");
    assert.equal(one(unit, "Install", "WantedBy"), "multi-user.target");
  });

  it("pulls in the CPU governor unit before it", () => {
    assert.match(one(unit, "Unit", "Wants"), /\bnamstomp-cpu-performance\.service\b/);
    assert.match(one(unit, "Unit", "After"), /\bnamstomp-cpu-performance\.service\b/);
  });
});

describe("namstomp-cpu-performance.service", () => {
  const { unit } = readUnit("namstomp-cpu-performance.service");

  it("sets the performance governor on every cpufreq policy, after raspi-config and before namstomp", () => {
    assert.equal(one(unit, "Service", "Type"), "oneshot");
    assert.equal(one(unit, "Service", "RemainAfterExit"), "yes");
    assert.equal(one(unit, "Unit", "After"), "raspi-config.service");
    assert.equal(one(unit, "Unit", "Before"), "namstomp.service");
    const exec = one(unit, "Service", "ExecStart");
    assert.match(exec, /\/sys\/devices\/system\/cpu\/cpufreq\/policy\*\/scaling_governor/);
    assert.match(exec, /echo performance > "\$\$governor"/, "the shell's $ escaped from systemd as $$");
  });

  it("runs its shell loop as written (once systemd has turned $$ into $)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "namstomp-governor-"));
    try {
      const files = [join(dir, "policy0-scaling_governor"), join(dir, "policy4-scaling_governor")];
      for (const file of files) await writeFile(file, "ondemand\n");
      const exec = one(unit, "Service", "ExecStart")
        .replace(/\$\$/g, "$")
        .replace("/sys/devices/system/cpu/cpufreq/policy*/scaling_governor", `${dir}/policy*-scaling_governor`);
      const script = /^\/bin\/sh -c '(.*)'$/.exec(exec)?.[1];
      assert.ok(script, exec);
      const result = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      for (const file of files) assert.equal(readFileSync(file, "utf8"), "performance\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("systemd-analyze verify", () => {
  const available = spawnSync("systemd-analyze", ["--version"]).status === 0;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-units-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts both units", { skip: available ? false : "systemd-analyze is not installed (Debian package systemd)" }, async () => {
    const names = ["namstomp.service", "namstomp-cpu-performance.service"];
    for (const name of names) {
      // verify checks that ExecStart's program exists: point it at this machine's node.
      const text = readFileSync(join(repoRoot, "systemd", name), "utf8").replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `);
      await writeFile(join(dir, name), text);
    }
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", ...names.map((name) => join(dir, name))], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const ours = result.stderr.split("\n").filter((line) => line.includes(dir));
    assert.deepEqual(ours, [], "no warnings about our units");
  });
});
