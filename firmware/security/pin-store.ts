// Where the admin PIN's hash lives: the config file (security.pinHash, set by whoever installs the
// pedal; cannot be changed from the web) or, when the config has none, <data>/auth.json written
// when the PIN is first set from the web UI (atomically, readable by the daemon's user only).
// A damaged auth.json locks the admin routes instead of reopening first-use setup: a corrupted
// file must never let the next visitor choose the PIN. Main thread.

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { loadVersionedFile, validateVersioned, type VersionedFormat } from "../library/versioned-file.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { checkPinHash, PinHashFormatError } from "./pin-hash.js";

export const AUTH_FILE_NAME = "auth.json";
const AUTH_FILE_VERSION = 1;

interface AuthDocument {
  version: number;
  pinHash: string;
  /** ISO 8601, when the PIN was set. */
  setAt: string;
}

const authFormat: VersionedFormat<AuthDocument> = {
  currentVersion: AUTH_FILE_VERSION,
  schema: Type.Object(
    { version: Type.Literal(AUTH_FILE_VERSION), pinHash: Type.String({ minLength: 1, maxLength: 512 }), setAt: Type.String() },
    { additionalProperties: false },
  ),
  migrations: {},
  unversionedIs: null,
  check: (document) => {
    try {
      checkPinHash(document.pinHash);
      return [];
    } catch (error) {
      return [{ path: "/pinHash", message: (error as Error).message }];
    }
  },
};

export type PinState =
  | { kind: "unset" }
  | { kind: "set"; hash: string; source: "config" | "setup" }
  /** auth.json exists but cannot be read: nobody can log in until a person fixes or deletes it. */
  | { kind: "broken"; reason: string };

export interface PinStoreOptions {
  dataDir: string;
  /** security.pinHash from the config, or null. */
  configuredHash: string | null;
  log: { warn(message: string): void };
}

export class PinStore {
  private current: PinState = { kind: "unset" };

  constructor(private readonly options: PinStoreOptions) {}

  get filePath(): string {
    return join(this.options.dataDir, AUTH_FILE_NAME);
  }

  async start(): Promise<void> {
    const { configuredHash, log } = this.options;
    if (configuredHash !== null) {
      // A bad config value is the installer's mistake: refuse to start rather than run unprotected.
      try {
        checkPinHash(configuredHash);
      } catch (error) {
        throw new PinHashFormatError(`security.pinHash: ${(error as Error).message}`);
      }
      this.current = { kind: "set", hash: configuredHash, source: "config" };
      return;
    }
    try {
      const loaded = await loadVersionedFile(this.filePath, authFormat);
      this.current = loaded === null ? { kind: "unset" } : { kind: "set", hash: loaded.document.pinHash, source: "setup" };
    } catch (error) {
      log.warn(`security: admin routes are locked: ${(error as Error).message}; fix or delete ${this.filePath} and restart to set a new PIN`);
      // What clients are told: no paths, no file contents.
      this.current = { kind: "broken", reason: `${AUTH_FILE_NAME} in the data directory is damaged; fix or delete it and restart the pedal to set a new PIN` };
    }
  }

  state(): PinState {
    return this.current;
  }

  /** Stores a new hash (first-use setup or a PIN change); not when the config holds the PIN. */
  async save(hash: string): Promise<void> {
    if (this.current.kind === "set" && this.current.source === "config") throw new Error("the PIN is set in the config file");
    const document: AuthDocument = { version: AUTH_FILE_VERSION, pinHash: hash, setAt: new Date().toISOString() };
    validateVersioned(AUTH_FILE_NAME, authFormat, document);
    await mkdir(this.options.dataDir, { recursive: true });
    await writeFileAtomic(this.filePath, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
    this.current = { kind: "set", hash, source: "setup" };
  }
}
