// What every screen of the page provides, and what they share.

import type { Toasts } from "../components/toast.js";
import { RequestFailed } from "../client.js";
import type { StateKey, Store } from "../store.js";

export interface View {
  /** The location hash that shows it. */
  readonly id: string;
  readonly label: string;
  /** A glyph for the tab bar. */
  readonly icon: string;
  readonly element: HTMLElement;
  update(changed: ReadonlySet<StateKey>): void;
  shown?(): void;
  hidden?(): void;
}

export class ViewContext {
  constructor(readonly store: Store, readonly toasts: Toasts) {}

  /** Runs a request; a refusal becomes a toast with the pedal's own words. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      // A refusal for want of the PIN opens the PIN sheet instead (client.ts whenPinRequired).
      if (error instanceof RequestFailed && error.needsPin) return undefined;
      this.toasts.show(error instanceof RequestFailed ? error.message : `no answer from the pedal (${(error as Error).message})`, "error");
      return undefined;
    }
  }
}

/** "1.2 %" / "12 %": one decimal below 10. */
export function percent(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} %`;
}
