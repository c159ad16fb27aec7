// `namstomp inspect MODEL.nam [--json]`: what a model is, what it costs, and whether the DSP runs it.
import type { Command } from "commander";
import { loadDsp } from "../dsp/index.js";
import { describeModel, loadNamFile, type ModelSummary, type SlimWidth } from "../nam/index.js";
import type { NamMetadata } from "../nam/model.js";
import { ASSUMED_MODEL_SAMPLE_RATE } from "./model-sample-rate.js";
import { formatCount, formatTable } from "./text-format.js";

interface InspectReport extends ModelSummary {
  file: string;
  version: string;
  dsp: { variant: string; supported: boolean; unsupportedFeatures: string[] };
}

export function registerInspect(program: Command): void {
  program
    .command("inspect")
    .description("describe a .nam model: architecture, size, cost, metadata, DSP support")
    .argument("<model>", "path to a .nam file")
    .option("--json", "print one JSON object instead of text")
    .action(async (modelPath: string, options: { json?: boolean }) => {
      const report = await inspectModel(modelPath);
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
    });
}

async function inspectModel(modelPath: string): Promise<InspectReport> {
  const model = await loadNamFile(modelPath);
  const dsp = await loadDsp();
  const unsupportedFeatures = dsp.unsupportedFeatures(model);
  return {
    file: modelPath,
    version: model.version,
    ...describeModel(model),
    dsp: { variant: dsp.variant, supported: unsupportedFeatures.length === 0, unsupportedFeatures },
  };
}

function formatInspectReport(report: InspectReport): string {
  const rateHz = report.sampleRate ?? ASSUMED_MODEL_SAMPLE_RATE;
  const receptiveFieldMs = (report.receptiveFieldSamples / rateHz) * 1000;
  const rows: [string, string][] = [
    ["file", report.file],
    ["architecture", report.architecture],
    ["class", `${report.label} (${report.class})`],
    ["file version", report.version],
    ["weights", formatCount(report.weights)],
    ["receptive field", `${formatCount(report.receptiveFieldSamples)} samples (${receptiveFieldMs.toFixed(1)} ms)`],
    ["prewarm", `${formatCount(report.prewarmSamples)} samples`],
    ["multiply-adds", `${formatCount(report.multiplyAddsPerSample)} per sample`],
    [
      "sample rate",
      report.sampleRate === null
        ? `not stated (${ASSUMED_MODEL_SAMPLE_RATE / 1000} kHz assumed)`
        : `${formatCount(report.sampleRate)} Hz`,
    ],
  ];
  if (report.versionWarning !== null) rows.push(["version warning", report.versionWarning]);
  rows.push([
    "DSP support",
    report.dsp.supported
      ? `yes (${report.dsp.variant})`
      : `no, unsupported: ${report.dsp.unsupportedFeatures.join(", ")}`,
  ]);

  const lines = formatRows(rows, "");
  const metadataRows = formatMetadata(report.metadata);
  if (metadataRows.length === 0) lines.push(...formatRows([["metadata", "none"]], ""));
  else lines.push("metadata", ...formatRows(metadataRows, "  "));
  if (report.slimWidths !== undefined) lines.push(...formatSlimWidths(report.slimWidths));
  return `${lines.join("\n")}\n`;
}

function formatMetadata(metadata: NamMetadata): [string, string][] {
  const gear = [metadata.gearMake, metadata.gearModel].filter((part) => part !== null).join(" ");
  const candidates: [string, string | null][] = [
    ["name", metadata.name],
    ["modeled by", metadata.modeledBy],
    ["gear", gear === "" ? null : gear],
    ["gear type", metadata.gearType],
    ["tone type", metadata.toneType],
    ["loudness", metadata.loudnessDb === null ? null : `${metadata.loudnessDb.toFixed(2)} dB`],
    ["gain", metadata.gain === null ? null : metadata.gain.toFixed(3)],
    ["input level", metadata.inputLevelDbu === null ? null : `${metadata.inputLevelDbu} dBu`],
    ["output level", metadata.outputLevelDbu === null ? null : `${metadata.outputLevelDbu} dBu`],
    ["validation ESR", metadata.validationEsr === null ? null : metadata.validationEsr.toPrecision(4)],
    ["date", metadata.date],
  ];
  return candidates.filter((row): row is [string, string] => row[1] !== null);
}

function formatSlimWidths(slimWidths: SlimWidth[]): string[] {
  const header = ["slim ratio", "channels", "weights", "multiply-adds/sample"];
  const body = slimWidths.map((width) => [
    `${width.ratioMin.toFixed(2)}–${width.ratioMax.toFixed(2)}`,
    width.channels.join("/"),
    formatCount(width.weights),
    formatCount(width.multiplyAddsPerSample),
  ]);
  return ["slimmable widths", ...formatTable([header, ...body], 0, "  ")];
}

const LABEL_COLUMN_WIDTH = 18;

function formatRows(rows: [string, string][], indent: string): string[] {
  return rows.map(([label, value]) => `${indent}${label.padEnd(LABEL_COLUMN_WIDTH - indent.length)}${value}`);
}
