// The admin PIN plugin on a small app with the server's error handler: first-use setup, login,
// sessions, logout, PIN change, rate limiting, Host/Origin checks, PIN storage on disk, a PIN from
// the config, a damaged auth.json. Cheap scrypt parameters keep it fast; the hash format is the same.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from "fastify";
import { installErrorHandling } from "../../firmware/server/errors.js";
import { security, type SecurityPluginOptions } from "../../firmware/security/auth-plugin.js";
import { hashPin } from "../../firmware/security/pin-hash.js";

const CHEAP_SCRYPT = { logN: 10, r: 8, p: 1 };

interface TestApp {
  app: FastifyInstance;
  clock: { now: number };
}

async function buildApp(dataDir: string, overrides: Partial<SecurityPluginOptions> = {}): Promise<TestApp> {
  const clock = { now: 1_700_000_000_000 };
  const app = Fastify({ logger: false });
  installErrorHandling(app);
  await app.register(security, {
    dataDir, configuredPinHash: null, hostnames: ["pedal.lan"], scrypt: CHEAP_SCRYPT, now: () => clock.now, ...overrides,
  });
  app.get("/api/status", async () => ({ ok: true }));
  app.get("/api/models/:id/file", { config: { access: "admin" } }, async () => "bytes");
  app.post("/api/presets", async (request) => ({ created: request.body }));
  app.delete("/api/presets/:id", async () => ({ deleted: true }));
  app.post("/api/small", { bodyLimit: 16 }, async () => ({ ok: true }));
  await app.ready();
  return { app, clock };
}

function cookieOf(response: LightMyRequestResponse): string {
  const header = response.headers["set-cookie"];
  const value = Array.isArray(header) ? header[0] : header;
  assert.ok(value, "no Set-Cookie");
  return value.split(";")[0]!;
}

const json = (response: LightMyRequestResponse) => response.json() as Record<string, unknown>;

async function setup(app: FastifyInstance, pin = "246813"): Promise<string> {
  const response = await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin } });
  assert.equal(response.statusCode, 200, response.body);
  return cookieOf(response);
}

describe("admin PIN", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "namstomp-auth-"));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("before a PIN exists: reads work, changes are refused with how to set one", async () => {
    const { app } = await buildApp(join(dataDir, "fresh"));
    const status = await app.inject({ method: "GET", url: "/api/auth/status" });
    assert.deepEqual(status.json(), { pinSet: false, loggedIn: false, pinSource: null, locked: false });
    assert.equal((await app.inject({ method: "GET", url: "/api/status" })).statusCode, 200);
    const change = await app.inject({ method: "POST", url: "/api/presets", payload: { name: "x" } });
    assert.equal(change.statusCode, 401);
    assert.equal(json(change).code, "pin-required");
    assert.match(String(json(change).message), /none is set yet.*POST \/api\/auth\/setup/);
    const login = await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "246813" } });
    assert.equal(login.statusCode, 409);
    await app.close();
  });

  it("first-use setup stores a salted scrypt hash (0600, atomically) and logs in with a strict HttpOnly cookie", async () => {
    const dir = join(dataDir, "setup");
    const { app } = await buildApp(dir);
    const tooShort = await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin: "12" } });
    assert.equal(tooShort.statusCode, 400);
    assert.match(String(json(tooShort).message), /body\/pin: the PIN must have at least 6 characters/);
    const response = await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin: "246813" } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { pinSet: true, loggedIn: true, pinSource: "setup", locked: false });
    const setCookie = String(response.headers["set-cookie"]);
    assert.match(setCookie, /^namstomp_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const stored = JSON.parse(await readFile(join(dir, "auth.json"), "utf8")) as { version: number; pinHash: string };
    assert.equal(stored.version, 1);
    assert.match(stored.pinHash, /^scrypt:10:8:1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!stored.pinHash.includes("246813"));
    assert.equal((await stat(join(dir, "auth.json"))).mode & 0o777, 0o600);
    const again = await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin: "000000" } });
    assert.equal(again.statusCode, 409);
    assert.equal(json(again).code, "pin-already-set");
    await app.close();
  });

  it("two setups racing: exactly one chooses the PIN", async () => {
    const { app } = await buildApp(join(dataDir, "race"));
    const answers = await Promise.all(["111111", "222222", "333333"].map((pin, i) =>
      app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin }, remoteAddress: `10.0.0.${i + 1}` })));
    assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409, 409]);
    const winner = ["111111", "222222", "333333"][answers.findIndex((a) => a.statusCode === 200)]!;
    const login = await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: winner } });
    assert.equal(login.statusCode, 200);
    await app.close();
  });

  it("a session cookie opens every changing route; none, a forged or a logged-out one does not", async () => {
    const { app } = await buildApp(join(dataDir, "session"));
    const cookie = await setup(app);
    const withCookie = (options: InjectOptions, value = cookie) => app.inject({ ...options, headers: { ...options.headers, cookie: value } });
    assert.equal((await withCookie({ method: "POST", url: "/api/presets", payload: { name: "Lead" } })).statusCode, 200);
    assert.equal((await withCookie({ method: "DELETE", url: "/api/presets/p1" })).statusCode, 200);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/presets/p1" })).statusCode, 401);
    assert.equal((await withCookie({ method: "DELETE", url: "/api/presets/p1" }, "namstomp_session=forged")).statusCode, 401);
    // A read marked admin (downloading a user's file) needs the PIN too.
    assert.equal((await app.inject({ method: "GET", url: "/api/models/0123456789abcdef/file" })).statusCode, 401);
    assert.equal((await withCookie({ method: "GET", url: "/api/models/0123456789abcdef/file" })).statusCode, 200);
    // Unknown routes do not tell an anonymous client which exist.
    assert.equal((await app.inject({ method: "POST", url: "/api/nothing-here" })).statusCode, 401);
    const logout = await withCookie({ method: "POST", url: "/api/auth/logout" });
    assert.equal(logout.statusCode, 200);
    assert.match(String(logout.headers["set-cookie"]), /namstomp_session=; .*Max-Age=0/);
    assert.equal((await withCookie({ method: "DELETE", url: "/api/presets/p1" })).statusCode, 401);
    await app.close();
  });

  it("an anonymous change is refused before its body is read", async () => {
    const { app } = await buildApp(join(dataDir, "early"));
    await setup(app);
    // Over the route's 16-byte body limit: a 413 would mean the body was read before the PIN check.
    const response = await app.inject({ method: "POST", url: "/api/small", payload: "x".repeat(100_000), headers: { "content-type": "text/plain" } });
    assert.equal(response.statusCode, 401);
    await app.close();
  });

  it("sessions expire", async () => {
    const { app, clock } = await buildApp(join(dataDir, "expiry"), { sessionTtlMs: 60_000 });
    const cookie = await setup(app);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/presets/p1", headers: { cookie } })).statusCode, 200);
    clock.now += 61_000;
    assert.equal((await app.inject({ method: "DELETE", url: "/api/presets/p1", headers: { cookie } })).statusCode, 401);
    await app.close();
  });

  it("rate-limits PIN attempts per address: 5 a minute, then 429 with Retry-After", async () => {
    const { app, clock } = await buildApp(join(dataDir, "limits"));
    await setup(app);
    const attempt = (pin: string, remoteAddress = "192.168.1.50") =>
      app.inject({ method: "POST", url: "/api/auth/login", payload: { pin }, remoteAddress });
    // setup used one of 127.0.0.1's tries, not this address's.
    for (let i = 0; i < 5; i++) {
      const wrong = await attempt(`99${i}999`);
      assert.equal(wrong.statusCode, 401);
      assert.equal(json(wrong).code, "wrong-pin");
    }
    const limited = await attempt("246813");
    assert.equal(limited.statusCode, 429);
    assert.equal(json(limited).code, "too-many-attempts");
    assert.equal(limited.headers["retry-after"], "12");
    assert.match(String(json(limited).message), /try again in 12 s/);
    // Another address is not affected; this one earns a try back after 12 s.
    assert.equal((await attempt("246813", "192.168.1.51")).statusCode, 200);
    clock.now += 12_000;
    assert.equal((await attempt("246813")).statusCode, 200);
    assert.equal((await attempt("246813")).statusCode, 429);
    await app.close();
  });

  it("bounds attempts from all addresses together", async () => {
    const { app } = await buildApp(join(dataDir, "global"), { loginAttemptsPerMinuteTotal: 8 });
    await setup(app);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      codes.push((await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "000000" }, remoteAddress: `10.1.0.${i}` })).statusCode);
    }
    // Setup took one of the 8.
    assert.deepEqual(codes, [401, 401, 401, 401, 401, 401, 401, 429, 429, 429]);
    await app.close();
  });

  it("changing the PIN needs a session and the current PIN, and logs every other session out", async () => {
    const dir = join(dataDir, "change");
    const { app } = await buildApp(dir);
    const first = await setup(app);
    const second = cookieOf(await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "246813" } }));
    const change = (payload: object, cookie?: string) =>
      app.inject({ method: "PUT", url: "/api/auth/pin", payload, headers: cookie === undefined ? {} : { cookie } });
    assert.equal((await change({ currentPin: "246813", newPin: "135799" })).statusCode, 401);
    assert.equal(json(await change({ currentPin: "000000", newPin: "135799" }, first)).code, "wrong-pin");
    assert.equal((await change({ currentPin: "246813", newPin: "1" }, first)).statusCode, 400);
    const changed = await change({ currentPin: "246813", newPin: "135799" }, first);
    assert.equal(changed.statusCode, 200);
    const renewed = cookieOf(changed);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/presets/p", headers: { cookie: second } })).statusCode, 401);
    assert.equal((await app.inject({ method: "DELETE", url: "/api/presets/p", headers: { cookie: renewed } })).statusCode, 200);
    await app.close();
    // The new PIN survives a restart; sessions do not.
    const restarted = await buildApp(dir);
    assert.equal((await restarted.app.inject({ method: "DELETE", url: "/api/presets/p", headers: { cookie: renewed } })).statusCode, 401);
    assert.equal((await restarted.app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "246813" } })).statusCode, 401);
    assert.equal((await restarted.app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "135799" } })).statusCode, 200);
    await restarted.app.close();
  });

  it("a PIN from the config wins and cannot be changed or replaced from the web", async () => {
    const { app } = await buildApp(join(dataDir, "configured"), { configuredPinHash: await hashPin("864200", CHEAP_SCRYPT) });
    assert.deepEqual((await app.inject({ method: "GET", url: "/api/auth/status" })).json(), { pinSet: true, loggedIn: false, pinSource: "config", locked: false });
    assert.equal((await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin: "111111" } })).statusCode, 409);
    const cookie = cookieOf(await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "864200" } }));
    const change = await app.inject({ method: "PUT", url: "/api/auth/pin", payload: { currentPin: "864200", newPin: "111111" }, headers: { cookie } });
    assert.equal(change.statusCode, 409);
    assert.equal(json(change).code, "pin-in-config");
    await app.close();
    await assert.rejects(buildApp(join(dataDir, "configured"), { configuredPinHash: "1234" }), /security\.pinHash: a PIN hash looks like/);
  });

  it("a damaged auth.json locks the admin routes instead of reopening setup", async () => {
    const dir = join(dataDir, "damaged");
    const { app: first } = await buildApp(dir);
    await setup(first);
    await first.close();
    await writeFile(join(dir, "auth.json"), '{"version": 1, "pinHash": "scr');
    const { app } = await buildApp(dir);
    assert.deepEqual((await app.inject({ method: "GET", url: "/api/auth/status" })).json(), { pinSet: true, loggedIn: false, pinSource: null, locked: true });
    assert.equal((await app.inject({ method: "POST", url: "/api/auth/setup", payload: { pin: "111111" } })).statusCode, 409);
    const login = await app.inject({ method: "POST", url: "/api/auth/login", payload: { pin: "246813" } });
    assert.equal(login.statusCode, 423);
    assert.match(String(json(login).message), /auth\.json.*delete/);
    await app.close();
  });

  it("answers only to names that cannot be rebound from outside (421 otherwise)", async () => {
    const { app } = await buildApp(join(dataDir, "hosts"));
    const get = (host: string) => app.inject({ method: "GET", url: "/api/status", headers: { host } });
    for (const host of ["192.168.4.1", "192.168.4.1:8080", "[fe80::1]:8080", "[::1]", "localhost:8080", "namstomp.local", "NAMSTOMP.LOCAL.", "pedal.lan:80"]) {
      assert.equal((await get(host)).statusCode, 200, host);
    }
    for (const host of ["evil.example", "evil.example:8080", "192.168.4.1.nip.io", "local", "pedal.lan.evil.example", "[not-ip]:80", "a b", "x@192.168.4.1"]) {
      const response = await get(host);
      assert.equal(response.statusCode, 421, host);
      assert.equal(json(response).code, "host-not-allowed");
    }
    assert.match(String(json(await get("evil.example")).message), /does not answer to the name "evil\.example".*security\.hostnames/);
    await app.close();
  });

  it("refuses cross-site changes and WebSocket upgrades even with a session (403)", async () => {
    const { app } = await buildApp(join(dataDir, "origins"));
    const cookie = await setup(app);
    const post = (headers: Record<string, string | undefined>) =>
      app.inject({ method: "POST", url: "/api/presets", payload: { name: "x" }, headers: { cookie, host: "192.168.4.1:8080", ...headers } });
    assert.equal((await post({ origin: "http://192.168.4.1:8080", "sec-fetch-site": "same-origin" })).statusCode, 200);
    assert.equal((await post({})).statusCode, 200, "no Origin: a non-browser client");
    for (const headers of [
      { origin: "http://evil.example" },
      { origin: "http://192.168.4.1:8081" },
      { origin: "http://192.168.4.1" },
      { origin: "null" },
      { origin: "file://" },
      { origin: "not a url" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
    ]) {
      const response = await post(headers);
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.equal(json(response).code, "cross-site");
      assert.match(String(json(response).message), /cross-site request refused/);
    }
    const upgrade = await app.inject({
      method: "GET", url: "/api/status", headers: { host: "192.168.4.1:8080", origin: "http://evil.example", upgrade: "websocket", connection: "Upgrade" },
    });
    assert.equal(upgrade.statusCode, 403);
    await app.close();
  });
});
