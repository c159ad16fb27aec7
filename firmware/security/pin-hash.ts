// The admin PIN as stored: a salted scrypt hash in one string, so the same value fits auth.json
// and the config file ("scrypt:<log2 N>:<r>:<p>:<salt base64>:<hash base64>"). The parameters
// travel with the hash, so stronger ones can be chosen later without breaking stored PINs.
// Hashing runs on libuv's thread pool (async scrypt), never on the event loop or the audio worker.
// Main thread.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. */
  logN: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
}

/**
 * N = 2^15, r = 8: 32 MiB and roughly 0.1 s per hash on a Pi 4 core. Slow enough that the SD card
 * copy of a long PIN is expensive to brute-force, fast enough that a login does not stall the UI.
 */
export const DEFAULT_SCRYPT: ScryptParameters = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds on parameters read back, so a hand-edited hash cannot make verification take minutes or gigabytes. */
const MAX_LOG_N = 20;
const MAX_R = 16;
const MAX_P = 4;

/** A stored hash that cannot be read (bad config value or a damaged auth.json). */
export class PinHashFormatError extends Error {
  override readonly name = "PinHashFormatError";
}

interface DecodedPinHash {
  params: ScryptParameters;
  salt: Buffer;
  hash: Buffer;
}

/** A new salted hash of `pin`, encoded as one string. */
export async function hashPin(pin: string, params: ScryptParameters = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(pin, salt, params, HASH_BYTES);
  return encodePinHash({ params, salt, hash });
}

/** Whether `pin` matches the stored hash (constant-time comparison). Throws PinHashFormatError for an unreadable hash. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const decoded = decodePinHash(stored);
  const candidate = await derive(pin, decoded.salt, decoded.params, decoded.hash.length);
  return timingSafeEqual(candidate, decoded.hash);
}

/** Checks a stored hash's format without verifying anything (config validation at start). */
export function checkPinHash(stored: string): void {
  decodePinHash(stored);
}

function encodePinHash({ params, salt, hash }: DecodedPinHash): string {
  return ["scrypt", params.logN, params.r, params.p, salt.toString("base64"), hash.toString("base64")].join(":");
}

function decodePinHash(stored: string): DecodedPinHash {
  const parts = stored.split(":");
  if (parts.length !== 6 || parts[0] !== "scrypt") {
    throw new PinHashFormatError('a PIN hash looks like "scrypt:<logN>:<r>:<p>:<salt>:<hash>" (make one with `namstomp hash-pin`)');
  }
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const inRange = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (!inRange(logN, 10, MAX_LOG_N) || !inRange(r, 1, MAX_R) || !inRange(p, 1, MAX_P)) {
    throw new PinHashFormatError(`PIN hash parameters out of range (logN 10…${MAX_LOG_N}, r 1…${MAX_R}, p 1…${MAX_P})`);
  }
  const salt = Buffer.from(parts[4]!, "base64");
  const hash = Buffer.from(parts[5]!, "base64");
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) throw new PinHashFormatError("PIN hash: salt or hash too short");
  return { params: { logN, r, p }, salt, hash };
}

function derive(pin: string, salt: Buffer, params: ScryptParameters, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize("NFC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
