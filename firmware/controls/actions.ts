// What a footswitch can do, and the one place that does it: through the engine's public API and
// the preset navigator (the PresetStore in firmware/library meets that interface). Main thread.

import type { AudioEngineApi } from "../engine/api.js";

export const simpleActions = [
  "preset-next",
  "preset-previous",
  "bank-next",
  "bank-previous",
  "bypass-toggle",
  "tuner-toggle",
  "gate-toggle",
  "model-next",
] as const;

export type SimpleAction = (typeof simpleActions)[number];

/** "preset-select:N" selects the N-th preset (1-based) of the current bank or setlist. */
export type FootswitchAction = SimpleAction | `preset-select:${number}`;

export const PRESET_SELECT_PATTERN = "^preset-select:[1-9][0-9]?$";

/** The slot of a preset-select action, or null for the other actions. */
export function presetSelectSlot(action: FootswitchAction): number | null {
  return action.startsWith("preset-select:") ? Number(action.slice("preset-select:".length)) : null;
}

/** Preset and bank stepping. Calls resolve once the new preset plays (or fail saying why). */
export interface PresetNavigator {
  nextPreset(): Promise<void>;
  previousPreset(): Promise<void>;
  nextBank(): Promise<void>;
  previousBank(): Promise<void>;
  /** The 1-based slot of the current bank or setlist. */
  selectSlot(slot: number): Promise<void>;
}

/** Steps through the model library (firmware/library/models.ts, when it is wired). */
export interface ModelCycler {
  nextModel(): Promise<void>;
}

export type StageEngine = Pick<AudioEngineApi, "status" | "meters" | "params" | "setParams" | "setBypass" | "setTuner">;

export interface StageActionsDeps {
  engine: StageEngine;
  presets: PresetNavigator;
  /** null until a model library is wired: model-next then fails with a message saying so. */
  models: ModelCycler | null;
  /** Called after a bank change went through (the LEDs blink). */
  onBankChanged(): void;
}

export class StageActions {
  constructor(private readonly deps: StageActionsDeps) {}

  async run(action: FootswitchAction): Promise<void> {
    const { engine, presets } = this.deps;
    switch (action) {
      case "preset-next":
        return presets.nextPreset();
      case "preset-previous":
        return presets.previousPreset();
      case "bank-next":
        await presets.nextBank();
        this.deps.onBankChanged();
        return;
      case "bank-previous":
        await presets.previousBank();
        this.deps.onBankChanged();
        return;
      case "bypass-toggle":
        engine.setBypass(!engine.status().bypass);
        return;
      case "tuner-toggle":
        engine.setTuner(!engine.meters().tuner.active);
        return;
      case "gate-toggle": {
        const gate = engine.params().gate;
        engine.setParams({ gate: { ...gate, enabled: !gate.enabled } });
        return;
      }
      case "model-next":
        if (this.deps.models === null) throw new Error("model-next: no model library is wired");
        return this.deps.models.nextModel();
      default: {
        const slot = presetSelectSlot(action);
        if (slot === null) throw new Error(`unknown footswitch action "${action as string}"`);
        return presets.selectSlot(slot);
      }
    }
  }
}
