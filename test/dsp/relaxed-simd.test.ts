// The relaxed-SIMD build (fused multiply-add where the CPU has it) against the official core's
// outputs. Node 20 validates relaxed SIMD only behind a V8 flag; this test process turns it on
// (node:test runs each file in its own process, so no other test sees the flag).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { fixtures } from "../helpers/paths.js";
import { readManifest, runCase, toleranceFor } from "./reference-cases.js";

setFlagsFromString("--experimental-wasm-relaxed-simd");
const dsp = await loadDsp({ variant: "relaxed-simd" });
const dir = join(fixtures, "reference");

test("the relaxed-SIMD variant is the one loaded", () => {
  assert.equal(dsp.variant, "relaxed-simd");
});

for (const c of (await readManifest(dir)).cases) {
  test(`relaxed-simd fixtures: ${c.id}`, async () => {
    assert.deepEqual(dsp.unsupportedFeatures(await loadNamFile(join(dir, c.model_file))), []);
    const result = await runCase(dsp, dir, c);
    const tolerance = toleranceFor(result.weights);
    assert.ok(result.maxAbsDiff <= tolerance,
      `max |diff| ${result.maxAbsDiff.toExponential(3)} at sample ${result.worstIndex} exceeds ${tolerance}`);
  });
}
