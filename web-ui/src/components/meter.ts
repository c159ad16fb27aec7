// A peak meter bar: -60…0 dBFS, green → amber → red near the top.

import { h } from "../dom.js";

const FLOOR_DB = -60;

export class PeakMeter {
  readonly element: HTMLElement;
  private readonly fill = h("div", { class: "meter-fill" });
  private readonly readout = h("span", { class: "meter-readout" }, "–∞");

  constructor(label: string) {
    this.element = h("div", { class: "meter" }, h("span", { class: "meter-label" }, label), h("div", { class: "meter-bar" }, this.fill), this.readout);
  }

  set(peakDb: number): void {
    const fraction = Math.max(0, Math.min(1, (peakDb - FLOOR_DB) / -FLOOR_DB));
    this.fill.style.transform = `scaleX(${fraction})`;
    this.fill.classList.toggle("hot", peakDb > -6);
    this.fill.classList.toggle("clip", peakDb > -0.5);
    this.readout.textContent = peakDb <= -119 ? "–∞" : peakDb.toFixed(0);
  }
}
