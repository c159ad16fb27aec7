import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { settlesWithin } from "../../firmware/util/settles-within.js";

describe("settlesWithin", () => {
  it("is true for work that fulfils or rejects in time, false for work that never settles", async () => {
    assert.equal(await settlesWithin(Promise.resolve(), 50), true);
    assert.equal(await settlesWithin(Promise.reject(new Error("closed badly")), 50), true);
    const started = performance.now();
    assert.equal(await settlesWithin(new Promise(() => {}), 30), false);
    assert.ok(performance.now() - started >= 29, "waited the whole time");
  });
});
