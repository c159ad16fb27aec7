// Where a request claims to come from and which name it used for the pedal. Two attacks on a
// device with no TLS on a shared network:
//  - DNS rebinding: a web page on evil.example makes its own name resolve to the pedal's address,
//    so the browser talks to the pedal while believing it talks to evil.example. The Host header
//    still says evil.example: only names that cannot be rebound from outside are accepted
//    (IP literals, localhost, *.local mDNS names, names the owner configured).
//  - CSRF: a page elsewhere posts a form or a fetch to the pedal. The browser says so in Origin
//    (and Sec-Fetch-Site); a mutating request must come from the pedal's own origin.
// Pure functions; the plugin turns a non-null answer into a 403 (Host: 421).

import { isIP } from "node:net";

export interface HostPolicy {
  /** Extra names the pedal is reached by (lower case, e.g. "pedal.lan"); IPs, localhost and *.local always pass. */
  hostnames: readonly string[];
}

export interface ParsedHost {
  /** Lower case, without brackets or a trailing dot. */
  hostname: string;
  /** "" when the header has no port. */
  port: string;
}

/** Splits a Host header ("192.168.4.1:8080", "[fe80::1]:80", "pedal.local") or returns null when malformed. */
export function parseHost(header: string): ParsedHost | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/@]+))(?::(\d{1,5}))?$/.exec(header.trim());
  if (!match) return null;
  const hostname = (match[1] ?? match[2]!).toLowerCase().replace(/\.$/, "");
  if (match[1] !== undefined && isIP(hostname) !== 6) return null;
  if (hostname === "") return null;
  return { hostname, port: match[3] ?? "" };
}

/** Why a request naming the pedal `hostHeader` is refused, or null when the name is acceptable. */
export function hostProblem(hostHeader: string | undefined, policy: HostPolicy): string | null {
  // Browsers always send Host, so a request without one is no rebinding attempt (HTTP/1.0 tools, injected test requests).
  if (hostHeader === undefined || hostHeader === "") return null;
  const host = parseHost(hostHeader);
  if (host === null) return `malformed Host header "${truncate(hostHeader)}"`;
  const name = host.hostname;
  if (isIP(name) !== 0 || name === "localhost" || name.endsWith(".localhost")) return null;
  if (name.endsWith(".local") && name.length > ".local".length) return null;
  if (policy.hostnames.includes(name)) return null;
  return `the pedal does not answer to the name "${truncate(name)}" (use its IP address or <name>.local, ` +
    "or add the name to the security.hostnames setting)";
}

export interface RequestOriginHeaders {
  host: string | undefined;
  origin: string | undefined;
  /** Sent by current browsers on every request: same-origin, same-site, cross-site or none. */
  secFetchSite: string | undefined;
}

/**
 * Why a state-changing request (or a WebSocket upgrade) is refused as cross-site, or null when it
 * comes from the pedal's own page or from a non-browser client (no Origin: curl, the tests; a
 * browser always sends Origin on a cross-origin request, and SameSite=Strict keeps the session
 * cookie off cross-site requests anyway).
 */
export function crossSiteProblem(headers: RequestOriginHeaders): string | null {
  const fetchSite = headers.secFetchSite?.toLowerCase();
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") {
    return `cross-site request refused (Sec-Fetch-Site: ${truncate(fetchSite)})`;
  }
  if (headers.origin === undefined) return null;
  if (headers.origin === "null") return "cross-site request refused (Origin: null)";
  let origin: URL;
  try {
    origin = new URL(headers.origin);
  } catch {
    return `cross-site request refused (malformed Origin "${truncate(headers.origin)}")`;
  }
  if (origin.protocol !== "http:" && origin.protocol !== "https:") {
    return `cross-site request refused (Origin ${truncate(headers.origin)})`;
  }
  let ownHost: string | null = null;
  try {
    // The URL parser drops the scheme's default port on both sides, so "pedal.local" and "pedal.local:80" agree.
    if (headers.host !== undefined) ownHost = new URL(`${origin.protocol}//${headers.host}`).host;
  } catch {
    ownHost = null;
  }
  if (ownHost === null || origin.host !== ownHost) {
    return `cross-site request refused: Origin ${truncate(headers.origin)} is not this pedal (${truncate(headers.host ?? "no Host")})`;
  }
  return null;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
