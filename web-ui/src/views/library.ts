// The amp (model) and cab (IR) pickers: upload with progress, one tap plays an entry, and each
// entry's menu renames, downloads or deletes it. Models show their class badge and what they
// cost on this pedal — or why they do not fit.

import { LIBRARY_NAME_MAX_LENGTH, type IrInfo, type ModelInfo } from "../../../firmware/api-contract/index.js";
import { UploadZone } from "../components/upload-zone.js";
import { api, upload } from "../client.js";
import { h, replaceChildren } from "../dom.js";
import type { StateKey } from "../store.js";
import { percent, type View, type ViewContext } from "./view.js";

type Entry = ModelInfo | IrInfo;

interface LibraryKindSpec<T extends Entry> {
  kind: "models" | "irs";
  id: string;
  label: string;
  icon: string;
  noun: string;
  accept: string;
  prompt: string;
  entries(): T[];
  /** Lines under the name. */
  details(entry: T): (Node | string)[];
  selectable(entry: T): boolean;
  select(entry: T): Promise<{ message: string | null }>;
  clear(): Promise<unknown>;
  /** The id playing now (from the live sound, which changes more often than the list). */
  playingId(): string | null;
}

class LibraryView<T extends Entry> implements View {
  readonly id: string;
  readonly label: string;
  readonly icon: string;
  readonly element: HTMLElement;
  private readonly list = h("ul", { class: "cards" });
  private openMenu: string | null = null;
  private renaming: string | null = null;

  constructor(private readonly context: ViewContext, private readonly spec: LibraryKindSpec<T>) {
    this.id = spec.id;
    this.label = spec.label;
    this.icon = spec.icon;
    const zone = new UploadZone({
      accept: spec.accept,
      prompt: spec.prompt,
      upload: async (file, onProgress) => {
        const stored = await context.run(() => upload<T>(spec.kind, file, onProgress));
        if (!stored) return;
        const slimmed = "cost" in stored && stored.cost.slimmed ? ` — ${stored.cost.message}` : "";
        context.toasts.show(`${stored.name} added${slimmed}`);
        await context.store.refresh(spec.kind);
      },
    });
    this.element = h("section", { class: `view library library-${spec.kind}` }, zone.element, this.list);
  }

  update(changed: ReadonlySet<StateKey>): void {
    if (changed.has(this.spec.kind) || changed.has("live")) this.render();
  }

  private render(): void {
    const { spec } = this;
    const none = h("li", { class: `card card-none${spec.playingId() === null ? " playing" : ""}` },
      h("button", { class: "card-main", onclick: () => void this.context.run(() => spec.clear()) },
        h("span", { class: "card-name" }, `No ${spec.noun}`), h("span", { class: "led card-led" })));
    replaceChildren(this.list, none, ...spec.entries().map((entry) => this.card(entry)));
  }

  private card(entry: T): HTMLElement {
    const { spec, context } = this;
    const selectable = spec.selectable(entry);
    const main = h("button", {
      class: "card-main", disabled: !selectable, "data-testid": `${spec.kind}-${entry.name}`,
      onclick: async () => {
        const result = await context.run(() => spec.select(entry));
        if (result?.message && "cost" in entry && entry.cost.slimmed) context.toasts.show(`${entry.name}: ${result.message}`);
      },
    },
    h("span", { class: "card-name" }, entry.name),
    h("span", { class: "led card-led" }),
    h("span", { class: "card-details" }, ...spec.details(entry)));
    const item = h("li", { class: `card${spec.playingId() === entry.id ? " playing" : ""}${selectable ? "" : " refused"}` }, main,
      h("button", {
        class: "card-more", "aria-label": `more for ${entry.name}`,
        onclick: () => {
          this.openMenu = this.openMenu === entry.id ? null : entry.id;
          this.render();
        },
      }, "⋯"));
    if (this.renaming === entry.id) item.appendChild(this.renameForm(entry));
    else if (this.openMenu === entry.id) item.appendChild(this.menu(entry));
    return item;
  }

  private menu(entry: T): HTMLElement {
    const { spec, context } = this;
    return h("div", { class: "card-menu" },
      h("button", { onclick: () => { this.renaming = entry.id; this.render(); } }, "Rename"),
      h("a", { class: "button", href: `/api/${spec.kind}/${entry.id}/file`, download: entry.originalFileName }, "Download"),
      h("button", {
        class: "danger",
        onclick: async () => {
          if ((await context.run(() => api.remove(spec.kind, entry.id))) === undefined) return;
          this.openMenu = null;
          await context.store.refresh(spec.kind);
        },
      }, "Delete"),
      entry.usedBy.length > 0 ? h("span", { class: "card-note" }, `in ${entry.usedBy.join(", ")}`) : null);
  }

  private renameForm(entry: T): HTMLElement {
    const input = h("input", { type: "text", value: entry.name, maxlength: LIBRARY_NAME_MAX_LENGTH, "aria-label": "new name" });
    const form = h("form", { class: "card-menu" }, input, h("button", { type: "submit" }, "Save"),
      h("button", { type: "button", onclick: () => { this.renaming = null; this.render(); } }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = input.value.trim();
      if (name === "" || (await this.context.run(() => api.rename(this.spec.kind, entry.id, name))) === undefined) return;
      this.renaming = null;
      this.openMenu = null;
      await this.context.store.refresh(this.spec.kind);
    });
    queueMicrotask(() => input.focus());
    return form;
  }
}

function costBar(model: ModelInfo): HTMLElement {
  const cost = model.cost;
  const shown = cost.chosen ?? cost.widths[0]!;
  const fraction = Math.min(1, shown.loadPercent / 100);
  return h("span", { class: `cost${cost.chosen ? "" : " over"}` },
    h("span", { class: "cost-bar" },
      h("span", { class: "cost-fill", style: `transform: scaleX(${fraction})` }),
      h("span", { class: "cost-limit", style: `left: ${cost.budgetPercent}%` })),
    h("span", { class: "cost-text" }, cost.chosen ? `${percent(shown.loadPercent)} of the period${cost.approximate ? " (est.)" : ""}` : "does not fit"));
}

export function modelView(context: ViewContext): View {
  const { store } = context;
  return new LibraryView<ModelInfo>(context, {
    kind: "models", id: "amp", label: "Amp", icon: "▤", noun: "amp", accept: ".nam,application/json",
    prompt: "Add a model (.nam) — tap or drop",
    entries: () => store.state.models,
    details: (model) => [
      h("span", { class: `badge badge-${model.badge.toLowerCase()}` }, model.badge),
      h("span", { class: "card-sub" }, `${model.label}${model.metadata.gearMake ? ` · ${model.metadata.gearMake}` : ""}${model.metadata.gearModel ? ` ${model.metadata.gearModel}` : ""}`),
      costBar(model),
      model.cost.chosen && !model.cost.slimmed ? "" : h("span", { class: "card-note" }, model.cost.message),
    ],
    selectable: (model) => model.cost.chosen !== null,
    select: (model) => api.selectModel(model.id),
    clear: () => api.clearModel(),
    playingId: () => store.state.live?.modelId ?? null,
  });
}

export function irView(context: ViewContext): View {
  const { store } = context;
  return new LibraryView<IrInfo>(context, {
    kind: "irs", id: "cab", label: "Cab", icon: "▦", noun: "cab", accept: ".wav,audio/wav,audio/x-wav",
    prompt: "Add an impulse response (.wav) — tap or drop",
    entries: () => store.state.irs,
    details: (ir) => [h("span", { class: "card-sub" }, `${(ir.sampleRateHz / 1000).toFixed(1)} kHz · ${ir.durationMs.toFixed(0)} ms`)],
    selectable: () => true,
    select: (ir) => api.selectIr(ir.id),
    clear: () => api.clearIr(),
    playingId: () => store.state.live?.irId ?? null,
  });
}
