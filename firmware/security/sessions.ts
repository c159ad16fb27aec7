// Logged-in browsers: a random 256-bit token in an HttpOnly, SameSite=Strict cookie, and its
// SHA-256 with an expiry in memory (a restart logs everyone out, which is fine for a pedal).
// The table is bounded: past the limit the oldest session goes. Main thread.

import { createHash, randomBytes } from "node:crypto";

export const SESSION_COOKIE = "namstomp_session";

export interface SessionStoreOptions {
  /** How long a login lasts, ms. */
  ttlMs: number;
  /** Most sessions kept at once. */
  maxSessions: number;
  now?: () => number;
}

export class SessionStore {
  /** SHA-256 of the token (hex) → expiry (ms since epoch); Map order is creation order. */
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: SessionStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A new session; returns the token for the cookie (never stored as is). */
  create(): string {
    this.dropExpired();
    while (this.sessions.size >= this.options.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    const token = randomBytes(32).toString("base64url");
    this.sessions.set(digest(token), this.now() + this.options.ttlMs);
    return token;
  }

  isValid(token: string | undefined): boolean {
    if (token === undefined || token.length > 100) return false;
    const key = digest(token);
    const expiresAt = this.sessions.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.now()) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }

  revoke(token: string | undefined): void {
    if (token !== undefined) this.sessions.delete(digest(token));
  }

  /** Logs everyone out (the PIN changed). */
  revokeAll(): void {
    this.sessions.clear();
  }

  size(): number {
    this.dropExpired();
    return this.sessions.size;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.sessions) if (expiresAt <= now) this.sessions.delete(key);
  }
}

/** Hashing the token means a memory dump or a timing leak on the map lookup reveals nothing usable. */
function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The value of cookie `name` in a Cookie header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * The Set-Cookie value for a session token (null clears it). No `Secure`: the pedal serves plain
 * HTTP on the local network (see SECURITY.md); SameSite=Strict keeps other sites from using it.
 */
export function sessionCookie(token: string | null, maxAgeMs: number): string {
  const value = token ?? "";
  const maxAge = token === null ? 0 : Math.floor(maxAgeMs / 1000);
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
}
