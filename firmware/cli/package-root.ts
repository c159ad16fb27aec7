// Finds the namstomp package directory from a module's location, so the CLI works from `dist/`
// and from any current directory.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PackageRoot {
  directory: string;
  version: string;
}

export function findPackageRoot(moduleUrl: string = import.meta.url): PackageRoot {
  let directory = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    const manifest = readPackageManifest(join(directory, "package.json"));
    if (manifest?.name === "namstomp") return { directory, version: manifest.version ?? "0.0.0" };
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json named "namstomp" above ${fileURLToPath(moduleUrl)}`);
    directory = parent;
  }
}

/** Where the shared NAM reference set lives in the development checkout (it is not shipped). */
export function sharedReferenceDirectory(root: PackageRoot = findPackageRoot()): string {
  return join(root.directory, "..", "shared", "nam-reference");
}

function readPackageManifest(path: string): { name?: string; version?: string } | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
  } catch {
    return null;
  }
}
