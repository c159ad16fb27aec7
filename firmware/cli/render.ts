// `namstomp render`: runs a WAV file through one model (nothing else of the chain) offline.
import { Option, type Command } from "commander";
import type { TanhMode } from "../dsp/contract.js";
import { loadDsp } from "../dsp/index.js";
import { describeModel, loadNamFile } from "../nam/index.js";
import { readWavMono, writeWavFloat32 } from "../util/wav.js";
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
    .action(async (options: RenderOptions) => {
      await render(options);
    });
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
