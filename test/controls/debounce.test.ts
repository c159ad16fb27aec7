import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SwitchDebouncer } from "../../firmware/controls/debounce.js";

const MS = 1000;

describe("SwitchDebouncer", () => {
  it("settles a bouncing press once, dated at its first edge", () => {
    const debouncer = new SwitchDebouncer(20 * MS);
    // Contact bounce: five edges within 1.2 ms, ending closed.
    const edges: [boolean, number][] = [[true, 0], [false, 300], [true, 500], [false, 900], [true, 1200]];
    for (const [pressed, timeUs] of edges) debouncer.edge(pressed, 100 * MS + timeUs);
    assert.equal(debouncer.settleDeadlineUs(), 100 * MS + 1200 + 20 * MS);
    assert.equal(debouncer.settle(100 * MS + 1200 + 19 * MS), null);
    assert.deepEqual(debouncer.settle(100 * MS + 1200 + 20 * MS), { pressed: true, timeUs: 100 * MS });
    assert.equal(debouncer.pressed, true);
    assert.equal(debouncer.settleDeadlineUs(), null);
    assert.equal(debouncer.settle(200 * MS), null);
  });

  it("ignores a glitch that returns to the settled level", () => {
    const debouncer = new SwitchDebouncer(20 * MS);
    debouncer.edge(true, 0);
    debouncer.edge(false, 2 * MS);
    assert.equal(debouncer.settleDeadlineUs(), null);
    assert.equal(debouncer.unsettledSinceUs(), null);
    assert.equal(debouncer.settle(100 * MS), null);
    assert.equal(debouncer.pressed, false);
  });

  it("restarts the wait on every edge, even a repeated level (a missed edge)", () => {
    const debouncer = new SwitchDebouncer(20 * MS);
    debouncer.edge(true, 0);
    debouncer.edge(true, 15 * MS);
    assert.equal(debouncer.settle(25 * MS), null);
    assert.deepEqual(debouncer.settle(35 * MS), { pressed: true, timeUs: 0 });
  });

  it("dates a new burst from its own first edge once the previous one is over", () => {
    const debouncer = new SwitchDebouncer(20 * MS);
    debouncer.edge(true, 0);
    debouncer.settle(20 * MS);
    debouncer.edge(false, 400 * MS);
    debouncer.edge(true, 400 * MS + 500);
    debouncer.edge(false, 401 * MS);
    assert.equal(debouncer.unsettledSinceUs(), 400 * MS);
    assert.deepEqual(debouncer.settle(421 * MS), { pressed: false, timeUs: 400 * MS });
  });

  it("rejects a negative debounce time", () => {
    assert.throws(() => new SwitchDebouncer(-1), RangeError);
  });
});
