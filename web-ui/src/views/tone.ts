// The chain's knobs and switches: input trim, gate, the tone stack, output level, cab and
// loudness normalisation, and the width of a slimmable amp. Ranges and defaults come from the
// chain schema itself (shared contract). Changes go out at most every 50 ms while a knob turns.

import { ChainParamsSchema, type ChainParams, type ChainParamsPatch, type ModelInfo } from "../../../firmware/api-contract/index.js";
import { Knob } from "../components/knob.js";
import { api } from "../client.js";
import { h, replaceChildren } from "../dom.js";
import type { StateKey } from "../store.js";
import { percent, type View, type ViewContext } from "./view.js";

const SEND_INTERVAL_MS = 50;

interface RangeSchema {
  minimum: number;
  maximum: number;
  default: number;
}

interface KnobSpec {
  label: string;
  /** The setting: a top-level key, or a group and a key. */
  path: [keyof ChainParams] | ["gate" | "eq", string];
  step: number;
  format(value: number): string;
}

interface SwitchSpec {
  label: string;
  path: [keyof ChainParams] | ["gate" | "eq", string];
}

const dB = (value: number) => `${value > 0 ? "+" : ""}${value.toFixed(1)} dB`;
const dial = (value: number) => value.toFixed(1);

const KNOBS: KnobSpec[] = [
  { label: "Input", path: ["inputTrimDb"], step: 0.5, format: dB },
  { label: "Gate", path: ["gate", "thresholdDb"], step: 1, format: (value) => `${value.toFixed(0)} dB` },
  { label: "Bass", path: ["eq", "bass"], step: 0.1, format: dial },
  { label: "Mid", path: ["eq", "mid"], step: 0.1, format: dial },
  { label: "Treble", path: ["eq", "treble"], step: 0.1, format: dial },
  { label: "Presence", path: ["eq", "presence"], step: 0.1, format: dial },
  { label: "Output", path: ["outputLevelDb"], step: 0.5, format: dB },
];

const SWITCHES: SwitchSpec[] = [
  { label: "Gate", path: ["gate", "enabled"] },
  { label: "EQ", path: ["eq", "enabled"] },
  { label: "Cab", path: ["irEnabled"] },
  { label: "Normalize", path: ["normalizeLoudness"] },
];

function schemaAt(path: KnobSpec["path"]): RangeSchema {
  const properties = ChainParamsSchema.properties as unknown as Record<string, { properties?: Record<string, RangeSchema> } & RangeSchema>;
  const [group, key] = path;
  return key === undefined ? properties[group]! : properties[group]!.properties![key]!;
}

function valueAt(params: ChainParams, path: KnobSpec["path"] | SwitchSpec["path"]): unknown {
  const [group, key] = path;
  const top = (params as unknown as Record<string, unknown>)[group];
  return key === undefined ? top : (top as Record<string, unknown>)[key];
}

function patchAt(path: KnobSpec["path"] | SwitchSpec["path"], value: number | boolean): ChainParamsPatch {
  const [group, key] = path;
  return (key === undefined ? { [group]: value } : { [group]: { [key]: value } }) as ChainParamsPatch;
}

/** Adds `patch` into `into`, groups field by field. */
function mergePatch(into: ChainParamsPatch, patch: ChainParamsPatch): ChainParamsPatch {
  const merged: Record<string, unknown> = { ...into };
  for (const [key, value] of Object.entries(patch)) {
    merged[key] = typeof value === "object" && value !== null ? { ...(merged[key] as object | undefined), ...value } : value;
  }
  return merged as ChainParamsPatch;
}

export class ToneView implements View {
  readonly id = "tone";
  readonly label = "Tone";
  readonly icon = "◐";
  readonly element: HTMLElement;
  private readonly knobs: { spec: KnobSpec; knob: Knob }[];
  private readonly switches: { spec: SwitchSpec; button: HTMLButtonElement }[];
  private readonly widths = h("div", { class: "widths" });
  private pending: ChainParamsPatch | null = null;
  private sendTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly context: ViewContext) {
    this.knobs = KNOBS.map((spec) => {
      const range = schemaAt(spec.path);
      const knob = new Knob({
        label: spec.label, min: range.minimum, max: range.maximum, step: spec.step, defaultValue: range.default, format: spec.format,
        onInput: (value, done) => this.queue(patchAt(spec.path, value), done),
      });
      return { spec, knob };
    });
    this.switches = SWITCHES.map((spec) => {
      const button = h("button", {
        class: "toggle", "aria-pressed": "false",
        onclick: () => this.queue(patchAt(spec.path, button.getAttribute("aria-pressed") !== "true"), true),
      }, h("span", { class: "led" }), spec.label);
      return { spec, button };
    });
    this.element = h("section", { class: "view tone" },
      h("div", { class: "knobs" }, ...this.knobs.map(({ knob }) => knob.element)),
      h("div", { class: "toggles" }, ...this.switches.map(({ button }) => button)),
      this.widths);
  }

  update(changed: ReadonlySet<StateKey>): void {
    const live = this.context.store.state.live;
    if (!live || !(changed.has("live") || changed.has("models"))) return;
    for (const { spec, knob } of this.knobs) knob.set(valueAt(live.params, spec.path) as number);
    for (const { spec, button } of this.switches) {
      const on = valueAt(live.params, spec.path) === true;
      button.setAttribute("aria-pressed", String(on));
      button.classList.toggle("on", on);
    }
    this.renderWidths(this.context.store.state.models.find((model) => model.id === live.modelId) ?? null, live.slim);
  }

  /** A slimmable amp's sizes: the player may pick any that fits. */
  private renderWidths(model: ModelInfo | null, slim: number | null): void {
    const widths = model?.cost.widths ?? [];
    if (!model || widths.length < 2) {
      replaceChildren(this.widths);
      return;
    }
    replaceChildren(this.widths, h("div", { class: "widths-label" }, `${model.name}: width`),
      h("div", { class: "widths-options" }, ...widths.map((width) => h("button", {
        class: `width${width.slim === slim ? " on" : ""}`, disabled: !width.fits,
        onclick: () => void this.context.run(() => api.patchLive({ slim: width.slim ?? 1 })),
      }, `${(width.channels ?? []).join("+")} ch`, h("small", {}, width.fits ? percent(width.loadPercent) : "too heavy")))));
  }

  private queue(patch: ChainParamsPatch, now: boolean): void {
    this.pending = mergePatch(this.pending ?? {}, patch);
    if (now) this.flush();
    else this.sendTimer ??= setTimeout(() => this.flush(), SEND_INTERVAL_MS);
  }

  private flush(): void {
    if (this.sendTimer !== null) clearTimeout(this.sendTimer);
    this.sendTimer = null;
    const chain = this.pending;
    this.pending = null;
    if (chain !== null) void this.context.run(() => api.patchLive({ chain }));
  }
}
