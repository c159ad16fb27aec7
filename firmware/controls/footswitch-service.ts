// The footswitch service: GPIO edges (or the virtual footswitch) → gestures → actions, run one at a
// time in order; LEDs follow the engine's state. Lifecycle like every service: the constructor
// only stores its dependencies, start() claims the lines, stop() releases everything.
// Main thread.

import type { AudioEngineApi } from "../engine/api.js";
import type { FootswitchAction } from "./actions.js";
import type { ControlClock } from "./clock.js";
import type { ResolvedFootswitchConfig } from "./footswitch-config.js";
import { FootswitchGestures, type TriggeredAction } from "./gestures.js";
import type { GpioBackend, GpioEdge } from "./gpio-backend.js";
import { LED_TICK_MS, ledLevels } from "./leds.js";

export interface ControlsLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface FootswitchServiceDeps {
  config: ResolvedFootswitchConfig;
  backend: GpioBackend;
  /** Runs an action (StageActions in production). */
  actions: { run(action: FootswitchAction): Promise<void> };
  /** Read for the LEDs. */
  engine: Pick<AudioEngineApi, "status" | "meters">;
  clock: ControlClock;
  log: ControlsLog;
}

export class FootswitchService {
  private gestures: FootswitchGestures | null = null;
  private switchIndexByGpio = new Map<number, number>();
  private cancelGestureTimer: (() => void) | null = null;
  private cancelLedTimer: (() => void) | null = null;
  private actionQueue: Promise<void> = Promise.resolve();
  private readonly ledsLit = new Map<number, boolean>();
  private bankChangedAtMs: number | null = null;
  private ledReadFailed = false;

  constructor(private readonly deps: FootswitchServiceDeps) {}

  async start(): Promise<void> {
    if (this.gestures) throw new Error("footswitch service already started");
    const { config, backend, log } = this.deps;
    const switches = config.layout.switches;
    this.switchIndexByGpio = new Map(switches.map((binding, index) => [binding.gpio, index]));
    const gestures = new FootswitchGestures(config.layout, config.debounceUs, config.timing);
    const leds = [config.leds.active, config.leds.tuner, config.leds.bank].filter((gpio): gpio is number => gpio !== null);
    await backend.open({
      inputs: switches.map((binding) => binding.gpio),
      outputs: leds,
      onEdge: (edge) => this.onEdge(edge),
      onError: (error) => log.error(`footswitches: ${error.message}`),
    });
    this.gestures = gestures;
    for (const gpio of leds) this.ledsLit.set(gpio, false);
    if (leds.length > 0) this.updateLeds();
    const names = switches.map((binding, i) => `${binding.label ?? i + 1}=GPIO${binding.gpio}`).join(", ");
    log.info(`footswitches: ${switches.length} on ${backend.name} (${names}); LEDs on ${leds.map((gpio) => `GPIO${gpio}`).join(", ") || "none"}`);
  }

  async stop(): Promise<void> {
    if (!this.gestures) return;
    this.gestures = null;
    this.cancelGestureTimer?.();
    this.cancelGestureTimer = null;
    this.cancelLedTimer?.();
    this.cancelLedTimer = null;
    await this.actionQueue;
    await this.deps.backend.close();
    this.ledsLit.clear();
  }

  /** The web UI's hold-able virtual switch (1-based): a clean press or release, now. */
  virtualSwitch(switchNumber: number, pressed: boolean): void {
    const gestures = this.running();
    this.enqueue(gestures.cleanChange(switchNumber - 1, pressed, this.deps.clock.nowUs()));
    this.scheduleGestures();
  }

  /** A whole short or long press of switch `switchNumber` (1-based), for keys and UI buttons. */
  virtualPress(switchNumber: number, gesture: "short" | "long"): void {
    const action = this.running().actionFor(switchNumber - 1, gesture);
    if (action === null) return;
    this.enqueue([{ action, source: `virtual switch ${switchNumber} ${gesture}`, timeUs: this.deps.clock.nowUs() }]);
  }

  /** Starts the bank-change blink. */
  indicateBankChange(): void {
    this.bankChangedAtMs = this.deps.clock.nowUs() / 1000;
  }

  /** Resolves once every action queued so far has run. */
  async settled(): Promise<void> {
    await this.actionQueue;
  }

  private running(): FootswitchGestures {
    if (!this.gestures) throw new Error("footswitch service is not running");
    return this.gestures;
  }

  private onEdge(edge: GpioEdge): void {
    const index = this.switchIndexByGpio.get(edge.gpio);
    if (!this.gestures || index === undefined) return;
    // Switches close to ground against the pull-up: low = pressed.
    this.gestures.rawEdge(index, !edge.high, edge.timeUs);
    this.advanceGestures();
  }

  private advanceGestures(): void {
    if (!this.gestures) return;
    this.enqueue(this.gestures.advance(this.deps.clock.nowUs()));
    this.scheduleGestures();
  }

  private scheduleGestures(): void {
    this.cancelGestureTimer?.();
    this.cancelGestureTimer = null;
    const deadlineUs = this.gestures?.deadlineUs() ?? null;
    if (deadlineUs !== null) this.cancelGestureTimer = this.deps.clock.setTimer(deadlineUs, () => this.advanceGestures());
  }

  /** Actions run one after another in the order they fired; one failing does not stop the rest. */
  private enqueue(triggered: TriggeredAction[]): void {
    for (const { action, source } of triggered) {
      this.actionQueue = this.actionQueue.then(async () => {
        try {
          await this.deps.actions.run(action);
          this.deps.log.info(`footswitches: ${source} → ${action}`);
        } catch (error) {
          this.deps.log.warn(`footswitches: ${source} → ${action} failed: ${(error as Error).message}`);
        }
      });
    }
  }

  private updateLeds(): void {
    if (!this.gestures) return;
    const { config, engine, backend, clock, log } = this.deps;
    const nowUs = clock.nowUs();
    try {
      const tuner = engine.meters().tuner;
      const state = { bypass: engine.status().bypass, tunerActive: tuner.active, tunerCents: tuner.cents, bankChangedAtMs: this.bankChangedAtMs };
      this.ledReadFailed = false;
      for (const [gpio, lit] of ledLevels(config.leds, state, nowUs / 1000)) {
        if (this.ledsLit.get(gpio) === lit) continue;
        this.ledsLit.set(gpio, lit);
        backend.write(gpio, lit);
      }
    } catch (error) {
      // The engine restarting: keep the LEDs as they are and say so once.
      if (!this.ledReadFailed) log.warn(`footswitches: LEDs cannot read the engine state: ${(error as Error).message}`);
      this.ledReadFailed = true;
    }
    this.cancelLedTimer = clock.setTimer(nowUs + LED_TICK_MS * 1000, () => this.updateLeds());
  }
}
