// `namstomp render` on arm64 gives this machine's output: each committed reference model alone,
// and the whole chain (gate, model resampled around a 44.1 kHz input, tone EQ, a stereo cab IR
// longer than the trim, levels, limiter), within the reference tolerance; then both again with
// the relaxed-SIMD build (Node 22's default; fused multiply-add on ARM, and on x86 CPUs with FMA).
// Compared as numbers, never as bits: NaN bit patterns differ between x86 and ARM.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadNamFile } from "../../firmware/nam/index.js";
import { readWavMono, writeWavFloat32 } from "../../firmware/util/wav.js";
import { fixtures } from "../helpers/paths.js";
import { writeStereoCabWav } from "../helpers/stereo-cab.js";
import { readF32, readManifest, toleranceFor } from "../dsp/reference-cases.js";
import { arm64Skip, cliPath, describeRun, emulation, runNode, type Machine } from "./emulator.js";

const RENDER_TIMEOUT_MS = 10 * 60_000;
const referenceDir = join(fixtures, "reference");
const referenceModels = (await readManifest(referenceDir)).models;

interface Difference {
  maxAbsDiff: number;
  worstIndex: number;
  differingSamples: number;
}

/** Largest |a − b|; NaN on both sides at a sample counts as equal, NaN on one side as infinitely far. */
function compareSamples(a: Float32Array, b: Float32Array): Difference {
  assert.equal(a.length, b.length, "output lengths differ");
  let maxAbsDiff = 0;
  let worstIndex = -1;
  let differingSamples = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const diff = Number.isNaN(x) || Number.isNaN(y) ? Infinity : Math.abs(x - y);
    if (diff > 0) differingSamples++;
    if (diff > maxAbsDiff) {
      maxAbsDiff = diff;
      worstIndex = i;
    }
  }
  return { maxAbsDiff, worstIndex, differingSamples };
}

describe("namstomp render: arm64 against x86-64", { skip: arm64Skip }, () => {
  let dir: string;
  let di48k: string;
  let di44k: string;
  let cab: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "namstomp-arm64-render-"));
    const di = await readF32(join(fixtures, "reference", "signals", "guitar_di_a.f32"));
    di48k = join(dir, "di-48k.wav");
    await writeWavFloat32(di48k, di, 48000);
    di44k = join(dir, "di-44k.wav");
    await writeWavFloat32(di44k, di, 44100);
    // 0.6 s: mixed, resampled, then trimmed to 500 ms with a fade.
    cab = join(dir, "cab.wav");
    await writeStereoCabWav(cab, 26460, 2000);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Renders on both machines (node started with nodeFlags) and returns both outputs. */
  async function renderOnBoth(name: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<Record<Machine, Float32Array>> {
    const outputs = {} as Record<Machine, Float32Array>;
    for (const machine of ["x86-64", "arm64"] as const) {
      const output = join(dir, `${name}-${machine}.wav`);
      const run = await runNode(machine, [...nodeFlags, cliPath, "render", ...args, "--output", output], RENDER_TIMEOUT_MS);
      assert.equal(run.exitCode, 0, `${machine}: ${describeRun(run)}`);
      outputs[machine] = (await readWavMono(output)).samples;
    }
    return outputs;
  }

  function assertClose(t: { diagnostic(message: string): void }, label: string, outputs: Record<Machine, Float32Array>, tolerance: number): void {
    const difference = compareSamples(outputs["x86-64"], outputs.arm64);
    t.diagnostic(`${emulation?.cpu} ${label}: max |x86-64 − arm64| ${difference.maxAbsDiff.toExponential(2)}, ` +
      `${difference.differingSamples} of ${outputs.arm64.length} samples differ`);
    assert.ok(difference.maxAbsDiff <= tolerance,
      `${label}: max |diff| ${difference.maxAbsDiff.toExponential(3)} at sample ${difference.worstIndex} exceeds ${tolerance}`);
  }

  for (const { id, file } of referenceModels) {
    it(`renders ${id} alone the same`, async (t) => {
      const model = join(referenceDir, file);
      const outputs = await renderOnBoth(id, ["--model", model, "--input", di48k]);
      assertClose(t, id, outputs, toleranceFor((await loadNamFile(model)).weights.length));
    });
  }

  const chainModel = join(referenceDir, "models", "standard_core_a1.nam");
  const chainArgs = () => ["--model", chainModel, "--input", di44k, "--ir", cab,
    "--trim-db", "3", "--gate-threshold-db", "-55", "--bass", "7", "--mid", "3", "--treble", "6", "--presence", "8", "--output-db", "-2"];
  const plainSimdChain = new Map<Machine, Float32Array>();

  it("renders the whole chain with a cab IR the same", async (t) => {
    const outputs = await renderOnBoth("chain", chainArgs());
    assertClose(t, "chain (standard_core_a1 + cab IR, 44.1 kHz)", outputs, toleranceFor((await loadNamFile(chainModel)).weights.length));
    for (const machine of ["x86-64", "arm64"] as const) plainSimdChain.set(machine, outputs[machine]);
  });

  it("renders the whole chain with the relaxed-SIMD build within the tolerance", async (t) => {
    const outputs = await renderOnBoth("chain-relaxed", chainArgs(), ["--experimental-wasm-relaxed-simd"]);
    assertClose(t, "chain, relaxed SIMD", outputs, toleranceFor((await loadNamFile(chainModel)).weights.length));
    // V8 turns relaxed_madd into a fused multiply-add on arm64, so a different output proves the
    // relaxed build ran there.
    const plain = plainSimdChain.get("arm64");
    assert.ok(plain, "the plain-SIMD chain render ran first");
    const fused = compareSamples(plain, outputs.arm64);
    t.diagnostic(`${emulation?.cpu} arm64 relaxed against plain SIMD: max ${fused.maxAbsDiff.toExponential(2)}, ${fused.differingSamples} samples differ`);
    assert.ok(fused.differingSamples > 0, "the relaxed-SIMD render equals the plain one on arm64: the relaxed build did not run");
  });
});
