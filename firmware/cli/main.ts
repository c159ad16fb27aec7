#!/usr/bin/env node
// The `namstomp` command. Exit codes: 0 ok, 1 internal error, 2 bad input (files, options).
import { Command } from "commander";
import { registerBench } from "./bench/bench-command.js";
import { reportError } from "./cli-errors.js";
import { registerInspect } from "./inspect.js";
import { findPackageRoot } from "./package-root.js";
import { registerRender } from "./render.js";
import { registerStart } from "./start.js";
import { registerHashPin } from "../security/hash-pin-command.js";

const program = new Command("namstomp")
  .description("Neural Amp Modeler guitar pedal firmware for the Raspberry Pi")
  .version(findPackageRoot().version)
  // Throw instead of exiting, so every failure goes through reportError's exit codes.
  .exitOverride();
registerInspect(program);
registerRender(program);
registerBench(program);
registerStart(program);
registerHashPin(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
