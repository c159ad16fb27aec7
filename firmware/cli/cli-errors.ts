// Exit codes and the one place that turns an error into a stderr line.
import { CommanderError } from "commander";
import { NamFileError } from "../nam/index.js";
import { WavFileError } from "../util/wav.js";
import { IrFileError } from "../ir/prepare.js";

export const ExitCode = {
  ok: 0,
  internal: 1,
  badInput: 2,
} as const;

/** Something wrong with what the user passed (a file, a value): reported in one line, exit code 2. */
export class CliInputError extends Error {
  override readonly name = "CliInputError";
}

/** Writes the error to stderr and returns the process exit code for it. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  }
  if (error instanceof CliInputError || error instanceof NamFileError || error instanceof WavFileError || error instanceof IrFileError) {
    process.stderr.write(`error: ${error.message}\n`);
    return ExitCode.badInput;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`internal error: ${detail}\n`);
  return ExitCode.internal;
}
