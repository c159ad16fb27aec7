// Every shell script of the project (scripts/*.sh and CI's entry point .ci/run): shellcheck at
// style level and bash -n. New scripts are picked up by the directory listing.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

const scripts = [
  ...readdirSync(join(repoRoot, "scripts")).filter((name) => name.endsWith(".sh")).sort().map((name) => join("scripts", name)),
  join(".ci", "run"),
];
const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("shell scripts", () => {
  it("finds the scripts", () => {
    assert.ok(scripts.includes(join("scripts", "install-pi.sh")), scripts.join(", "));
  });

  for (const script of scripts) {
    it(`${script} passes shellcheck`, { skip: shellcheck ? false : "shellcheck is not installed (Debian package shellcheck)" }, () => {
      const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", script], { cwd: repoRoot, encoding: "utf8" });
      assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    it(`${script} parses with bash -n`, () => {
      const result = spawnSync("bash", ["-n", script], { cwd: repoRoot, encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
    });
  }
});
