// `namstomp render`: runs a WAV file offline through one model alone (like the core's process),
// or — with --ir or --chain — through the pedal's whole chain, by the same code the pedal runs.
import { readFile } from "node:fs/promises";
import { InvalidArgumentError, Option, type Command } from "commander";
import type { TanhMode } from "../dsp/contract.js";
import { loadDsp } from "../dsp/index.js";
import { describeModel, loadNamFile } from "../nam/index.js";
import { readWavMono, writeWavFloat32 } from "../util/wav.js";
import { renderChainOffline } from "../engine/offline.js";
import { defaultChainParams, mergeChainParams } from "../engine/params.js";
import type { ChainParams } from "../engine/api.js";
import { readIrFile, type StereoIrHandling } from "../ir/prepare.js";
import { processInBlocks } from "./block-processing.js";
import { CliInputError } from "./cli-errors.js";
import { modelSampleRate } from "./model-sample-rate.js";
import { blockFramesOption, slimOption, tanhOption } from "./options.js";

interface RenderOptions {
  model: string;
  input: string;
  output: string;
  block: number;
  tanh: TanhMode;
  prewarm: boolean;
  slim?: number;
  ir?: string;
  chain?: boolean;
  params?: string;
  trimDb?: number;
  outputDb?: number;
  gateThresholdDb?: number;
  gate: boolean;
  normalize: boolean;
  bass?: number;
  mid?: number;
  treble?: number;
  presence?: number;
  irMaxMs: number;
  irStereo: StereoIrHandling;
  bypass?: boolean;
}

function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new InvalidArgumentError("Must be a number.");
  return value;
}

export function registerRender(program: Command): void {
  program
    .command("render")
    .description("run a WAV file through a .nam model and write the result as a 32-bit float WAV")
    .requiredOption("--model <file>", "the .nam model")
    .requiredOption("--input <file>", "input WAV (16/24/32-bit PCM or 32-bit float; the first channel is used)")
    .requiredOption("--output <file>", "output WAV, written as mono 32-bit float at the input's rate")
    .addOption(blockFramesOption())
    .addOption(tanhOption())
    .addOption(new Option("--no-prewarm", "start from cleared state instead of the core's prewarm"))
    .addOption(slimOption())
    .option("--ir <file>", "cab IR WAV: renders the whole chain (mono/stereo, any rate)")
    .option("--chain", "render the whole pedal chain (gate, EQ, levels, DC blocker, limiter) even without --ir")
    .option("--params <file>", "JSON file with chain settings (any subset of a preset's settings)")
    .option("--trim-db <dB>", "chain: input trim", parseNumber)
    .option("--output-db <dB>", "chain: output level", parseNumber)
    .option("--gate-threshold-db <dB>", "chain: noise gate threshold (RMS dBFS)", parseNumber)
    .option("--no-gate", "chain: noise gate off")
    .option("--no-normalize", "chain: no loudness normalisation")
    .option("--bass <0-10>", "chain: tone EQ bass knob", parseNumber)
    .option("--mid <0-10>", "chain: tone EQ middle knob", parseNumber)
    .option("--treble <0-10>", "chain: tone EQ treble knob", parseNumber)
    .option("--presence <0-10>", "chain: presence knob", parseNumber)
    .option("--bypass", "chain: bypassed (dry) output")
    .addOption(new Option("--ir-max-ms <ms>", "chain: longest IR kept").argParser(parseNumber).default(500))
    .addOption(new Option("--ir-stereo <mode>", "chain: stereo IR to mono").choices(["mix", "left"]).default("mix"))
    .action(async (options: RenderOptions) => {
      if (options.ir !== undefined || options.chain) await renderChain(options);
      else await render(options);
    });
}

/** Chain settings from --params and the individual flags, validated against the preset schema. */
async function chainParams(options: RenderOptions): Promise<ChainParams> {
  let params = defaultChainParams();
  if (options.params !== undefined) {
    const text = await readFile(options.params, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new CliInputError(`${options.params}: cannot read (${error.code ?? error.message})`);
    });
    try {
      params = mergeChainParams(params, JSON.parse(text) as Partial<ChainParams>);
    } catch (error) {
      throw new CliInputError(`${options.params}: ${(error as Error).message}`);
    }
  }
  const eq = { ...params.eq };
  for (const knob of ["bass", "mid", "treble", "presence"] as const) if (options[knob] !== undefined) eq[knob] = options[knob]!;
  try {
    return mergeChainParams(params, {
      ...(options.trimDb !== undefined && { inputTrimDb: options.trimDb }),
      ...(options.outputDb !== undefined && { outputLevelDb: options.outputDb }),
      gate: {
        ...params.gate,
        enabled: params.gate.enabled && options.gate,
        ...(options.gateThresholdDb !== undefined && { thresholdDb: options.gateThresholdDb }),
      },
      eq,
      normalizeLoudness: params.normalizeLoudness && options.normalize,
    });
  } catch (error) {
    throw new CliInputError((error as Error).message);
  }
}

/** The whole chain at the input file's rate (a model at another rate is resampled, as on the pedal). */
async function renderChain(options: RenderOptions): Promise<void> {
  const model = await loadNamFile(options.model);
  const input = await readWavMono(options.input);
  const params = await chainParams(options);
  const dsp = await loadDsp();
  const unsupported = dsp.unsupportedFeatures(model);
  if (unsupported.length > 0) {
    throw new CliInputError(`${options.model}: the namstomp DSP cannot run this model (${unsupported.join(", ")})`);
  }
  const ir = options.ir === undefined ? null : {
    recording: await readIrFile(options.ir, options.irStereo),
    name: options.ir,
    options: { maxLengthMs: options.irMaxMs, stereo: options.irStereo },
  };
  const output = await renderChainOffline({
    input: input.samples,
    sampleRateHz: input.sampleRate,
    periodFrames: options.block,
    params,
    tanh: options.tanh,
    model: { model, name: options.model, slim: options.slim ?? null },
    ir,
    bypass: options.bypass ?? false,
  });
  await writeWavFloat32(options.output, output, input.sampleRate);
  const seconds = (input.samples.length / input.sampleRate).toFixed(2);
  process.stdout.write(
    `${options.output}: ${seconds} s through the chain: ${describeModel(model).label}` +
      `${ir ? ` + ${options.ir}` : ""} (block ${options.block}, ${options.tanh} tanh, ${input.sampleRate} Hz)\n`,
  );
}

async function render(options: RenderOptions): Promise<void> {
  const model = await loadNamFile(options.model);
  const input = await readWavMono(options.input);
  const expectedRateHz = modelSampleRate(model);
  if (input.sampleRate !== expectedRateHz) {
    const stated = model.sampleRate === null ? "assumed for a model without sample_rate" : `stated by ${options.model}`;
    throw new CliInputError(
      `${options.input}: sample rate ${input.sampleRate} Hz, but the model runs at ${expectedRateHz} Hz (${stated}); resample the input`,
    );
  }
  const dsp = await loadDsp();
  const unsupported = dsp.unsupportedFeatures(model);
  if (unsupported.length > 0) {
    throw new CliInputError(`${options.model}: the namstomp DSP cannot run this model (${unsupported.join(", ")})`);
  }
  if (input.channels > 1) {
    process.stderr.write(`note: ${options.input} has ${input.channels} channels; rendering the first\n`);
  }

  const runner = dsp.createRunner(model, {
    tanh: options.tanh,
    maxBlockFrames: options.block,
    prewarm: options.prewarm,
    slim: options.slim ?? null,
  });
  let output: Float32Array;
  try {
    output = processInBlocks(runner, input.samples, options.block);
  } finally {
    runner.dispose();
  }
  await writeWavFloat32(options.output, output, input.sampleRate);

  const seconds = (input.samples.length / input.sampleRate).toFixed(2);
  const prewarm = options.prewarm ? "prewarm" : "no prewarm";
  const slim = options.slim === undefined ? "" : `, slim ${options.slim}`;
  process.stdout.write(
    `${options.output}: ${seconds} s through ${describeModel(model).label} ` +
      `(block ${options.block}, ${options.tanh} tanh, ${prewarm}${slim})\n`,
  );
}
