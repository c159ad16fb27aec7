// From switch edges to actions: debounce, press classification and the layout's bindings, for
// all switches together (two switches can be pressed at once; a configured pair is a chord).
// Pure: times are given; the service runs advance() at deadlineUs() on a timer. Main thread.
//
// When an action fires:
// - a switch with only a short action and no chord fires on the press itself (no added latency);
// - a switch with a long action (or in a chord) fires short on release before longPressMs, long
//   at longPressMs while held, and again every repeatIntervalMs if repeatLong;
// - a chord fires when its second switch goes down while the first is still down and has not
//   fired yet; neither switch fires anything else until both are released.

import type { FootswitchAction } from "./actions.js";
import { SwitchDebouncer } from "./debounce.js";
import type { FootswitchLayout, SwitchBinding } from "./footswitch-config.js";
import { PressClassifier, type PressGesture, type PressTiming } from "./press-classifier.js";

export interface TriggeredAction {
  action: FootswitchAction;
  /** What fired it, for logs and the UI: "switch A short", "switches A+B". */
  source: string;
  timeUs: number;
}

interface SwitchState {
  readonly binding: SwitchBinding;
  readonly name: string;
  readonly debouncer: SwitchDebouncer;
  readonly classifier: PressClassifier;
  /** Indices of the switches this one forms a chord with, and the chord's action. */
  readonly chords: Map<number, FootswitchAction>;
  down: boolean;
  /** Part of a chord that fired: silent until its next press. */
  consumed: boolean;
  /** Fired on the press (short-only switch): nothing more for this press. */
  firedOnDown: boolean;
  longFired: boolean;
}

export class FootswitchGestures {
  private readonly switches: SwitchState[];

  constructor(layout: FootswitchLayout, debounceUs: number, timing: PressTiming) {
    this.switches = layout.switches.map((binding, i) => ({
      binding,
      name: binding.label ?? String(i + 1),
      debouncer: new SwitchDebouncer(debounceUs),
      classifier: new PressClassifier(timing),
      chords: new Map<number, FootswitchAction>(),
      down: false,
      consumed: false,
      firedOnDown: false,
      longFired: false,
    }));
    for (const chord of layout.chords) {
      const [first, second] = chord.switches.map((n) => n - 1) as [number, number];
      this.switches[first]!.chords.set(second, chord.action);
      this.switches[second]!.chords.set(first, chord.action);
    }
  }

  get switchCount(): number {
    return this.switches.length;
  }

  /** The action a virtual tap gives (keyboard, web UI buttons), or null when unbound. */
  actionFor(index: number, gesture: "short" | "long"): FootswitchAction | null {
    const binding = this.state(index).binding;
    return (gesture === "short" ? binding.short : binding.long) ?? null;
  }

  /** A raw edge from the GPIO backend (it may bounce); takes effect in advance() once settled. */
  rawEdge(index: number, pressed: boolean, timeUs: number): void {
    this.state(index).debouncer.edge(pressed, timeUs);
  }

  /** A clean change from the virtual footswitch (no bounce): takes effect at once. */
  cleanChange(index: number, pressed: boolean, timeUs: number): TriggeredAction[] {
    const classifier = this.state(index).classifier;
    const gestures = [...classifier.advance(timeUs), ...classifier.change(pressed, timeUs)];
    return this.map(gestures.map((gesture) => ({ index, gesture })));
  }

  /** Everything that happened by nowUs, in time order across switches. */
  advance(nowUs: number): TriggeredAction[] {
    const timeline: { index: number; gesture: PressGesture }[] = [];
    this.switches.forEach((s, index) => {
      const settled = s.debouncer.settle(nowUs);
      if (settled) {
        for (const gesture of s.classifier.advance(settled.timeUs)) timeline.push({ index, gesture });
        for (const gesture of s.classifier.change(settled.pressed, settled.timeUs)) timeline.push({ index, gesture });
      }
      // Holds wait while a burst is unsettled: it may be the release that comes before them.
      const unsettledSince = s.debouncer.unsettledSinceUs();
      const horizonUs = unsettledSince === null ? nowUs : Math.min(nowUs, unsettledSince - 1);
      for (const gesture of s.classifier.advance(horizonUs)) timeline.push({ index, gesture });
    });
    timeline.sort((a, b) => a.gesture.timeUs - b.gesture.timeUs);
    return this.map(timeline);
  }

  /** When advance() next has something to do, or null when every switch is idle. */
  deadlineUs(): number | null {
    let deadline: number | null = null;
    const consider = (timeUs: number | null) => {
      if (timeUs !== null && (deadline === null || timeUs < deadline)) deadline = timeUs;
    };
    for (const s of this.switches) {
      consider(s.debouncer.settleDeadlineUs());
      const holdDue = s.classifier.deadlineUs();
      const unsettledSince = s.debouncer.unsettledSinceUs();
      if (holdDue !== null && (unsettledSince === null || holdDue < unsettledSince)) consider(holdDue);
    }
    return deadline;
  }

  private state(index: number): SwitchState {
    const s = this.switches[index];
    if (!s) throw new RangeError(`no footswitch ${index + 1} (there are ${this.switches.length})`);
    return s;
  }

  private map(timeline: { index: number; gesture: PressGesture }[]): TriggeredAction[] {
    const actions: TriggeredAction[] = [];
    const fire = (action: FootswitchAction | undefined, source: string, timeUs: number) => {
      if (action !== undefined) actions.push({ action, source, timeUs });
    };
    for (const { index, gesture } of timeline) {
      const s = this.switches[index]!;
      const { binding } = s;
      switch (gesture.kind) {
        case "down": {
          s.down = true;
          s.consumed = false;
          s.firedOnDown = false;
          s.longFired = false;
          const partner = [...s.chords.keys()].find((p) => {
            const other = this.switches[p]!;
            return other.down && !other.consumed && !other.longFired && !other.firedOnDown;
          });
          if (partner !== undefined) {
            s.consumed = true;
            this.switches[partner]!.consumed = true;
            const [first, second] = [partner, index].sort((a, b) => a - b) as [number, number];
            fire(s.chords.get(partner), `switches ${this.switches[first]!.name}+${this.switches[second]!.name}`, gesture.timeUs);
          } else if (binding.long === undefined && s.chords.size === 0) {
            s.firedOnDown = true;
            fire(binding.short, `switch ${s.name} press`, gesture.timeUs);
          }
          break;
        }
        case "short":
          if (!s.consumed && !s.firedOnDown) fire(binding.short, `switch ${s.name} short`, gesture.timeUs);
          break;
        case "long":
          s.longFired = true;
          if (!s.consumed) fire(binding.long, `switch ${s.name} long`, gesture.timeUs);
          break;
        case "repeat":
          if (!s.consumed && binding.repeatLong) fire(binding.long, `switch ${s.name} repeat ${gesture.count}`, gesture.timeUs);
          break;
        case "up":
          s.down = false;
          break;
      }
    }
    return actions;
  }
}
