// Option values shared by several subcommands, validated when commander parses them.
import { InvalidArgumentError, Option } from "commander";
import type { TanhMode } from "../dsp/contract.js";

const DEFAULT_BLOCK_FRAMES = 128;
/** Largest block the CLI accepts; well above any audio-interface period. */
const MAX_BLOCK_FRAMES = 8192;

export function blockFramesOption(): Option {
  return new Option("--block <frames>", `frames per process() call, 1..${MAX_BLOCK_FRAMES}`)
    .argParser(parseBlockFrames)
    .default(DEFAULT_BLOCK_FRAMES);
}

export function tanhOption(): Option {
  const modes: TanhMode[] = ["fast", "exact"];
  return new Option("--tanh <mode>", "tanh flavour: fast (the NAM plugin's) or exact (the core library default)")
    .choices(modes)
    .default("fast" satisfies TanhMode);
}

/** The NAM plugin's "Slim" knob: 0 = narrowest width / first submodel, 1 = full. Absent = the core's default (full). */
export function slimOption(): Option {
  return new Option("--slim <ratio>", "slim ratio 0..1 for slimmable (A2) models; default: full width")
    .argParser(parseSlimRatio);
}

function parseSlimRatio(text: string): number {
  const ratio = Number(text);
  if (text.trim() === "" || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new InvalidArgumentError("Must be a number from 0 to 1.");
  }
  return ratio;
}

function parseBlockFrames(text: string): number {
  const frames = Number(text);
  if (!Number.isInteger(frames) || frames < 1 || frames > MAX_BLOCK_FRAMES) {
    throw new InvalidArgumentError(`Must be an integer from 1 to ${MAX_BLOCK_FRAMES}.`);
  }
  return frames;
}

export function parsePositiveSeconds(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError("Must be a positive number of seconds.");
  return seconds;
}
