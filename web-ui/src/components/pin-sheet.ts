// The admin PIN, asked for in a sheet over the page: "choose a PIN" on first use, "enter the
// PIN" when a change was refused for want of it or the player taps the lock. Without the PIN the
// page still shows the stage, meters and lists (SECURITY.md: what stays readable); "Watch only"
// closes the sheet for a second phone that only looks.

import { PIN_MAX_LENGTH, PIN_MIN_LENGTH, pinProblem, type AuthStatus } from "../../../firmware/api-contract/index.js";
import { api, RequestFailed } from "../client.js";
import { h } from "../dom.js";

export type PinSheetMode = "setup" | "login";

export class PinSheet {
  readonly element: HTMLElement;
  private readonly title = h("h2", { class: "pin-title", id: "pin-title" });
  private readonly hint = h("p", { class: "pin-hint" });
  private readonly pin = pinInput("pin", "PIN");
  private readonly confirmation = pinInput("pin-confirm", "PIN again");
  private readonly confirmationRow = h("label", { class: "pin-field" }, h("span", {}, "Again"), this.confirmation);
  private readonly problem = h("p", { class: "pin-problem", role: "alert" });
  private readonly submit = h("button", { class: "primary", type: "submit" });
  private mode: PinSheetMode = "login";

  /** `onAuth` gets the pedal's answer after a successful setup or login. */
  constructor(private readonly onAuth: (status: AuthStatus) => void) {
    const form = h("form", { class: "pin-form", onsubmit: (event: Event) => {
      event.preventDefault();
      void this.send();
    } },
    this.title, this.hint,
    h("label", { class: "pin-field" }, h("span", {}, "PIN"), this.pin),
    this.confirmationRow, this.problem,
    h("div", { class: "pin-actions" }, h("button", { type: "button", class: "pin-watch", onclick: () => this.close() }, "Watch only"), this.submit));
    this.element = h("div", { class: "pin-sheet", role: "dialog", "aria-modal": "true", "aria-labelledby": "pin-title", hidden: true }, form);
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  open(mode: PinSheetMode, hint?: string): void {
    this.mode = mode;
    const setup = mode === "setup";
    this.title.textContent = setup ? "Choose an admin PIN" : "Enter the admin PIN";
    this.hint.textContent = hint ?? (setup
      ? `Nobody has set one yet. Anyone on this Wi-Fi could change your sound until you do: ${PIN_MIN_LENGTH}–${PIN_MAX_LENGTH} characters, digits are fine.`
      : "Changes need the PIN; without it this phone can watch the stage.");
    this.confirmationRow.hidden = !setup;
    this.pin.autocomplete = setup ? "new-password" : "current-password";
    this.submit.textContent = setup ? "Set PIN" : "Unlock";
    this.pin.value = "";
    this.confirmation.value = "";
    this.problem.textContent = "";
    this.element.hidden = false;
    this.pin.focus();
  }

  close(): void {
    this.element.hidden = true;
  }

  private async send(): Promise<void> {
    const pin = this.pin.value;
    const problem = this.localProblem(pin);
    if (problem !== null) {
      this.problem.textContent = problem;
      return;
    }
    this.submit.disabled = true;
    try {
      const status = this.mode === "setup" ? await api.setupPin(pin) : await api.login(pin);
      this.close();
      this.onAuth(status);
    } catch (error) {
      // 401 wrong PIN, 429 with the wait in its message, 423 a damaged stored PIN: the pedal's words.
      this.problem.textContent = error instanceof RequestFailed ? error.message : `no answer from the pedal (${(error as Error).message})`;
      this.pin.select();
    } finally {
      this.submit.disabled = false;
    }
  }

  /** What the page can tell before asking the pedal (which checks the same again). */
  private localProblem(pin: string): string | null {
    if (this.mode === "login") return pin.length === 0 ? "type the PIN" : null;
    return pinProblem(pin) ?? (pin === this.confirmation.value ? null : "the two PINs differ");
  }
}

function pinInput(name: string, label: string): HTMLInputElement {
  return h("input", { type: "password", name, inputmode: "numeric", "aria-label": label, autocapitalize: "off", spellcheck: "false" });
}
