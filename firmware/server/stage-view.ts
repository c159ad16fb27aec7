// What the API and the WebSocket show, built from the services' public state: the status, the
// live sound, and library entries with their cost on this device. Cheap reads only (the engine's
// shared memory, in-memory documents), so a push after every change costs nothing on audio.
// Main thread.

import type { IrInfo, LiveSound, Meters, ModelBadge, ModelInfo, Status } from "../api-contract/index.js";
import type { DspBudget } from "../budget/model-budget.js";
import type { AudioEngine } from "../engine/engine.js";
import type { IrEntry, IrLibrary } from "../library/irs.js";
import type { ModelEntry, ModelLibrary } from "../library/models.js";
import type { PresetStore, PresetsDocument } from "../library/presets.js";
import type { ModelClass } from "../nam/index.js";
import type { SystemHealth } from "./system-health.js";

export interface StageViewDeps {
  engine: AudioEngine;
  models: ModelLibrary;
  irs: IrLibrary;
  presets: PresetStore;
  budget: DspBudget;
  health: SystemHealth;
}

/** Meters below this read as silence (the engine reports -Infinity for digital silence), dBFS. */
const METER_FLOOR_DB = -120;

function badgeOf(modelClass: ModelClass): ModelBadge {
  switch (modelClass) {
    case "a1-nano":
      return "Nano";
    case "a1-feather":
      return "Feather";
    case "a1-lite":
      return "Lite";
    case "a1-standard":
      return "Standard";
    case "a2":
      return "A2";
    case "lstm-nano":
    case "lstm-feather":
    case "lstm-lite":
    case "lstm-standard":
    case "custom-lstm":
      return "LSTM";
    case "custom-wavenet":
    case "convnet":
    case "linear":
    case "slimmable-container":
      return "Custom";
  }
}

export class StageView {
  constructor(private readonly deps: StageViewDeps) {}

  status(): Status {
    const { engine, budget, health } = this.deps;
    const audio = engine.status();
    const calibration = budget.calibration();
    return {
      audio: {
        backend: audio.backend,
        device: audio.device,
        sampleRate: audio.sampleRate,
        periodFrames: audio.periodFrames,
        running: audio.running,
        xruns: audio.xruns,
        deadlineMisses: audio.deadlineMisses,
        latencyMs: audio.latencyMs,
        dspLoad: audio.dspLoad,
        bypass: audio.bypass,
        tuner: engine.meters().tuner.active,
        lastError: audio.lastError,
      },
      preset: this.presetStatus(this.deps.presets.document()),
      model: audio.model === null ? null : this.modelStatus(audio.model.id, audio.model.name, audio.model.slim),
      ir: audio.ir === null ? null : { id: audio.ir.id, name: audio.ir.name },
      system: health.snapshot(),
      budget: {
        maxModelLoadPercent: budget.budgetPercent(),
        machine: calibration.key.board ?? `${calibration.key.arch} ${calibration.key.cpuModel}`,
        calibratedAt: calibration.measuredAt,
        references: budget.referenceVerdicts().map(({ id, label, nsPerSample, loadPercent, fits }) => ({ id, label, nsPerSample, loadPercent, fits })),
      },
    };
  }

  live(): LiveSound {
    const { engine } = this.deps;
    const audio = engine.status();
    return {
      modelId: audio.model?.id ?? null,
      slim: audio.model?.slim ?? null,
      irId: audio.ir?.id ?? null,
      params: engine.params(),
      bypass: audio.bypass,
      tuner: engine.meters().tuner.active,
    };
  }

  meters(): Meters {
    const { engine } = this.deps;
    const meters = engine.meters();
    const audio = engine.status();
    return {
      inputPeakDb: Math.max(METER_FLOOR_DB, meters.inputPeakDb),
      outputPeakDb: Math.max(METER_FLOOR_DB, meters.outputPeakDb),
      gateOpen: meters.gateOpen,
      tuner: { active: meters.tuner.active, note: meters.tuner.note, cents: meters.tuner.cents, frequencyHz: meters.tuner.frequencyHz },
      dspLoadPercent: audio.dspLoad.mean,
      xruns: audio.xruns,
    };
  }

  modelInfo(entry: ModelEntry, document = this.deps.presets.document()): ModelInfo {
    const summary = entry.summary;
    return {
      id: entry.id,
      name: entry.name,
      originalFileName: entry.originalFileName,
      sizeBytes: entry.sizeBytes,
      uploadedAt: entry.uploadedAt,
      architecture: summary.architecture,
      modelClass: summary.class,
      badge: badgeOf(summary.class),
      label: summary.label,
      weights: summary.weights,
      multiplyAddsPerSample: summary.multiplyAddsPerSample,
      sampleRateHz: summary.sampleRate,
      metadata: summary.metadata,
      cost: this.deps.budget.estimate(summary),
      usedBy: document.presets.filter((preset) => preset.modelId === entry.id).map((preset) => preset.name),
      playing: this.deps.engine.status().model?.id === entry.id,
    };
  }

  irInfo(entry: IrEntry, document = this.deps.presets.document()): IrInfo {
    return {
      id: entry.id,
      name: entry.name,
      originalFileName: entry.originalFileName,
      sizeBytes: entry.sizeBytes,
      uploadedAt: entry.uploadedAt,
      ...entry.summary,
      usedBy: document.presets.filter((preset) => preset.irId === entry.id).map((preset) => preset.name),
      playing: this.deps.engine.status().ir?.id === entry.id,
    };
  }

  private presetStatus(document: PresetsDocument): Status["preset"] {
    const active = document.presets.find((preset) => preset.id === document.activePresetId);
    if (!active) return null;
    const bank = document.banks.find((b) => b.id === document.activeBankId) ?? document.banks.find((b) => b.presetIds.includes(active.id));
    const stepping = this.deps.presets.navigationList().presetIds;
    const index = stepping.indexOf(active.id);
    return {
      id: active.id,
      name: active.name,
      bankId: bank?.id ?? null,
      bankName: bank?.name ?? null,
      position: index < 0 ? null : index + 1,
      count: stepping.length,
    };
  }

  private modelStatus(id: string, name: string, slim: number | null): Status["model"] {
    let entry: ModelEntry;
    try {
      entry = this.deps.models.get(id);
    } catch {
      // Deleted from the library while playing: the engine still has it.
      return { id, name, slim, badge: null, label: null, predictedLoadPercent: null };
    }
    const cost = this.deps.budget.estimate(entry.summary, slim);
    return {
      // The library's name: a rename shows at once, without reloading the model.
      id, name: entry.name, slim,
      badge: badgeOf(entry.summary.class),
      label: entry.summary.label,
      predictedLoadPercent: cost.chosen?.loadPercent ?? null,
    };
  }
}
