// Preloaded into the emulated arm64 Node (NODE_OPTIONS=--import=…) by the arm64 tests: the
// repository's node_modules hold x86-64 builds of the native addons, so imports of those packages
// resolve to the arm64 builds in NAMSTOMP_ARM64_ADDONS instead (scripts/test-arm64.sh makes them).
// Everything else resolves as usual. NODE_OPTIONS reaches worker threads and child processes too.
import { register } from "node:module";

const addonDir = process.env.NAMSTOMP_ARM64_ADDONS;
if (!addonDir) throw new Error("native-addons.mjs: NAMSTOMP_ARM64_ADDONS (the arm64 node_modules) is not set");
register("./native-addons-hooks.mjs", import.meta.url, { data: { addonDir } });
