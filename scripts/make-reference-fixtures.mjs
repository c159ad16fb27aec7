// Copies a small, redistributable subset of ../shared/nam-reference into test/fixtures/reference
// so a plain clone can check the DSP against the official core. Only MIT-licensed or generated
// models are taken. Signals and outputs are cut to their first FRAMES samples: the models are
// causal, so output[i] depends on input[0..i] only and the cut outputs stay exact references.
// Usage: node scripts/make-reference-fixtures.mjs
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FRAMES = 24000;
const source = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..", "shared", "nam-reference");
const target = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "test", "fixtures", "reference");
const manifest = JSON.parse(readFileSync(join(source, "manifest.json"), "utf8"));

const redistributable = (m) => /^MIT|generated/i.test(m.source.license);
const models = manifest.models.filter(redistributable);
const modelFiles = new Set(models.map((m) => m.file));
const wanted = (c) => modelFiles.has(c.model_file)
  && (c.input_file.includes("guitar_di_a") || c.group === "no-prewarm" || c.input_file.includes("impulse"));
const cases = manifest.cases.filter(wanted);

for (const dir of ["models", "signals", "outputs"]) mkdirSync(join(target, dir), { recursive: true });
const cut = (from, to) => {
  const bytes = readFileSync(join(source, from));
  writeFileSync(join(target, to), bytes.subarray(0, Math.min(bytes.length, FRAMES * 4)));
};
for (const m of models) copyFileSync(join(source, m.file), join(target, m.file));
for (const file of new Set(cases.map((c) => c.input_file))) cut(file, file);
for (const c of cases) cut(c.output_file, c.output_file);

const trimmed = {
  about: `Subset of ../shared/nam-reference (official NeuralAmpModelerCore outputs), MIT/generated models only, signals cut to ${FRAMES} samples.`,
  generator: manifest.generator,
  models: models.map(({ id, file, architecture, preset, n_weights_top_level, source: src }) =>
    ({ id, file, architecture, preset, n_weights_top_level, source: src })),
  cases: cases.map((c) => ({ ...c, samples: Math.min(c.samples, FRAMES) })),
};
writeFileSync(join(target, "manifest.json"), JSON.stringify(trimmed, null, 2) + "\n");
console.log(`${models.length} models, ${cases.length} cases written to ${target}`);
