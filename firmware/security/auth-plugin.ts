// The admin PIN for the web API, as one fastify plugin registered by the app before its routes:
//  - every request must name the pedal by an acceptable Host (DNS rebinding) → 421;
//  - every state-changing request (POST/PUT/PATCH/DELETE) and WebSocket upgrade must come from the
//    pedal's own origin (CSRF, cross-site WebSocket hijacking) → 403;
//  - every state-changing request, the downloads of stored files (DEFAULT_ADMIN_READ_ROUTES) and
//    any route marked `config: { access: "admin" }` need a logged-in session → 401; routes marked
//    `access: "public"` (the auth routes themselves) do not.
// The checks run in onRequest, before the body is read, so an anonymous upload is refused without
// buffering it. Routes: GET /api/auth/status, POST /api/auth/setup, /login, /logout, PUT /api/auth/pin.
// See SECURITY.md for the threat model. Main thread.

import fastifyPlugin from "fastify-plugin";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorSchema } from "../api-contract/index.js";
import { AuthStatusSchema, ChangePinBody, PinBody, pinProblem, type AuthStatus, type ChangePinRequest, type PinRequest } from "./auth-contract.js";
import { DEFAULT_SCRYPT, hashPin, verifyPin, type ScryptParameters } from "./pin-hash.js";
import { PinStore } from "./pin-store.js";
import { TokenBuckets } from "./rate-limit.js";
import { crossSiteProblem, hostProblem } from "./request-origin.js";
import { readCookie, SESSION_COOKIE, sessionCookie, SessionStore } from "./sessions.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * Who may call the route. Default: anyone for GET/HEAD/OPTIONS, the admin for every other
     * method. "admin" also protects a read (a download of a user's file); "public" opens a
     * state-changing route (only the auth routes use it).
     */
    access?: "public" | "admin";
  }
  interface FastifyRequest {
    /** Whether the request carries a valid admin session (set before any handler runs). */
    isAdmin: boolean;
  }
}

export interface SecurityPluginOptions {
  /** The data directory: auth.json is kept there when the PIN is set from the web. */
  dataDir: string;
  /** security.pinHash from the config (made by `namstomp hash-pin`); wins over auth.json. */
  configuredPinHash: string | null;
  /** Extra names the pedal answers to (security.hostnames); IP literals, localhost and *.local always work. */
  hostnames: readonly string[];
  /** How long a login lasts, ms (default 12 h: a gig with soundcheck). */
  sessionTtlMs?: number;
  /** Login, setup and PIN-change attempts per client address per minute (default 5). */
  loginAttemptsPerMinute?: number;
  /** Attempts per minute from all addresses together (default 30): bounds the CPU spent in scrypt. */
  loginAttemptsPerMinuteTotal?: number;
  /** Hash cost (tests use a cheaper one). */
  scrypt?: ScryptParameters;
  /**
   * Read routes (fastify URL patterns) that need the PIN like a change does, besides routes marked
   * `config: { access: "admin" }`. Default: downloading a stored model or IR (a player's purchased
   * captures must not be copied by anyone on the venue Wi-Fi).
   */
  adminReadRoutes?: readonly string[];
  /** Clock (tests). */
  now?: () => number;
}

export const DEFAULT_ADMIN_READ_ROUTES = ["/api/models/:id/file", "/api/irs/:id/file"] as const;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Auth bodies are one or two short strings; anything bigger is not a login. */
const AUTH_BODY_LIMIT_BYTES = 1024;
const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 32;

/** A refusal with its HTTP status; the app's error handler sends it like any other 4xx. */
export class SecurityError extends Error {
  override readonly name = "SecurityError";
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

async function securityPlugin(app: FastifyInstance, options: SecurityPluginOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const sessionTtlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const scryptParams = options.scrypt ?? DEFAULT_SCRYPT;
  const pins = new PinStore({ dataDir: options.dataDir, configuredHash: options.configuredPinHash, log: app.log });
  await pins.start();
  const sessions = new SessionStore({ ttlMs: sessionTtlMs, maxSessions: MAX_SESSIONS, now });
  const perMinute = (attempts: number) => new TokenBuckets({ capacity: attempts, refillIntervalMs: 60_000 / attempts }, now);
  const perClient = perMinute(options.loginAttemptsPerMinute ?? 5);
  const total = perMinute(options.loginAttemptsPerMinuteTotal ?? 30);
  const adminReads = new Set<string>(options.adminReadRoutes ?? DEFAULT_ADMIN_READ_ROUTES);
  const hostPolicy = { hostnames: options.hostnames.map((name) => name.toLowerCase().replace(/\.$/, "")) };
  /** Serialises PIN writes: two first-use setups racing must not both win. */
  let pinWrite: Promise<unknown> = Promise.resolve();

  const sessionToken = (request: FastifyRequest) => readCookie(request.headers.cookie, SESSION_COOKIE);

  app.decorateRequest("isAdmin", false);

  app.addHook("onRequest", async (request) => {
    const host = request.headers.host;
    const hostRefusal = hostProblem(host, hostPolicy);
    if (hostRefusal !== null) throw new SecurityError(421, "host-not-allowed", hostRefusal);
    const mutating = !SAFE_METHODS.has(request.method);
    const upgrade = request.headers.upgrade?.toLowerCase() === "websocket";
    if (mutating || upgrade) {
      const crossSite = crossSiteProblem({
        host,
        origin: request.headers.origin,
        secFetchSite: headerValue(request.headers["sec-fetch-site"]),
      });
      if (crossSite !== null) throw new SecurityError(403, "cross-site", crossSite);
    }
    request.isAdmin = sessions.isValid(sessionToken(request));
    const access = request.routeOptions.config?.access
      ?? (mutating || adminReads.has(request.routeOptions.url ?? "") ? "admin" : "public");
    if (access === "admin" && !request.isAdmin) throw new SecurityError(401, "pin-required", adminRequiredMessage());
  });

  function adminRequiredMessage(): string {
    const state = pins.state();
    switch (state.kind) {
      case "unset":
        return "this needs the admin PIN, and none is set yet: choose one with POST /api/auth/setup";
      case "broken":
        return `this needs the admin PIN, but the stored PIN cannot be read: ${state.reason}`;
      case "set":
        return "this needs the admin PIN: log in with POST /api/auth/login";
    }
  }

  /** Takes an attempt from the client's and the global bucket, or refuses with 429 and Retry-After. */
  function takeAttempt(request: FastifyRequest, reply: FastifyReply): void {
    const waitMs = Math.max(perClient.waitFor(request.ip), total.waitFor("all"));
    if (waitMs === 0) {
      perClient.take(request.ip);
      total.take("all");
      return;
    }
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    void reply.header("retry-after", String(seconds));
    throw new SecurityError(429, "too-many-attempts", `too many PIN attempts: try again in ${seconds} s`);
  }

  function startSession(reply: FastifyReply): void {
    void reply.header("set-cookie", sessionCookie(sessions.create(), sessionTtlMs));
  }

  function status(request: FastifyRequest): AuthStatus {
    const state = pins.state();
    return {
      pinSet: state.kind !== "unset",
      loggedIn: sessions.isValid(sessionToken(request)),
      pinSource: state.kind === "set" ? state.source : null,
      locked: state.kind === "broken",
    };
  }

  async function checkPin(pin: string): Promise<void> {
    const state = pins.state();
    if (state.kind === "unset") throw new SecurityError(409, "no-pin", "no admin PIN is set yet: choose one with POST /api/auth/setup");
    if (state.kind === "broken") throw new SecurityError(423, "pin-locked", `the stored PIN cannot be read: ${state.reason}`);
    if (!(await verifyPin(pin, state.hash))) throw new SecurityError(401, "wrong-pin", "wrong PIN");
  }

  const authRoute = { access: "public" as const };
  const errors = (...codes: number[]) => Object.fromEntries([...codes, 500].map((code) => [code, ErrorSchema]));
  const responses = { 200: AuthStatusSchema };
  const pinResponses = { 200: AuthStatusSchema, ...errors(400, 401, 409, 413, 423, 429) };

  app.get("/api/auth/status", { schema: { response: responses } }, async (request) => status(request));

  app.post<{ Body: PinRequest }>(
    "/api/auth/setup",
    { config: authRoute, bodyLimit: AUTH_BODY_LIMIT_BYTES, schema: { body: PinBody, response: pinResponses } },
    async (request, reply) => {
      const problem = pinProblem(request.body.pin);
      if (problem !== null) throw new SecurityError(400, "invalid-pin", `body/pin: ${problem}`);
      takeAttempt(request, reply);
      const write = pinWrite.then(async () => {
        if (pins.state().kind !== "unset") throw new SecurityError(409, "pin-already-set", "an admin PIN is already set: log in with POST /api/auth/login");
        await pins.save(await hashPin(request.body.pin, scryptParams));
      });
      pinWrite = write.catch(() => undefined);
      await write;
      app.log.info("security: admin PIN set on first use");
      startSession(reply);
      return { ...status(request), loggedIn: true };
    },
  );

  app.post<{ Body: PinRequest }>(
    "/api/auth/login",
    { config: authRoute, bodyLimit: AUTH_BODY_LIMIT_BYTES, schema: { body: PinBody, response: pinResponses } },
    async (request, reply) => {
      takeAttempt(request, reply);
      try {
        await checkPin(request.body.pin);
      } catch (error) {
        if (error instanceof SecurityError && error.code === "wrong-pin") app.log.warn(`security: wrong PIN from ${request.ip}`);
        throw error;
      }
      startSession(reply);
      return { ...status(request), loggedIn: true };
    },
  );

  app.post(
    "/api/auth/logout",
    { config: authRoute, bodyLimit: AUTH_BODY_LIMIT_BYTES, schema: { response: responses } },
    async (request, reply) => {
      sessions.revoke(sessionToken(request));
      void reply.header("set-cookie", sessionCookie(null, 0));
      return { ...status(request), loggedIn: false };
    },
  );

  // Needs a session (the default for PUT) and the current PIN: a phone left logged in on a stand cannot lock the owner out.
  app.put<{ Body: ChangePinRequest }>(
    "/api/auth/pin",
    { bodyLimit: AUTH_BODY_LIMIT_BYTES, schema: { body: ChangePinBody, response: pinResponses } },
    async (request, reply) => {
      const problem = pinProblem(request.body.newPin);
      if (problem !== null) throw new SecurityError(400, "invalid-pin", `body/newPin: ${problem}`);
      const state = pins.state();
      if (state.kind === "set" && state.source === "config") {
        throw new SecurityError(409, "pin-in-config", "the PIN is set in the config file (security.pinHash): change it there");
      }
      takeAttempt(request, reply);
      await checkPin(request.body.currentPin);
      const write = pinWrite.then(async () => pins.save(await hashPin(request.body.newPin, scryptParams)));
      pinWrite = write.catch(() => undefined);
      await write;
      app.log.info("security: admin PIN changed; every other session logged out");
      sessions.revokeAll();
      startSession(reply);
      return { ...status(request), loggedIn: true };
    },
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Registered by the app before its routes; fastify-plugin makes its hook apply to the app's routes, not only its own. */
export const security = fastifyPlugin(securityPlugin, { fastify: "5.x", name: "namstomp-security" });
