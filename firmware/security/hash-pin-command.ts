// `namstomp hash-pin`: prints the hash of an admin PIN for the config file's security.pinHash
// (installers that set the PIN instead of leaving first-use setup open). The PIN is read from
// stdin — typed without echo on a terminal, or piped — never from argv, which `ps` shows.

import type { Command } from "commander";
import { CliInputError } from "../cli/cli-errors.js";
import { pinProblem } from "./auth-contract.js";
import { hashPin } from "./pin-hash.js";

export function registerHashPin(program: Command): void {
  program
    .command("hash-pin")
    .description("read an admin PIN from stdin and print its salted scrypt hash for security.pinHash in config.json")
    .action(async () => {
      const pin = process.stdin.isTTY ? await readHidden("admin PIN: ") : await readPiped();
      const problem = pinProblem(pin);
      if (problem !== null) throw new CliInputError(problem);
      process.stdout.write(`${await hashPin(pin)}\n`);
    });
}

async function readPiped(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

function readHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  let typed = "";
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (text: string) => {
      for (const character of text) {
        if (character === "\r" || character === "\n") return finish(null);
        if (character === "\u0003") return finish(new CliInputError("cancelled"));
        if (character === "\u007f") typed = typed.slice(0, -1);
        else typed += character;
      }
    };
    stdin.on("data", onData);
  });
}
