// The tuner: opening it mutes the output and listens (as a tuner pedal does); the note, a needle
// ±50 cents, and green when within ±3 cents. Leaving it unmutes — unless a footswitch had turned
// the tuner on, then the footswitch turns it off.

import { api } from "../client.js";
import { h } from "../dom.js";
import type { StateKey } from "../store.js";
import type { View, ViewContext } from "./view.js";

const IN_TUNE_CENTS = 3;
const NO_NOTE = "·";

export class TunerView implements View {
  readonly id = "tuner";
  readonly label = "Tuner";
  readonly icon = "♮";
  readonly element: HTMLElement;
  private readonly note = h("div", { class: "tuner-note", "data-testid": "tuner-note" }, NO_NOTE);
  private readonly needle = h("div", { class: "tuner-needle" });
  private readonly cents = h("div", { class: "tuner-cents" });
  private readonly frequency = h("div", { class: "tuner-frequency" });
  private readonly mute = h("button", { class: "toggle tuner-mute", onclick: () => void this.setTuner(!this.context.store.state.live?.tuner) }, h("span", { class: "led" }), "Mute & tune");
  private turnedOnHere = false;

  constructor(private readonly context: ViewContext) {
    this.element = h("section", { class: "view tuner" },
      this.note,
      h("div", { class: "tuner-scale" }, this.needle),
      h("div", { class: "tuner-labels" }, h("span", {}, "−50"), h("span", { class: "tuner-zero" }, "0"), h("span", {}, "+50")),
      this.cents, this.frequency, this.mute);
  }

  shown(): void {
    if (this.context.store.state.live?.tuner) return;
    this.turnedOnHere = true;
    void this.setTuner(true);
  }

  hidden(): void {
    if (this.turnedOnHere && this.context.store.state.live?.tuner) void this.setTuner(false);
    this.turnedOnHere = false;
  }

  update(changed: ReadonlySet<StateKey>): void {
    const { meters, live } = this.context.store.state;
    if (changed.has("live")) {
      this.mute.classList.toggle("on", live?.tuner === true);
      this.mute.setAttribute("aria-pressed", String(live?.tuner === true));
    }
    if (!changed.has("meters") || !meters) return;
    const { note, cents, frequencyHz } = meters.tuner;
    this.note.textContent = note ?? NO_NOTE;
    const offset = cents === null ? 0 : Math.max(-50, Math.min(50, cents));
    this.needle.style.left = `${50 + offset}%`;
    const inTune = cents !== null && Math.abs(cents) <= IN_TUNE_CENTS;
    this.element.classList.toggle("in-tune", inTune);
    this.element.classList.toggle("listening", note === null);
    this.cents.textContent = cents === null ? (meters.tuner.active ? "play a string" : "tuner off") : `${cents > 0 ? "+" : ""}${cents.toFixed(0)} cents`;
    this.frequency.textContent = frequencyHz === null ? "" : `${frequencyHz.toFixed(1)} Hz`;
  }

  private async setTuner(on: boolean): Promise<void> {
    await this.context.run(() => api.patchLive({ tuner: on }));
  }
}
