// Where files come in: tap to choose, or drop (on a tablet or a laptop); a progress bar while the
// bytes travel, then the pedal's verdict.

import { h } from "../dom.js";

export interface UploadZoneOptions {
  accept: string;
  prompt: string;
  upload(file: File, onProgress: (fraction: number) => void): Promise<void>;
}

export class UploadZone {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly bar = h("div", { class: "progress-fill" });
  private readonly progress = h("div", { class: "progress", hidden: true }, this.bar);
  private busy = false;

  constructor(private readonly options: UploadZoneOptions) {
    this.input = h("input", { type: "file", accept: options.accept, class: "visually-hidden", "aria-label": options.prompt });
    this.input.addEventListener("change", () => {
      const file = this.input.files?.[0];
      this.input.value = "";
      if (file) void this.send(file);
    });
    this.element = h("label", { class: "upload-zone" }, this.input, h("span", { class: "upload-plus", "aria-hidden": "true" }, "+"), h("span", {}, options.prompt), this.progress);
    this.element.addEventListener("dragover", (event) => {
      event.preventDefault();
      this.element.classList.add("drag");
    });
    this.element.addEventListener("dragleave", () => this.element.classList.remove("drag"));
    this.element.addEventListener("drop", (event) => {
      event.preventDefault();
      this.element.classList.remove("drag");
      const file = event.dataTransfer?.files[0];
      if (file) void this.send(file);
    });
  }

  private async send(file: File): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.progress.hidden = false;
    this.element.classList.add("busy");
    this.bar.style.transform = "scaleX(0)";
    try {
      await this.options.upload(file, (fraction) => {
        this.bar.style.transform = `scaleX(${fraction})`;
      });
    } finally {
      this.busy = false;
      this.progress.hidden = true;
      this.element.classList.remove("busy");
    }
  }
}
