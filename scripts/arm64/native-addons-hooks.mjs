// Module resolution hooks registered by native-addons.mjs (they run on Node's loader thread).
import { pathToFileURL } from "node:url";

/** The optional dependencies with native code (naudiodon brings segfault-handler along). */
const NATIVE_PACKAGES = new Set(["naudiodon", "rpio", "unix-dgram"]);
let addonParentUrl = "";

export function initialize({ addonDir }) {
  // Resolving from a file inside the arm64 node_modules' parent finds that node_modules first.
  addonParentUrl = pathToFileURL(`${addonDir}/../resolve-from.js`).href;
}

export function resolve(specifier, context, nextResolve) {
  if (NATIVE_PACKAGES.has(specifier)) return nextResolve(specifier, { ...context, parentURL: addonParentUrl });
  return nextResolve(specifier, context);
}
