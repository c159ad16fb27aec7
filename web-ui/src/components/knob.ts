// A rotary knob for thumbs: drag up/down anywhere on it (a full sweep is 220 px, so a small
// movement is a small change), double-tap for the default, arrow keys for the fine step. It
// reports every change while dragging (the caller throttles what it sends) and once on release.

import { h, svg } from "../dom.js";

export interface KnobOptions {
  label: string;
  min: number;
  max: number;
  step: number;
  defaultValue: number;
  /** How the value reads under the knob, e.g. "-3.0 dB". */
  format(value: number): string;
  onInput(value: number, done: boolean): void;
}

const SWEEP_DEGREES = 270;
const DRAG_PIXELS_FOR_FULL_RANGE = 220;
const ARC_RADIUS = 26;

function arcPath(fromDegrees: number, toDegrees: number): string {
  const point = (degrees: number) => {
    const radians = ((degrees - 90) * Math.PI) / 180;
    return `${32 + ARC_RADIUS * Math.cos(radians)} ${32 + ARC_RADIUS * Math.sin(radians)}`;
  };
  const large = toDegrees - fromDegrees > 180 ? 1 : 0;
  return `M ${point(fromDegrees)} A ${ARC_RADIUS} ${ARC_RADIUS} 0 ${large} 1 ${point(toDegrees)}`;
}

export class Knob {
  readonly element: HTMLElement;
  private value: number;
  private readonly valueArc = svg("path", { class: "knob-value" });
  private readonly pointer = svg("line", { class: "knob-pointer", x1: 32, y1: 32, x2: 32, y2: 12 });
  private readonly readout = h("span", { class: "knob-readout" });
  private dragging = false;

  constructor(private readonly options: KnobOptions) {
    this.value = options.defaultValue;
    const dial = svg("svg", { viewBox: "0 0 64 64", class: "knob-dial", "aria-hidden": "true" },
      svg("path", { class: "knob-track", d: arcPath(-SWEEP_DEGREES / 2, SWEEP_DEGREES / 2) }),
      this.valueArc,
      svg("circle", { class: "knob-cap", cx: 32, cy: 32, r: 18 }),
      this.pointer);
    this.element = h("div", {
      class: "knob", role: "slider", tabindex: 0, "aria-label": options.label,
      "aria-valuemin": options.min, "aria-valuemax": options.max,
    }, dial, h("span", { class: "knob-label" }, options.label), this.readout);
    this.listen();
    this.render();
  }

  /** Shows a value from the pedal (ignored while a finger is on the knob). */
  set(value: number): void {
    if (this.dragging || value === this.value) return;
    this.value = value;
    this.render();
  }

  private listen(): void {
    const { min, max, step } = this.options;
    let startY = 0;
    let startValue = 0;
    let lastTap = 0;
    this.element.addEventListener("pointerdown", (event) => {
      const now = performance.now();
      if (now - lastTap < 300) {
        this.commit(this.options.defaultValue, true);
        lastTap = 0;
        return;
      }
      lastTap = now;
      this.dragging = true;
      startY = event.clientY;
      startValue = this.value;
      this.element.setPointerCapture(event.pointerId);
      this.element.classList.add("active");
    });
    this.element.addEventListener("pointermove", (event) => {
      if (!this.dragging) return;
      const travel = (startY - event.clientY) / DRAG_PIXELS_FOR_FULL_RANGE;
      this.commit(startValue + travel * (max - min), false);
    });
    const release = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.element.classList.remove("active");
      this.options.onInput(this.value, true);
    };
    this.element.addEventListener("pointerup", release);
    this.element.addEventListener("pointercancel", release);
    this.element.addEventListener("keydown", (event) => {
      const delta = event.key === "ArrowUp" || event.key === "ArrowRight" ? step : event.key === "ArrowDown" || event.key === "ArrowLeft" ? -step : 0;
      if (delta === 0) return;
      event.preventDefault();
      this.commit(this.value + delta, true);
    });
  }

  private commit(raw: number, done: boolean): void {
    const { min, max, step } = this.options;
    const value = Math.min(max, Math.max(min, Math.round(raw / step) * step));
    const changed = value !== this.value;
    this.value = Number(value.toFixed(6));
    this.render();
    if (changed || done) this.options.onInput(this.value, done);
  }

  private render(): void {
    const { min, max } = this.options;
    const fraction = (this.value - min) / (max - min);
    const angle = -SWEEP_DEGREES / 2 + fraction * SWEEP_DEGREES;
    this.valueArc.setAttribute("d", fraction <= 0.001 ? "" : arcPath(-SWEEP_DEGREES / 2, angle));
    this.pointer.setAttribute("transform", `rotate(${angle} 32 32)`);
    this.readout.textContent = this.options.format(this.value);
    this.element.setAttribute("aria-valuenow", String(this.value));
    this.element.setAttribute("aria-valuetext", this.options.format(this.value));
  }
}
