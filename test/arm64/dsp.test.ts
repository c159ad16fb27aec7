// The WASM DSP on V8's arm64 backend: the reference tests (plain SIMD), the relaxed-SIMD tests
// (fused multiply-add on ARM) and the chain blocks' tests run inside the emulated arm64 Node. For
// CI, one reference case per model (its guitar DI at block 128, exact tanh: every model kind, A1
// presets, LSTM, A2) and the quick chain tests; with `npm run test:arm64 -- --full`, every case of
// ../shared/nam-reference and every chain DSP and tuner test (the convolver and resampler get
// their arm64 check in CI from the chain render, render-parity.test.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fixtures, hasSharedReference, sharedReference } from "../helpers/paths.js";
import { readManifest } from "../dsp/reference-cases.js";
import { arm64Skip, describeRun, emulation, runTestFileOnArm64 } from "./emulator.js";

const ONE_CASE_PER_MODEL = "__guitar_di_a__b128__exacttanh$";
const full = emulation?.referenceCases === "all";
/** Generous: the whole reference set takes about 5 minutes on one emulated CPU. */
const TIMEOUT_MS = 30 * 60_000;

/** Reference test names ("fixtures: id", "shared: id") that the run must pass or skip as unsupported. */
async function selectedReferenceTests(): Promise<string[]> {
  const sets: [string, string][] = [["fixtures", join(fixtures, "reference")]];
  if (hasSharedReference) sets.push(["shared", sharedReference]);
  const names: string[] = [];
  for (const [label, dir] of sets) {
    for (const c of (await readManifest(dir)).cases) {
      if (full || new RegExp(ONE_CASE_PER_MODEL).test(c.id)) names.push(`${label}: ${c.id}`);
    }
  }
  return names;
}

test("the reference cases pass on arm64 (WASM SIMD128)", { skip: arm64Skip }, async (t) => {
  const result = await runTestFileOnArm64(join("dsp", "reference.test.js"), full ? [] : [ONE_CASE_PER_MODEL], TIMEOUT_MS);
  assert.equal(result.run.exitCode, 0, describeRun(result.run));
  const selected = await selectedReferenceTests();
  const notRun = selected.filter((name) => {
    const outcome = result.tests.get(name);
    return outcome !== "pass" && !outcome?.startsWith("not supported yet");
  });
  assert.deepEqual(notRun, [], `selected reference cases that did not pass:\n${describeRun(result.run)}`);
  t.diagnostic(`${emulation!.cpu}: ${result.pass} reference cases passed (${hasSharedReference ? "fixtures and shared set" : "fixtures only: ../shared/nam-reference is not present"})`);
});

test("the relaxed-SIMD build passes its reference cases on arm64", { skip: arm64Skip }, async (t) => {
  const patterns = full ? [] : [ONE_CASE_PER_MODEL, "^the relaxed-SIMD variant is the one loaded$"];
  const result = await runTestFileOnArm64(join("dsp", "relaxed-simd.test.js"), patterns, TIMEOUT_MS);
  assert.equal(result.run.exitCode, 0, describeRun(result.run));
  assert.equal(result.tests.get("the relaxed-SIMD variant is the one loaded"), "pass", describeRun(result.run));
  const cases = [...result.tests].filter(([name, outcome]) => name.startsWith("relaxed-simd fixtures: ") && outcome === "pass");
  assert.ok(cases.length > 0, `no relaxed-SIMD reference case ran:\n${describeRun(result.run)}`);
  t.diagnostic(`${emulation!.cpu}: ${cases.length} relaxed-SIMD cases passed`);
});

/** Each takes a few seconds emulated; the others (convolver, resampler, tuner) minutes together. */
const QUICK_TEST_FILES = ["levels", "noise-gate", "tone-eq"].map((name) => join("dsp", "chain", `${name}.test.js`));
const SLOW_TEST_FILES = [join("dsp", "chain", "convolver.test.js"), join("dsp", "chain", "resampler.test.js"), join("dsp", "tuner.test.js")];
for (const file of [...QUICK_TEST_FILES, ...SLOW_TEST_FILES]) {
  const skip = arm64Skip || (full || QUICK_TEST_FILES.includes(file) ? false : "runs with --full only");
  test(`${file} passes on arm64`, { skip }, async () => {
    const result = await runTestFileOnArm64(file, [], TIMEOUT_MS);
    assert.equal(result.run.exitCode, 0, describeRun(result.run));
    assert.ok(result.pass > 0 && result.fail === 0, describeRun(result.run));
  });
}
