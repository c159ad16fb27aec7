// The WebSocket side of the stage: every connected page gets the full state when it connects and
// again after every change (engine, presets, footswitches — bursts coalesced into one push on
// the next turn of the event loop), the meters 25 times a second while anyone listens, and
// notices. Meters are cheap reads of the engine's shared memory; the audio runs in its own
// worker, so nothing here can disturb it. A page that cannot keep up skips meter frames instead
// of piling them up in memory. Main thread.

import { METERS_INTERVAL_MS, type LibraryKind, type ServerMessage } from "../api-contract/index.js";
import type { AudioEngine } from "../engine/engine.js";
import type { PresetStore, PresetStoreEvent } from "../library/presets.js";
import type { StageView } from "./stage-view.js";

/** The part of a `ws` WebSocket the hub uses. */
export interface ClientSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: "close" | "error", listener: () => void): unknown;
}

export interface LiveHubDeps {
  view: StageView;
  engine: AudioEngine;
  presets: PresetStore;
  log: { warn(message: string): void };
}

const OPEN = 1;
/** A page with this much unsent data gets no meter frames until it catches up, bytes. */
const MAX_BUFFERED_BYTES = 64 * 1024;
/** Close code for "the server is going away" (RFC 6455). */
const GOING_AWAY = 1001;

export class LiveHub {
  private readonly sockets = new Set<ClientSocket>();
  private metersTimer: NodeJS.Timeout | null = null;
  private statePushScheduled = false;
  private stopPresetEvents: (() => void) | null = null;
  private readonly onEngineChange = () => this.scheduleStatePush();
  private readonly onEngineFault = (message: string) => this.notice("error", `audio: ${message}`);

  constructor(private readonly deps: LiveHubDeps) {}

  async start(): Promise<void> {
    this.deps.engine.on("change", this.onEngineChange);
    this.deps.engine.on("fault", this.onEngineFault);
    this.stopPresetEvents = this.deps.presets.subscribe((event) => this.onPresetEvent(event));
  }

  async stop(): Promise<void> {
    this.deps.engine.off("change", this.onEngineChange);
    this.deps.engine.off("fault", this.onEngineFault);
    this.stopPresetEvents?.();
    this.stopPresetEvents = null;
    this.stopMeters();
    for (const socket of this.sockets) socket.close(GOING_AWAY, "the pedal is stopping");
    this.sockets.clear();
  }

  /** A page connected: it gets the state now and every push from here on. */
  attach(socket: ClientSocket): void {
    this.sockets.add(socket);
    const detach = () => {
      this.sockets.delete(socket);
      if (this.sockets.size === 0) this.stopMeters();
    };
    socket.on("close", detach);
    socket.on("error", detach);
    this.sendTo(socket, this.stateMessage());
    this.metersTimer ??= setInterval(() => this.pushMeters(), METERS_INTERVAL_MS);
  }

  /** A library list changed (upload, rename, delete): pages fetch it again. */
  publishLibrary(library: LibraryKind): void {
    this.broadcast({ type: "library", library });
    // Lists carry "playing"/"used by": the stage may show the new names too.
    this.scheduleStatePush();
  }

  notice(level: "info" | "warn" | "error", message: string): void {
    this.broadcast({ type: "notice", level, message });
  }

  /** Coalesces a burst of changes (a preset switch touches model, IR and params) into one push. */
  scheduleStatePush(): void {
    if (this.statePushScheduled || this.sockets.size === 0) return;
    this.statePushScheduled = true;
    setImmediate(() => {
      this.statePushScheduled = false;
      this.broadcast(this.stateMessage());
    });
  }

  private onPresetEvent(event: PresetStoreEvent): void {
    switch (event.type) {
      case "changed":
        this.publishLibrary("presets");
        return;
      case "activated":
        this.scheduleStatePush();
        return;
      case "activation-failed":
        this.notice("error", event.message);
        this.scheduleStatePush();
        return;
    }
  }

  private stateMessage(): ServerMessage {
    return { type: "state", status: this.deps.view.status(), live: this.deps.view.live() };
  }

  private pushMeters(): void {
    const text = JSON.stringify({ type: "meters", meters: this.deps.view.meters() } satisfies ServerMessage);
    for (const socket of this.sockets) {
      if (socket.readyState === OPEN && socket.bufferedAmount < MAX_BUFFERED_BYTES) socket.send(text);
    }
  }

  private broadcast(message: ServerMessage): void {
    if (this.sockets.size === 0) return;
    const text = JSON.stringify(message);
    for (const socket of this.sockets) this.sendText(socket, text);
  }

  private sendTo(socket: ClientSocket, message: ServerMessage): void {
    this.sendText(socket, JSON.stringify(message));
  }

  private sendText(socket: ClientSocket, text: string): void {
    if (socket.readyState !== OPEN) return;
    try {
      socket.send(text);
    } catch (error) {
      this.deps.log.warn(`websocket: send failed: ${(error as Error).message}`);
    }
  }

  private stopMeters(): void {
    if (this.metersTimer) clearInterval(this.metersTimer);
    this.metersTimer = null;
  }
}
