// scripts/test-arm64.sh itself (runs everywhere, no emulation needed): its options. Lint:
// test/scripts/shell-scripts.test.ts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const SCRIPT = join(repoRoot, "scripts", "test-arm64.sh");

describe("test-arm64.sh", () => {
  it("prints its usage with --help and refuses unknown options before doing anything", () => {
    const help = spawnSync("bash", [SCRIPT, "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: scripts\/test-arm64\.sh \[--full\] \[--cpu MODEL\]/);
    const unknown = spawnSync("bash", [SCRIPT, "--frobnicate"], { encoding: "utf8" });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown option --frobnicate/);
    const noModel = spawnSync("bash", [SCRIPT, "--cpu"], { encoding: "utf8" });
    assert.equal(noModel.status, 1);
    assert.match(noModel.stderr, /--cpu needs a model/);
  });
});
