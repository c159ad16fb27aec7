// Short messages above the tab bar: a refusal ("A1 Standard needs ~95 %…"), a slimmed model, a
// footswitch action that failed. Errors stay longer.

import { h } from "../dom.js";

export class Toasts {
  readonly element = h("div", { class: "toasts", role: "status", "aria-live": "polite" });

  show(text: string, level: "info" | "warn" | "error" = "info"): void {
    const toast = h("div", { class: `toast toast-${level}` }, text);
    toast.addEventListener("click", () => toast.remove());
    this.element.appendChild(toast);
    setTimeout(() => toast.remove(), level === "error" ? 8000 : 4000);
    while (this.element.childElementCount > 3) this.element.firstElementChild?.remove();
  }
}
