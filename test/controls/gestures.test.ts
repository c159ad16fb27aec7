import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultLayouts, type FootswitchLayout } from "../../firmware/controls/footswitch-config.js";
import { FootswitchGestures, type TriggeredAction } from "../../firmware/controls/gestures.js";

const MS = 1000;
const DEBOUNCE_US = 20 * MS;
const timing = { longPressUs: 600 * MS, repeatIntervalUs: 200 * MS };

interface RawEdge {
  index: number;
  pressed: boolean;
  timeUs: number;
}

/**
 * A press with contact bounce at both ends: `bounceEdges` extra edges 250 µs apart after the
 * first contact and after the release, as a worn switch does.
 */
function bouncyPress(index: number, startUs: number, holdUs: number, bounceEdges = 4): RawEdge[] {
  const burst = (atUs: number, finalPressed: boolean): RawEdge[] =>
    Array.from({ length: bounceEdges + 1 }, (_, k) => ({
      index,
      // Alternates and ends on finalPressed.
      pressed: (bounceEdges - k) % 2 === 0 ? finalPressed : !finalPressed,
      timeUs: atUs + k * 250,
    }));
  return [...burst(startUs, true), ...burst(startUs + holdUs, false)];
}

/** Feeds raw edges in time order and runs advance() at every deadline, as the service's timer does. */
function play(gestures: FootswitchGestures, edges: RawEdge[], endUs: number): TriggeredAction[] {
  const actions: TriggeredAction[] = [];
  const runDeadlinesUntil = (timeUs: number) => {
    for (let deadline = gestures.deadlineUs(); deadline !== null && deadline <= timeUs; deadline = gestures.deadlineUs()) {
      actions.push(...gestures.advance(deadline));
    }
  };
  for (const edge of [...edges].sort((a, b) => a.timeUs - b.timeUs)) {
    runDeadlinesUntil(edge.timeUs);
    gestures.rawEdge(edge.index, edge.pressed, edge.timeUs);
    actions.push(...gestures.advance(edge.timeUs));
  }
  runDeadlinesUntil(endUs);
  return actions;
}

const summary = (actions: TriggeredAction[]) => actions.map((a) => `${a.action}@${Math.round(a.timeUs / MS)}`);

describe("FootswitchGestures", () => {
  it("turns a bouncing tap into one short action, on release", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    const actions = play(gestures, bouncyPress(1, 1000 * MS, 180 * MS, 6), 3000 * MS);
    assert.deepEqual(summary(actions), ["preset-next@1180"]);
    assert.equal(actions[0]!.source, "switch B short");
  });

  it("fires the long action 600 ms after first contact, then repeats while held", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    const actions = play(gestures, bouncyPress(0, 0, 1500 * MS), 3000 * MS);
    assert.deepEqual(summary(actions), ["bank-previous@600", "bank-previous@800", "bank-previous@1000", "bank-previous@1200", "bank-previous@1400"]);
    assert.deepEqual(actions.map((a) => a.source), ["switch A long", "switch A repeat 1", "switch A repeat 2", "switch A repeat 3", "switch A repeat 4"]);
  });

  it("does not repeat a long action unless the binding asks for it", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    assert.deepEqual(summary(play(gestures, bouncyPress(2, 0, 2000 * MS), 3000 * MS)), ["tuner-toggle@600"]);
  });

  it("counts a release that bounces across the long-press time as short", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    // Released at 590 ms; the release only settles at ≈ 611 ms, after the long-press time.
    const actions = play(gestures, bouncyPress(2, 0, 590 * MS), 2000 * MS);
    assert.deepEqual(summary(actions), ["bypass-toggle@590"]);
  });

  it("keeps two switches independent when they are not a chord", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    // Hold A to scroll banks while tapping C (bypass) in the middle of it.
    const actions = play(gestures, [...bouncyPress(0, 0, 1100 * MS), ...bouncyPress(2, 650 * MS, 100 * MS)], 2000 * MS);
    assert.deepEqual(summary(actions), ["bank-previous@600", "bypass-toggle@750", "bank-previous@800", "bank-previous@1000"]);
  });

  it("fires a chord once when both switches go down together, and nothing on release", () => {
    const gestures = new FootswitchGestures(defaultLayouts["2-switch"], DEBOUNCE_US, timing);
    const actions = play(gestures, [...bouncyPress(0, 0, 300 * MS), ...bouncyPress(1, 40 * MS, 320 * MS)], 2000 * MS);
    assert.deepEqual(summary(actions), ["bank-next@40"]);
    assert.equal(actions[0]!.source, "switches A+B");
  });

  it("fires a chord even when both switches are held past the long-press time", () => {
    const gestures = new FootswitchGestures(defaultLayouts["2-switch"], DEBOUNCE_US, timing);
    const actions = play(gestures, [...bouncyPress(1, 0, 1500 * MS), ...bouncyPress(0, 10 * MS, 1500 * MS)], 3000 * MS);
    assert.deepEqual(summary(actions), ["bank-next@10"]);
  });

  it("is no chord when the first switch already fired its long action", () => {
    const gestures = new FootswitchGestures(defaultLayouts["2-switch"], DEBOUNCE_US, timing);
    const actions = play(gestures, [...bouncyPress(0, 0, 1000 * MS), ...bouncyPress(1, 700 * MS, 100 * MS)], 2000 * MS);
    assert.deepEqual(summary(actions), ["bypass-toggle@600", "preset-next@800"]);
  });

  it("fires a short-only switch on the press itself", () => {
    const layout: FootswitchLayout = { switches: [{ gpio: 5, short: "preset-select:3" }], chords: [] };
    const gestures = new FootswitchGestures(layout, DEBOUNCE_US, timing);
    const actions = play(gestures, bouncyPress(0, 0, 2000 * MS), 3000 * MS);
    assert.deepEqual(summary(actions), ["preset-select:3@0"]);
    assert.equal(actions[0]!.source, "switch 1 press");
  });

  it("takes clean changes from the virtual footswitch without debounce", () => {
    const gestures = new FootswitchGestures(defaultLayouts["2-switch"], DEBOUNCE_US, timing);
    assert.deepEqual(gestures.cleanChange(1, true, 0), []);
    assert.deepEqual(summary(gestures.cleanChange(1, false, 100 * MS)), ["preset-next@100"]);
    gestures.cleanChange(0, true, 1000 * MS);
    assert.equal(gestures.deadlineUs(), 1600 * MS);
    assert.deepEqual(summary(gestures.advance(1600 * MS)), ["bypass-toggle@1600"]);
    assert.deepEqual(gestures.cleanChange(0, false, 1700 * MS), []);
  });

  it("names the action of a virtual tap and rejects unknown switches", () => {
    const gestures = new FootswitchGestures(defaultLayouts["3-switch"], DEBOUNCE_US, timing);
    assert.equal(gestures.actionFor(2, "short"), "bypass-toggle");
    assert.equal(gestures.actionFor(2, "long"), "tuner-toggle");
    assert.throws(() => gestures.rawEdge(3, true, 0), /no footswitch 4 \(there are 3\)/);
  });
});
