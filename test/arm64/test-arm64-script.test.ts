// scripts/test-arm64.sh itself (runs everywhere, no emulation needed): shellcheck, bash -n, and its
// options.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const SCRIPT = join(repoRoot, "scripts", "test-arm64.sh");
const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("test-arm64.sh", () => {
  it("passes shellcheck", { skip: shellcheck ? false : "shellcheck is not installed (Debian package shellcheck)" }, () => {
    const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it("parses with bash -n", () => {
    const result = spawnSync("bash", ["-n", SCRIPT], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
  });

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
