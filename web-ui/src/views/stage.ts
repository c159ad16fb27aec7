// The stage: what plays, big enough to read on the floor — bank, preset, amp and cab — with
// previous/next, a bypass footswitch, and the input/output meters.

import { PeakMeter } from "../components/meter.js";
import { api } from "../client.js";
import { h } from "../dom.js";
import type { StateKey } from "../store.js";
import { percent, type View, type ViewContext } from "./view.js";

export class StageView implements View {
  readonly id = "stage";
  readonly label = "Stage";
  readonly icon = "◉";
  readonly element: HTMLElement;
  private readonly bank = h("div", { class: "stage-bank" });
  private readonly presetName = h("h1", { class: "stage-preset", "data-testid": "preset-name" });
  private readonly edited = h("span", { class: "edited-mark", hidden: true }, "edited");
  private readonly amp = h("div", { class: "stage-line" });
  private readonly cab = h("div", { class: "stage-line" });
  private readonly bypass: HTMLButtonElement;
  private readonly input = new PeakMeter("IN");
  private readonly output = new PeakMeter("OUT");
  private readonly gate = h("span", { class: "led gate-led", title: "gate" });

  constructor(private readonly context: ViewContext) {
    const step = (action: "preset-previous" | "preset-next", label: string, glyph: string) =>
      h("button", { class: "stage-step", "aria-label": label, onclick: () => void context.run(() => api.action(action)) }, glyph);
    this.bypass = h("button", {
      class: "footswitch", "aria-label": "bypass", "data-testid": "bypass",
      onclick: () => void context.run(() => api.action("bypass-toggle")),
    }, h("span", { class: "led footswitch-led" }), h("span", { class: "footswitch-text" }));
    this.element = h("section", { class: "view stage" },
      h("div", { class: "stage-head" }, this.bank, h("div", { class: "stage-title" }, this.presetName, this.edited)),
      h("div", { class: "stage-sound" }, this.amp, this.cab),
      h("div", { class: "stage-meters" }, this.input.element, this.output.element, h("div", { class: "gate" }, this.gate, "gate")),
      // Under the thumb: previous, bypass, next.
      h("div", { class: "stage-controls" }, step("preset-previous", "previous preset", "‹"), this.bypass, step("preset-next", "next preset", "›")));
  }

  update(changed: ReadonlySet<StateKey>): void {
    const { status, meters } = this.context.store.state;
    if (changed.has("meters") && meters) {
      this.input.set(meters.inputPeakDb);
      this.output.set(meters.outputPeakDb);
      this.gate.classList.toggle("on", meters.gateOpen);
    }
    if (!(changed.has("status") || changed.has("presets") || changed.has("live")) || !status) return;
    const preset = status.preset;
    this.bank.textContent = preset ? `${preset.bankName ?? "All presets"}${preset.position === null ? "" : ` · ${preset.position}/${preset.count}`}` : "No preset";
    this.presetName.textContent = preset?.name ?? "Live";
    this.edited.hidden = !this.context.store.activePreset()?.edited;
    const model = status.model;
    this.amp.replaceChildren(
      h("span", { class: `badge badge-${(model?.badge ?? "none").toLowerCase()}` }, model?.badge ?? "—"),
      h("span", { class: "stage-line-name" }, model?.name ?? "No amp"),
      model?.predictedLoadPercent == null ? "" : h("span", { class: "stage-line-cost" }, `${percent(model.predictedLoadPercent)}${model.slim === null ? "" : " · slim"}`),
    );
    this.cab.replaceChildren(h("span", { class: "badge badge-cab" }, "CAB"), h("span", { class: "stage-line-name" }, status.ir?.name ?? "No cab"));
    const bypassed = status.audio.bypass;
    this.bypass.classList.toggle("bypassed", bypassed);
    this.bypass.setAttribute("aria-pressed", String(!bypassed));
    this.bypass.querySelector(".footswitch-text")!.textContent = bypassed ? "BYPASS" : "ON";
  }
}
