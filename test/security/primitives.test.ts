// The security building blocks on their own: the PIN hash format, token buckets, session tokens,
// cookie parsing, Host parsing.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pinProblem } from "../../firmware/security/auth-contract.js";
import { checkPinHash, hashPin, verifyPin } from "../../firmware/security/pin-hash.js";
import { TokenBuckets } from "../../firmware/security/rate-limit.js";
import { hostProblem, parseHost } from "../../firmware/security/request-origin.js";
import { readCookie, SessionStore } from "../../firmware/security/sessions.js";

describe("PIN hash", () => {
  it("verifies the right PIN only, with a fresh salt per hash", async () => {
    const params = { logN: 10, r: 8, p: 1 };
    const first = await hashPin("2468", params);
    const second = await hashPin("2468", params);
    assert.notEqual(first, second);
    assert.equal(await verifyPin("2468", first), true);
    assert.equal(await verifyPin("2469", first), false);
    assert.equal(await verifyPin("2468", second), true);
  });

  it("uses N = 2^15, r = 8 by default", async () => {
    const stored = await hashPin("2468");
    assert.match(stored, /^scrypt:15:8:1:/);
    assert.equal(await verifyPin("2468", stored), true);
  });

  it("refuses unreadable or absurd stored hashes", () => {
    for (const bad of ["", "1234", "bcrypt:10:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "scrypt:30:8:1:AAAAAAAAAAAAAAAAAAAAAA==:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
      "scrypt:15:8:1::"]) {
      assert.throws(() => checkPinHash(bad), /PIN hash/, bad);
    }
  });

  it("says what is wrong with a PIN", () => {
    assert.match(pinProblem("12345") ?? "", /at least 6/);
    assert.match(pinProblem("1".repeat(65)) ?? "", /at most 64/);
    assert.match(pinProblem("123\n456") ?? "", /control characters/);
    assert.equal(pinProblem("123456"), null);
    assert.equal(pinProblem("ñañañaña"), null);
  });
});

describe("token buckets", () => {
  it("allows a burst, then one try per refill interval, and forgets full buckets", () => {
    let now = 0;
    const buckets = new TokenBuckets({ capacity: 3, refillIntervalMs: 1000 }, () => now);
    assert.deepEqual([buckets.take("a"), buckets.take("a"), buckets.take("a")], [0, 0, 0]);
    assert.equal(buckets.take("a"), 1000);
    now += 400;
    assert.equal(buckets.take("a"), 600);
    now += 600;
    assert.equal(buckets.take("a"), 0);
    assert.equal(buckets.take("b"), 0);
    assert.equal(buckets.size(), 2);
    now += 10_000;
    buckets.waitFor("a");
    buckets.waitFor("b");
    assert.equal(buckets.size(), 0);
  });
});

describe("sessions", () => {
  it("issues 256-bit tokens, keeps only their digests, expires and bounds them", () => {
    let now = 0;
    const store = new SessionStore({ ttlMs: 1000, maxSessions: 2, now: () => now });
    const a = store.create();
    assert.equal(Buffer.from(a, "base64url").length, 32);
    assert.ok(store.isValid(a));
    assert.ok(!store.isValid(`${a}x`));
    assert.ok(!store.isValid(undefined));
    const b = store.create();
    const c = store.create();
    assert.ok(!store.isValid(a), "the oldest session goes past the limit");
    assert.ok(store.isValid(b) && store.isValid(c));
    now += 1000;
    assert.ok(!store.isValid(b));
    assert.equal(store.size(), 0);
  });

  it("reads one cookie out of a Cookie header", () => {
    assert.equal(readCookie("a=1; namstomp_session=tok; b=2", "namstomp_session"), "tok");
    assert.equal(readCookie("namstomp_sessionx=1", "namstomp_session"), undefined);
    assert.equal(readCookie(undefined, "namstomp_session"), undefined);
  });
});

describe("Host header", () => {
  it("parses names, IPv4 and bracketed IPv6 with optional ports", () => {
    assert.deepEqual(parseHost("Pedal.Local:8080"), { hostname: "pedal.local", port: "8080" });
    assert.deepEqual(parseHost("[fe80::1]"), { hostname: "fe80::1", port: "" });
    assert.deepEqual(parseHost("10.0.0.1:80"), { hostname: "10.0.0.1", port: "80" });
    for (const bad of ["", ":80", "[zz]:80", "a:b", "a/b", "user@host", "fe80::1"]) assert.equal(parseHost(bad), null, bad);
  });

  it("lets a request without Host through (browsers always send one, so it is no rebinding attempt)", () => {
    assert.equal(hostProblem(undefined, { hostnames: [] }), null);
    assert.match(hostProblem("evil.example", { hostnames: [] }) ?? "", /does not answer to the name "evil\.example"/);
  });
});
