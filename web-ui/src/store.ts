// Everything the page shows, in one place: the pedal's state from the WebSocket, the library
// lists fetched over HTTP, and who to tell when a part changes.

import type { AuthStatus, IrInfo, LibraryKind, LiveSound, Meters, ModelInfo, PresetsOverview, ServerMessage, Status } from "../../firmware/api-contract/index.js";
import { api } from "./client.js";

export interface PageState {
  online: boolean;
  /** Whether this phone may change things (null until the pedal has said). */
  auth: AuthStatus | null;
  status: Status | null;
  live: LiveSound | null;
  meters: Meters | null;
  models: ModelInfo[];
  irs: IrInfo[];
  presets: PresetsOverview | null;
}

export type StateKey = keyof PageState;
type Listener = (changed: ReadonlySet<StateKey>) => void;

export class Store {
  readonly state: PageState = { online: false, auth: null, status: null, live: null, meters: null, models: [], irs: [], presets: null };
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): void {
    this.listeners.add(listener);
  }

  set(patch: Partial<PageState>): void {
    Object.assign(this.state, patch);
    const changed = new Set(Object.keys(patch) as StateKey[]);
    for (const listener of this.listeners) listener(changed);
  }

  /** What the WebSocket says goes straight into the state; list changes are fetched. */
  receive(message: ServerMessage, onNotice: (level: "info" | "warn" | "error", text: string) => void): void {
    switch (message.type) {
      case "state":
        this.set({ status: message.status, live: message.live });
        return;
      case "meters":
        this.set({ meters: message.meters });
        return;
      case "library":
        void this.refresh(message.library);
        return;
      case "notice":
        onNotice(message.level, message.message);
        return;
    }
  }

  async refresh(kind: LibraryKind): Promise<void> {
    switch (kind) {
      case "models":
        this.set({ models: (await api.models()).models });
        return;
      case "irs":
        this.set({ irs: (await api.irs()).irs });
        return;
      case "presets":
        this.set({ presets: await api.presets() });
        return;
    }
  }

  /** The active preset, and whether the live sound differs from it (edited, not saved). */
  activePreset(): { preset: PresetsOverview["presets"][number]; edited: boolean } | null {
    const { presets, live } = this.state;
    const preset = presets?.presets.find((p) => p.id === presets.activePresetId);
    if (!preset || !live) return null;
    const edited = preset.modelId !== live.modelId || preset.irId !== live.irId || !sameValue(preset.params, live.params);
    return { preset, edited };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
