// Runs every compiled test file under dist/test with node:test.
// Node 20's runner has no glob support, so the file list is built here; zero files is a failure.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = "dist/test";
const filter = process.argv.slice(2);

function collect(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    else if (name.endsWith(".test.js")) files.push(path);
  }
  return files;
}

let files = collect(root);
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error(`run-tests: no test files found under ${root}${filter.length ? ` matching ${filter.join(", ")}` : ""}`);
  process.exit(1);
}
console.error(`run-tests: ${files.length} test files`);
const result = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
