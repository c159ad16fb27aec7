// The DSP core against the official core's outputs: every supported case of the shared reference
// set (when ../shared is present) and of the committed fixture set (always).

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadDsp } from "../../firmware/dsp/index.js";
import { loadNamFile } from "../../firmware/nam/load.js";
import { fixtures, hasSharedReference, sharedReference } from "../helpers/paths.js";
import { readManifest, runCase, toleranceFor } from "./reference-cases.js";

const dsp = await loadDsp({ variant: "simd" });

async function defineCases(dir: string, label: string): Promise<void> {
  const manifest = await readManifest(dir);
  for (const c of manifest.cases) {
    const model = await loadNamFile(join(dir, c.model_file));
    const missing = dsp.unsupportedFeatures(model);
    const skip = missing.length > 0 ? `not supported yet: ${missing.join(", ")}` : false;
    test(`${label}: ${c.id}`, { skip }, async () => {
      const result = await runCase(dsp, dir, c);
      const tolerance = toleranceFor(result.weights);
      assert.ok(result.maxAbsDiff <= tolerance,
        `max |diff| ${result.maxAbsDiff.toExponential(3)} at sample ${result.worstIndex} exceeds ${tolerance}`);
    });
  }
}

await defineCases(join(fixtures, "reference"), "fixtures");
if (hasSharedReference) await defineCases(sharedReference, "shared");
else test("shared reference set", { skip: "../shared/nam-reference is not present" }, () => {});
