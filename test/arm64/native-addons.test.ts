// The native addons, built for arm64 as the Pi builds them, load in the emulated arm64 Node and
// work as far as this machine allows: naudiodon linked to the system PortAudio with its ALSA host
// API (no sound card here: no stream is opened), rpio (Pi 4 GPIO; its registers need the Pi, so it
// runs its mock board), unix-dgram (systemd notify) round-tripping a datagram. The GPIO backends'
// tests, the Pi 5's gpiod path included, pass on arm64.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { arm64Skip, describeRun, distModuleUrl, emulation, probeOnArm64, RESULT_MARKER, runTestFileOnArm64 } from "./emulator.js";

const TEST_FILE_TIMEOUT_MS = 5 * 60_000;
const report = `(result) => console.log(${JSON.stringify(RESULT_MARKER)} + JSON.stringify(result))`;
/** Shared objects mapped into the probe process (QEMU shows the guest's own mappings). */
const mappedFiles = `() => [...new Set(readFileSync("/proc/self/maps", "utf8").split("\\n").map((line) => line.split(/\\s+/)[5]).filter((path) => path && path.includes(".so") || path?.endsWith(".node")))]`;

test("naudiodon loads on arm64, linked to the arm64 system PortAudio, and lists the ALSA host API", { skip: arm64Skip }, async () => {
  const result = await probeOnArm64<{ hostApis: string[]; devices: number; files: string[] }>(`
    import { readFileSync } from "node:fs";
    const { loadNaudiodon } = await import(${JSON.stringify(distModuleUrl("firmware", "engine", "backends", "naudiodon-addon.js"))});
    const addon = await loadNaudiodon();
    const hostApis = addon.getHostAPIs().HostAPIs.map((api) => api.name);
    const devices = addon.getDevices().length;
    (${report})({ hostApis, devices, files: (${mappedFiles})() });`);
  assert.ok(result.hostApis.includes("ALSA"), `host APIs: ${result.hostApis.join(", ")}`);
  assert.ok(result.files.some((file) => file === join(emulation!.addons, "naudiodon", "build", "Release", "naudiodon.node")), result.files.join("\n"));
  assert.ok(result.files.some((file) => /^\/usr\/lib\/aarch64-linux-gnu\/libportaudio\.so\.2/.test(file)), result.files.join("\n"));
});

test("rpio loads on arm64 and drives its mock Pi 4 board", { skip: arm64Skip }, async () => {
  const result = await probeOnArm64<{ levels: number[]; files: string[] }>(`
    import { readFileSync } from "node:fs";
    const { loadRpio } = await import(${JSON.stringify(distModuleUrl("firmware", "controls", "rpio-backend.js"))});
    const rpio = await loadRpio();
    rpio.init({ gpiomem: true, mapping: "gpio", close_on_exit: false, mock: "raspi-4" });
    rpio.open(17, rpio.OUTPUT, rpio.HIGH);
    const levels = [rpio.read(17)];
    rpio.write(17, rpio.LOW);
    levels.push(rpio.read(17));
    (${report})({ levels, files: (${mappedFiles})() });`);
  assert.deepEqual(result.levels, [1, 0]);
  assert.ok(result.files.includes(join(emulation!.addons, "rpio", "build", "Release", "rpio.node")), result.files.join("\n"));
});

test("unix-dgram (the systemd notify transport) sends a datagram on arm64", { skip: arm64Skip }, async () => {
  const result = await probeOnArm64<{ received: string }>(`
    import { mkdtempSync, rmSync } from "node:fs";
    import { tmpdir } from "node:os";
    import { join } from "node:path";
    const unixDgram = (await import("unix-dgram")).default;
    const dir = mkdtempSync(join(tmpdir(), "namstomp-arm64-dgram-"));
    const path = join(dir, "notify.sock");
    const server = unixDgram.createSocket("unix_dgram");
    server.bind(path);
    const received = new Promise((resolve) => server.on("message", (message) => resolve(message.toString())));
    const client = unixDgram.createSocket("unix_dgram");
    const message = Buffer.from("READY=1");
    client.send(message, 0, message.length, path);
    const text = await received;
    client.close();
    server.close();
    rmSync(dir, { recursive: true });
    (${report})({ received: text });`);
  assert.equal(result.received, "READY=1");
});

for (const file of ["board", "gpiod-backend", "rpio-backend"].map((name) => join("controls", `${name}.test.js`))) {
  test(`${file} passes on arm64`, { skip: arm64Skip }, async () => {
    const result = await runTestFileOnArm64(file, [], TEST_FILE_TIMEOUT_MS);
    assert.equal(result.run.exitCode, 0, describeRun(result.run));
    assert.ok(result.pass > 0 && result.fail === 0, describeRun(result.run));
  });
}
