// Runs the compiled `namstomp` command as a child process, as a user would.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers/paths.js";

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const cliPath = join(repoRoot, "dist", "firmware", "cli", "main.js");

export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ exitCode, stdout, stderr });
    });
  });
}
