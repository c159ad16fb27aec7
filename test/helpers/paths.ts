// Locations tests need, found from this file so tests run from any directory (source or dist/).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifestPath = join(directory, "package.json");
    if (existsSync(manifestPath) && (JSON.parse(readFileSync(manifestPath, "utf8")) as { name?: string }).name === "namstomp") {
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('no package.json named "namstomp" above the test helpers');
    directory = parent;
  }
}

/** The repository checkout (holds package.json, dist/, test/fixtures/). */
export const repoRoot = findRepoRoot();

/** Committed test data (small models, WAVs, a reference subset). */
export const fixtures = join(repoRoot, "test", "fixtures");

/** The shared NAM reference set (models, signals, NAM core outputs); may be absent. */
export const sharedReference = join(repoRoot, "..", "shared", "nam-reference");

export const hasSharedReference = existsSync(join(sharedReference, "manifest.json"));
