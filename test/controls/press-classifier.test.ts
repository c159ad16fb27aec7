import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PressClassifier } from "../../firmware/controls/press-classifier.js";

const MS = 1000;
const timing = { longPressUs: 600 * MS, repeatIntervalUs: 200 * MS };

describe("PressClassifier", () => {
  it("classifies a tap as down, short, up", () => {
    const classifier = new PressClassifier(timing);
    assert.deepEqual(classifier.change(true, 0), [{ kind: "down", timeUs: 0 }]);
    assert.deepEqual(classifier.advance(150 * MS), []);
    assert.deepEqual(classifier.change(false, 150 * MS), [
      { kind: "short", timeUs: 150 * MS, heldUs: 150 * MS },
      { kind: "up", timeUs: 150 * MS, heldUs: 150 * MS },
    ]);
    assert.equal(classifier.deadlineUs(), null);
  });

  it("gives a long press at the long-press time and repeats while held", () => {
    const classifier = new PressClassifier(timing);
    classifier.change(true, 1000 * MS);
    assert.equal(classifier.deadlineUs(), 1600 * MS);
    assert.deepEqual(classifier.advance(1599 * MS), []);
    assert.deepEqual(classifier.advance(1600 * MS), [{ kind: "long", timeUs: 1600 * MS }]);
    assert.equal(classifier.deadlineUs(), 1800 * MS);
    // A late timer catches up, each repeat dated when it fell due.
    assert.deepEqual(classifier.advance(2250 * MS), [
      { kind: "repeat", timeUs: 1800 * MS, count: 1 },
      { kind: "repeat", timeUs: 2000 * MS, count: 2 },
      { kind: "repeat", timeUs: 2200 * MS, count: 3 },
    ]);
    assert.deepEqual(classifier.change(false, 2300 * MS), [{ kind: "up", timeUs: 2300 * MS, heldUs: 1300 * MS }]);
  });

  it("ignores repeated changes to the same state", () => {
    const classifier = new PressClassifier(timing);
    assert.deepEqual(classifier.change(false, 0), []);
    classifier.change(true, 0);
    assert.deepEqual(classifier.change(true, 10 * MS), []);
  });

  it("rejects non-positive times", () => {
    assert.throws(() => new PressClassifier({ longPressUs: 0, repeatIntervalUs: 1 }), RangeError);
  });
});
