// Presets and banks: pick a bank, tap a preset to play it, reorder with the arrows, save the live
// sound into the current preset or as a new one, add and remove banks.

import type { Bank, Preset, PresetsOverview } from "../../../firmware/api-contract/index.js";
import { api } from "../client.js";
import { h, replaceChildren } from "../dom.js";
import type { StateKey } from "../store.js";
import type { View, ViewContext } from "./view.js";

/** Which list the page shows: a bank, or every preset. */
type Shown = { bankId: string } | "all";

export class PresetsView implements View {
  readonly id = "presets";
  readonly label = "Presets";
  readonly icon = "☰";
  readonly element: HTMLElement;
  private readonly banks = h("div", { class: "chips", role: "tablist" });
  private readonly list = h("ol", { class: "presets" });
  private readonly actions = h("div", { class: "preset-actions" });
  private picked: Shown | null = null;
  private naming: "preset" | "bank" | null = null;

  constructor(private readonly context: ViewContext) {
    this.element = h("section", { class: "view presets-view" }, this.banks, this.actions, this.list);
  }

  update(changed: ReadonlySet<StateKey>): void {
    if (changed.has("presets") || changed.has("live") || changed.has("status")) this.render();
  }

  private render(): void {
    const overview = this.context.store.state.presets;
    if (!overview) return;
    const shown = this.currentList(overview);
    replaceChildren(this.banks,
      ...overview.banks.map((bank) => this.chip(bank.name, shown !== "all" && shown.bankId === bank.id, { bankId: bank.id })),
      this.chip("All", shown === "all", "all"),
      h("button", { class: "chip chip-add", onclick: () => this.startNaming("bank") }, "+ Bank"));
    const bank = shown === "all" ? null : overview.banks.find((b) => b.id === shown.bankId) ?? null;
    const presets = bank ? bank.presetIds.map((id) => overview.presets.find((p) => p.id === id)!).filter(Boolean) : overview.presets;
    replaceChildren(this.list, ...presets.map((preset, index) => this.row(preset, index, presets.length, bank, overview)));
    if (presets.length === 0) this.list.appendChild(h("li", { class: "empty" }, bank ? "This bank is empty: save the live sound as a new preset." : "No presets yet."));
    this.renderActions(bank, overview);
  }

  /** The bank picked on this page, else the one playing, else the first. */
  private currentList(overview: PresetsOverview): Shown {
    const stillThere = (shown: Shown | null) => shown === "all" || (shown !== null && overview.banks.some((b) => b.id === shown.bankId));
    if (stillThere(this.picked)) return this.picked!;
    const playingBank = this.context.store.state.status?.preset?.bankId ?? overview.banks[0]?.id;
    return playingBank ? { bankId: playingBank } : "all";
  }

  private chip(label: string, selected: boolean, target: Shown): HTMLElement {
    return h("button", {
      class: `chip${selected ? " selected" : ""}`, role: "tab", "aria-selected": String(selected),
      onclick: () => { this.picked = target; this.render(); },
    }, label);
  }

  private row(preset: Preset, index: number, count: number, bank: Bank | null, overview: PresetsOverview): HTMLElement {
    const active = overview.activePresetId === preset.id;
    const modelName = this.context.store.state.models.find((m) => m.id === preset.modelId)?.name ?? "No amp";
    const move = (delta: -1 | 1) => async () => {
      if (!bank) return;
      const order = [...bank.presetIds];
      [order[index], order[index + delta]] = [order[index + delta]!, order[index]!];
      await this.context.run(() => api.updateBank(bank.id, { presetIds: order }));
    };
    return h("li", { class: `preset-row${active ? " active" : ""}` },
      h("button", {
        class: "preset-main", "data-testid": `preset-${preset.name}`,
        onclick: () => void this.context.run(() => api.activatePreset(preset.id, bank?.id)),
      }, h("span", { class: "preset-number" }, String(index + 1)), h("span", { class: "preset-name" }, preset.name), h("span", { class: "preset-sub" }, modelName)),
      bank ? h("button", { class: "icon-button", "aria-label": `move ${preset.name} up`, disabled: index === 0, onclick: move(-1) }, "↑") : null,
      bank ? h("button", { class: "icon-button", "aria-label": `move ${preset.name} down`, disabled: index === count - 1, onclick: move(1) }, "↓") : null,
      h("button", {
        class: "icon-button danger", "aria-label": `delete ${preset.name}`,
        onclick: () => void this.context.run(() => api.deletePreset(preset.id)),
      }, "×"));
  }

  private renderActions(bank: Bank | null, overview: PresetsOverview): void {
    const { store } = this.context;
    const active = store.activePreset();
    if (this.naming !== null) {
      replaceChildren(this.actions, this.nameForm(bank));
      return;
    }
    replaceChildren(this.actions,
      h("button", { class: "primary", disabled: !active?.edited, onclick: () => void this.saveLive(active!.preset.id) }, active ? `Save “${active.preset.name}”` : "Save"),
      h("button", { onclick: () => this.startNaming("preset") }, "Save as new"),
      bank && overview.banks.length > 0 ? h("button", { class: "danger", onclick: () => void this.context.run(() => api.deleteBank(bank.id)) }, "Delete bank") : null);
  }

  private nameForm(bank: Bank | null): HTMLElement {
    const what = this.naming!;
    const input = h("input", { type: "text", maxlength: 64, placeholder: what === "bank" ? "Bank name" : "Preset name", "aria-label": `${what} name` });
    const form = h("form", { class: "name-form" }, input, h("button", { type: "submit", class: "primary" }, "Create"),
      h("button", { type: "button", onclick: () => { this.naming = null; this.render(); } }, "Cancel"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const name = input.value.trim();
      if (name === "") return;
      const created = what === "bank"
        ? await this.context.run(() => api.createBank({ name }))
        : await this.context.run(() => this.createFromLive(name, bank));
      if (created === undefined) return;
      this.naming = null;
      if (what === "bank") this.picked = { bankId: created.id };
      await this.context.store.refresh("presets");
    });
    queueMicrotask(() => input.focus());
    return form;
  }

  private startNaming(what: "preset" | "bank"): void {
    this.naming = what;
    this.render();
  }

  /** A new preset holding the live sound, added to the bank on screen, then played. */
  private async createFromLive(name: string, bank: Bank | null): Promise<Preset> {
    const live = this.context.store.state.live!;
    const preset = await api.createPreset({ name, modelId: live.modelId, slim: live.slim, irId: live.irId, params: live.params, ...(bank && { bankId: bank.id }) });
    await api.activatePreset(preset.id, bank?.id);
    return preset;
  }

  private async saveLive(presetId: string): Promise<void> {
    const live = this.context.store.state.live!;
    const saved = await this.context.run(() => api.updatePreset(presetId, { modelId: live.modelId, slim: live.slim, irId: live.irId, params: live.params }));
    if (saved) this.context.toasts.show(`Saved “${saved.name}”`);
  }
}
