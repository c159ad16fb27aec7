// `namstomp bench`: speed of the namstomp DSP core per model, against a peer build of the official
// NAM core, measured in the same process on the same input.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Command } from "commander";
import type { NamModelRunner, TanhMode } from "../../dsp/contract.js";
import { loadDsp, type DspCore } from "../../dsp/index.js";
import { describeModel, loadNamFile, type NamModel } from "../../nam/index.js";
import { blockFramesOption, parsePositiveSeconds, slimOption, tanhOption } from "../options.js";
import { findPackageRoot, sharedReferenceDirectory } from "../package-root.js";
import { formatTable } from "../text-format.js";
import { loadBenchSignal } from "./bench-signal.js";
import { DEFAULT_ROUNDS, measureInterleaved, type TimingPlan } from "./interleaved-timing.js";
import { printDeviceTable } from "./device-table.js";
import { checkPeerAgainstNamstomp, type PeerCheck } from "./peer-check.js";
import { loadOpendawPeer, type OpendawPeer, type PeerModel } from "./peer-opendaw.js";

export interface EngineSpeed {
  nsPerSample: number;
  /** Seconds of 48 kHz audio processed per second of wall-clock time on one core. */
  realtimeFactor: number;
}

export interface BenchRow {
  model: string;
  class: string;
  /** Slim ratio the model ran at; null = full width (the core's default). */
  slim: number | null;
  namstomp: EngineSpeed;
  peer: EngineSpeed | null;
  /** peer ns/sample ÷ namstomp ns/sample; null without peer figures. */
  speedup: number | null;
}

interface BenchOptions {
  json?: boolean;
  seconds: number;
  block: number;
  tanh: TanhMode;
  slim?: number;
  device?: boolean;
}

/** One bench row: a model file at a slim ratio (null = the core's default, full width). */
interface BenchTarget {
  path: string;
  slim: number | null;
}

/** One of each A1 preset, smallest first, and the LSTM "lite" preset, from the shared reference set. */
const DEFAULT_MODEL_IDS = [
  "nano_boss_sd1",
  "feather_dirtytree_dt33",
  "lite_dirtytree_dt33",
  "standard_core_a1",
  "lstm_lite2x8_boss_sd1",
];
/** The official core's A2 example (a SlimmableContainer), committed with the tests: full width and slimmest. */
const A2_MODEL = ["test", "fixtures", "models", "core-examples", "A2.nam"];
const BENCH_SAMPLE_RATE_HZ = 48000;
const DEFAULT_MEASURED_SECONDS = 2;
const MAX_WARMUP_SECONDS = 0.5;
const NS_PER_SECOND = 1e9;
/** A first-second difference this many times the settled one means only the start state differs. */
const START_DIFFERS_RATIO = 100;

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description("measure DSP speed per model against @opendaw/nam-wasm (the official NAM core built to WASM)")
    .argument("[models...]", ".nam files (default: the A1 presets and an LSTM from ../shared/nam-reference)")
    .option("--json", "print only a JSON array of results on stdout")
    .option(
      "--seconds <s>",
      `measured wall-clock seconds per engine and model, over ${DEFAULT_ROUNDS} alternating rounds`,
      parsePositiveSeconds,
      DEFAULT_MEASURED_SECONDS,
    )
    .addOption(blockFramesOption())
    .addOption(tanhOption())
    .addOption(slimOption())
    .option("--device", "this machine's real-time table instead: each reference architecture's share of one core at the configured rate and period, OK/KO against the model budget")
    .action(async (modelPaths: string[], options: BenchOptions) => {
      if (options.device) return printDeviceTable(options.seconds, options.json === true);
      const rows = await bench(modelPaths, options);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : formatBenchTable(rows));
    });
}

function defaultTargets(referenceDirectory: string): BenchTarget[] {
  const targets: BenchTarget[] = [];
  if (existsSync(referenceDirectory)) {
    for (const id of DEFAULT_MODEL_IDS) targets.push({ path: join(referenceDirectory, "models", `${id}.nam`), slim: null });
  } else {
    note(`the reference set ${referenceDirectory} is absent: no A1/LSTM rows`);
  }
  const a2 = join(findPackageRoot().directory, ...A2_MODEL);
  if (existsSync(a2)) targets.push({ path: a2, slim: null }, { path: a2, slim: 0 });
  return targets;
}

async function bench(modelPaths: string[], options: BenchOptions): Promise<BenchRow[]> {
  const referenceDirectory = sharedReferenceDirectory();
  const targets = modelPaths.length === 0
    ? defaultTargets(referenceDirectory)
    : modelPaths.map((path) => ({ path, slim: options.slim ?? null }));
  if (targets.length === 0) {
    note("nothing to measure");
    return [];
  }

  const signal = await loadBenchSignal(referenceDirectory, BENCH_SAMPLE_RATE_HZ);
  const inputBlocks = splitIntoBlocks(signal.samples, options.block);
  const checkInput = signal.samples.subarray(0, Math.min(signal.samples.length, BENCH_SAMPLE_RATE_HZ));
  const dsp = await loadDsp();
  const peerLoad = await loadOpendawPeer(options.block, BENCH_SAMPLE_RATE_HZ);
  const peer = "peer" in peerLoad ? peerLoad.peer : null;
  const plan: TimingPlan = {
    rounds: DEFAULT_ROUNDS,
    measuredSecondsPerEngine: options.seconds,
    maxWarmupSeconds: MAX_WARMUP_SECONDS,
  };

  explainFigures(options, dsp, signal.description, plan, peer?.description ?? null);
  if ("unavailableReason" in peerLoad) note(`no peer figures: ${peerLoad.unavailableReason}`);
  if (peer !== null && options.tanh === "exact") {
    note("the peer has no tanh switch and runs the plugin's fast tanh: with --tanh exact the engines do different work");
  }

  const rows: BenchRow[] = [];
  try {
    for (const target of targets) {
      const row = await benchModel(target, { dsp, peer, options, inputBlocks, checkInput, plan });
      if (row !== null) rows.push(row);
    }
  } finally {
    peer?.dispose();
  }
  return rows;
}

interface BenchContext {
  dsp: DspCore;
  peer: OpendawPeer | null;
  options: BenchOptions;
  inputBlocks: Float32Array[];
  checkInput: Float32Array;
  plan: TimingPlan;
}

async function benchModel(target: BenchTarget, context: BenchContext): Promise<BenchRow | null> {
  const { dsp, options } = context;
  const model = await loadNamFile(target.path);
  const summary = describeModel(model);
  const slim = summary.slimWidths === undefined ? null : target.slim;
  const name = basename(target.path, ".nam") + (slim === null ? "" : ` slim ${slim}`);
  const unsupported = dsp.unsupportedFeatures(model);
  if (unsupported.length > 0) {
    note(`${name}: skipped, the namstomp DSP cannot run it (${unsupported.join(", ")})`);
    return null;
  }

  const runnerOptions = { maxBlockFrames: options.block, prewarm: true, tanh: options.tanh, slim };
  const namstomp = dsp.createRunner(model, runnerOptions);
  // The peer has no slim control and always runs the full model: compare only at full width.
  const peerCanRun = context.peer !== null && slim === null;
  if (context.peer !== null && !peerCanRun) note(`${name}: the peer cannot slim a model; no peer figures`);
  let peerModel = peerCanRun ? context.peer!.loadModel(await readFile(target.path, "utf8")) : null;
  try {
    if (peerCanRun && peerModel === null) note(`${name}: the peer rejected the model; no peer figures`);
    if (peerModel !== null && !checkAndReportPeer(name, model, peerModel, namstomp, context, slim)) {
      peerModel.dispose();
      peerModel = null;
    }

    const engines = peerModel === null ? [namstomp] : [namstomp, peerModel];
    const [namstompNsPerSample, peerNsPerSample] = measureInterleaved(engines, context.inputBlocks, context.plan);
    return {
      model: name,
      class: summary.class,
      slim,
      namstomp: engineSpeed(namstompNsPerSample),
      peer: peerNsPerSample === undefined ? null : engineSpeed(peerNsPerSample),
      speedup: peerNsPerSample === undefined ? null : peerNsPerSample / namstompNsPerSample,
    };
  } finally {
    namstomp.dispose();
    peerModel?.dispose();
  }
}

/**
 * Compares the peer's first second of output with namstomp's (both fresh: createRunner and the
 * peer's loadModel reset and prewarm) and reports it on stderr. False when the peer's output is unusable.
 */
function checkAndReportPeer(
  name: string,
  model: NamModel,
  peerModel: PeerModel,
  namstomp: NamModelRunner,
  context: BenchContext,
  slim: number | null,
): boolean {
  const { dsp, options } = context;
  const otherTanh: TanhMode = options.tanh === "fast" ? "exact" : "fast";
  const namstompOtherTanh = dsp.createRunner(model, { maxBlockFrames: options.block, prewarm: true, tanh: otherTanh, slim });
  let check: PeerCheck;
  try {
    check = checkPeerAgainstNamstomp(
      { peer: peerModel, namstomp, namstompOtherTanh },
      options.tanh,
      context.checkInput,
      options.block,
    );
  } finally {
    namstompOtherTanh.dispose();
  }
  const startDiffers = check.maxAbsDiff > START_DIFFERS_RATIO * check.settledMaxAbsDiff;
  note(
    `${name}: peer vs namstomp (${options.tanh} tanh) max |diff| ${check.maxAbsDiff.toExponential(1)} ` +
      `over the first second, ${check.settledMaxAbsDiff.toExponential(1)} over its second half ` +
      `(vs ${otherTanh} tanh: ${check.otherTanhSettledMaxAbsDiff.toExponential(1)}); ` +
      (check.peerTanh === null ? "output does not depend on tanh" : `the peer runs ${check.peerTanh} tanh`) +
      (startDiffers ? "; the engines start from different states (prewarm), then agree" : ""),
  );
  if (!check.peerOutputUsable) note(`${name}: the peer's output is silent or not finite; no peer figures`);
  return check.peerOutputUsable;
}

function engineSpeed(nsPerSample: number): EngineSpeed {
  return { nsPerSample, realtimeFactor: NS_PER_SECOND / (nsPerSample * BENCH_SAMPLE_RATE_HZ) };
}

/** Whole blocks of the signal (a trailing partial block is dropped); the bench loops over them. */
function splitIntoBlocks(signal: Float32Array, blockFrames: number): Float32Array[] {
  const blockCount = Math.max(1, Math.floor(signal.length / blockFrames));
  const looped = new Float32Array(blockCount * blockFrames);
  for (let i = 0; i < looped.length; i++) looped[i] = signal[i % signal.length];
  return Array.from({ length: blockCount }, (_, block) =>
    looped.subarray(block * blockFrames, (block + 1) * blockFrames),
  );
}

function explainFigures(
  options: BenchOptions,
  dsp: DspCore,
  signalDescription: string,
  plan: TimingPlan,
  peerDescription: string | null,
): void {
  const roundSeconds = plan.measuredSecondsPerEngine / plan.rounds;
  const lines = [
    `namstomp bench: ${BENCH_SAMPLE_RATE_HZ / 1000} kHz, blocks of ${options.block} frames, ` +
      `${options.tanh} tanh, namstomp DSP variant ${dsp.variant}`,
    `input: ${signalDescription}`,
    `per model, after a warm-up, each engine runs ${plan.rounds} rounds of ~${roundSeconds.toPrecision(2)} s, ` +
      "alternating with the other engine; figures are the median round",
    "  ns/sample  wall-clock nanoseconds of one core per audio sample (lower is better)",
    `  RTF        real-time factor: seconds of ${BENCH_SAMPLE_RATE_HZ / 1000} kHz audio per second of one core; ` +
      "1 just keeps up, 20 means one model uses 5 % of a core",
  ];
  if (peerDescription !== null) {
    lines.push(
      "  speedup    peer ns/sample ÷ namstomp ns/sample (above 1: namstomp is faster)",
      `peer: ${peerDescription}, an emscripten WASM build of the official NeuralAmpModelerCore, ` +
        "in this process; the same model file and input",
    );
  }
  for (const line of lines) note(line);
}

function formatBenchTable(rows: BenchRow[]): string {
  const header = ["model", "class", "namstomp ns/sample", "RTF", "peer ns/sample", "RTF", "speedup"];
  const body = rows.map((row) => [
    row.model,
    row.class,
    row.namstomp.nsPerSample.toFixed(1),
    `${row.namstomp.realtimeFactor.toFixed(1)}×`,
    row.peer === null ? "–" : row.peer.nsPerSample.toFixed(1),
    row.peer === null ? "–" : `${row.peer.realtimeFactor.toFixed(1)}×`,
    row.speedup === null ? "–" : `${row.speedup.toFixed(2)}×`,
  ]);
  return `${formatTable([header, ...body], 2).join("\n")}\n`;
}

function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
