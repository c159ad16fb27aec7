// Builds the phone page into dist/web-ui: type-checks web-ui/src (it may import only the shared
// API contract from firmware/), bundles it with esbuild into one ES module, and copies the HTML
// and CSS. No CDN, no runtime dependencies: the pedal serves everything itself.
import { spawnSync } from "node:child_process";
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dist", "web-ui");

const typecheck = spawnSync(process.execPath, [join(here, "..", "node_modules", "typescript", "bin", "tsc"), "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
if (typecheck.status !== 0) process.exit(typecheck.status ?? 1);

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outfile: join(out, "app.js"),
  metafile: true,
  logLevel: "warning",
});
await copyFile(join(here, "index.html"), join(out, "index.html"));
await copyFile(join(here, "app.css"), join(out, "app.css"));
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`web-ui: dist/web-ui/app.js ${(bytes / 1024).toFixed(1)} kB`);
