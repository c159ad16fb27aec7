// The emulated machine is the one the pedal runs on: Node of this version for arm64, on the CPU
// model of a Pi 4 (cortex-a72) or Pi 5 (cortex-a76) rather than QEMU's default, which has
// features no Pi has. The CPU's features are read from the kernel's (QEMU's) auxiliary vector.

import { test } from "node:test";
import assert from "node:assert/strict";
import { arm64Skip, emulation, probeOnArm64, RESULT_MARKER } from "./emulator.js";

/** Linux arm64 AT_HWCAP bits (arch/arm64/include/uapi/asm/hwcap.h). */
const HWCAP = { asimd: 1, atomics: 8, asimddp: 20, sve: 22 } as const;

/** What each Pi's CPU has: Cortex-A72 is ARMv8.0-A, Cortex-A76 ARMv8.2-A (LSE atomics, dot product); neither has SVE. */
const PI_CPUS: Record<string, Record<keyof typeof HWCAP, boolean>> = {
  "cortex-a72": { asimd: true, atomics: false, asimddp: false, sve: false },
  "cortex-a76": { asimd: true, atomics: true, asimddp: true, sve: false },
};

interface MachineReport {
  arch: string;
  version: string;
  hwcap: string;
}

const probe = `
  import { readFileSync } from "node:fs";
  const auxv = readFileSync("/proc/self/auxv");
  let hwcap = 0n;
  for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
    if (auxv.readBigUInt64LE(offset) === 16n) hwcap = auxv.readBigUInt64LE(offset + 8);
  }
  console.log(${JSON.stringify(RESULT_MARKER)} + JSON.stringify({ arch: process.arch, version: process.version, hwcap: hwcap.toString() }));`;

test("the emulated Node is arm64, of this Node's version", { skip: arm64Skip }, async () => {
  const report = await probeOnArm64<MachineReport>(probe);
  assert.equal(report.arch, "arm64");
  assert.equal(report.version, process.version);
});

test("the emulated CPU is the Pi's named by QEMU_CPU", { skip: arm64Skip }, async (t) => {
  const expected = PI_CPUS[emulation!.cpu];
  assert.ok(expected, `QEMU_CPU=${emulation!.cpu} is not a Raspberry Pi 4/5 CPU (${Object.keys(PI_CPUS).join(", ")})`);
  const hwcap = BigInt((await probeOnArm64<MachineReport>(probe)).hwcap);
  const has = Object.fromEntries(Object.entries(HWCAP).map(([name, bit]) => [name, ((hwcap >> BigInt(bit)) & 1n) === 1n]));
  t.diagnostic(`${emulation!.cpu}: AT_HWCAP 0x${hwcap.toString(16)}`);
  assert.deepEqual(has, expected);
});
