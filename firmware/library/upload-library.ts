// A folder of uploaded files (models/, irs/) stored under generated ids: `<id><ext>` holds the
// bytes as uploaded, `<id>.json` (versioned) the record — the player's name for it, the original
// file name, size, upload time and what the file is (a summary computed once, at upload). The
// record is written last, so it is what makes an upload exist: a file without one is an upload
// that did not finish and is removed at start. Every write is atomic. Main thread.

import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Type, type TSchema } from "@sinclair/typebox";
import { isAtomicWriteLeftover, writeFileAtomic } from "../util/atomic-write.js";
import { LIBRARY_ID_PATTERN, LIBRARY_NAME_MAX_LENGTH } from "./library-ids.js";
import { loadVersionedFile, writeVersionedFile, type VersionedFormat } from "./versioned-file.js";

export type LibraryErrorCode = "not-found" | "invalid-file" | "invalid-name" | "in-use";

/** A request the library refuses; `code` says which kind (the server maps it to an HTTP status). */
export class LibraryError extends Error {
  override readonly name = "LibraryError";
  constructor(readonly code: LibraryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const RECORD_VERSION = 1;

const recordSchema = (summary: TSchema) => Type.Object(
  {
    version: Type.Literal(RECORD_VERSION),
    id: Type.String({ pattern: LIBRARY_ID_PATTERN }),
    name: Type.String({ minLength: 1, maxLength: LIBRARY_NAME_MAX_LENGTH }),
    originalFileName: Type.String({ maxLength: 255 }),
    sizeBytes: Type.Integer({ minimum: 0 }),
    uploadedAt: Type.String({ minLength: 1 }),
    summary,
  },
  { additionalProperties: false },
);

export interface LibraryEntry<Summary> {
  id: string;
  /** The player's name for it (the file name without extension at first; renamable). */
  name: string;
  originalFileName: string;
  sizeBytes: number;
  /** ISO 8601. */
  uploadedAt: string;
  summary: Summary;
}

type StoredRecord<Summary> = LibraryEntry<Summary> & { version: number };

export interface UploadLibraryOptions {
  directory: string;
  /** Extension of the stored files, with the dot: ".nam", ".wav". */
  extension: string;
  /** "model", "IR": how messages name an entry. */
  noun: string;
  /** Schema of the summary kept in each record. */
  summarySchema: TSchema;
  log: { warn(message: string): void };
}

/** A player-facing name from an uploaded file name: no directories, no extension, trimmed, bounded. */
export function displayNameOf(originalFileName: string, extension: string): string {
  const base = originalFileName.split(/[\\/]/).at(-1) ?? "";
  const stem = base.toLowerCase().endsWith(extension) ? base.slice(0, -extension.length) : base;
  return stem.trim().slice(0, LIBRARY_NAME_MAX_LENGTH) || "untitled";
}

export class UploadLibrary<Summary> {
  private readonly entries = new Map<string, LibraryEntry<Summary>>();
  private readonly format: VersionedFormat<StoredRecord<Summary>>;

  constructor(private readonly options: UploadLibraryOptions) {
    this.format = {
      currentVersion: RECORD_VERSION,
      schema: recordSchema(options.summarySchema),
      migrations: {},
      unversionedIs: null,
      check: () => [],
    };
  }

  /** Creates the folder, reads every record, and removes unfinished uploads and write leftovers. */
  async start(): Promise<void> {
    const { directory, extension, noun, log } = this.options;
    await mkdir(directory, { recursive: true });
    const names = await readdir(directory);
    const recorded = new Set<string>();
    for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
      // A file with a record, even a damaged one, is no unfinished upload.
      recorded.add(`${name.slice(0, -".json".length)}${extension}`);
      try {
        const loaded = await loadVersionedFile(join(directory, name), this.format);
        if (loaded === null) continue;
        const { version: _version, ...entry } = loaded.document;
        this.entries.set(entry.id, entry);
      } catch (error) {
        // Kept on disk, with its file, for a person to look at; the rest of the library still loads.
        log.warn(`library: skipping the ${noun} record ${name}: ${(error as Error).message}`);
      }
    }
    for (const name of names) {
      const unfinishedUpload = name.endsWith(extension) && !recorded.has(name);
      if (unfinishedUpload || isAtomicWriteLeftover(name)) await rm(join(directory, name), { force: true });
    }
  }

  async stop(): Promise<void> {}

  /** Every entry, by name. */
  list(): LibraryEntry<Summary>[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name) || a.uploadedAt.localeCompare(b.uploadedAt));
  }

  get(id: string): LibraryEntry<Summary> {
    const entry = this.entries.get(id);
    if (!entry) throw new LibraryError("not-found", `no ${this.options.noun} with id "${id}"`);
    return entry;
  }

  filePath(id: string): string {
    return join(this.options.directory, `${this.get(id).id}${this.options.extension}`);
  }

  /**
   * Stores an upload under a new id. `summarize` gets the stored file's path and describes it, or
   * throws (invalid file): then nothing is kept.
   */
  async add(bytes: Uint8Array, originalFileName: string, summarize: (path: string) => Promise<Summary>): Promise<LibraryEntry<Summary>> {
    const id = randomBytes(8).toString("hex");
    const path = join(this.options.directory, `${id}${this.options.extension}`);
    await writeFileAtomic(path, bytes);
    try {
      const entry: LibraryEntry<Summary> = {
        id,
        name: displayNameOf(originalFileName, this.options.extension),
        originalFileName: originalFileName.slice(0, 255),
        sizeBytes: bytes.byteLength,
        uploadedAt: new Date().toISOString(),
        summary: await summarize(path),
      };
      await this.writeRecord(entry);
      this.entries.set(id, entry);
      return entry;
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }

  async rename(id: string, name: string): Promise<LibraryEntry<Summary>> {
    const renamed = { ...this.get(id), name: name.trim() };
    if (renamed.name === "") throw new LibraryError("invalid-name", "the name must not be empty");
    await this.writeRecord(renamed);
    this.entries.set(id, renamed);
    return renamed;
  }

  /** Removes the record first (the entry is gone even if the file removal is cut short), then the file. */
  async remove(id: string): Promise<void> {
    const path = this.filePath(id);
    await rm(this.recordPath(id), { force: true });
    this.entries.delete(id);
    await rm(path, { force: true });
  }

  private recordPath(id: string): string {
    return join(this.options.directory, `${id}.json`);
  }

  private async writeRecord(entry: LibraryEntry<Summary>): Promise<void> {
    await writeVersionedFile(this.recordPath(entry.id), this.format, { version: RECORD_VERSION, ...entry });
  }
}

/** A few recently used values (parsed models, decoded IRs), the least recently used dropped first. */
export class RecentlyUsed<Value> {
  private readonly values = new Map<string, Value>();

  constructor(private readonly capacity: number) {}

  get(key: string): Value | undefined {
    const value = this.values.get(key);
    if (value !== undefined) this.set(key, value);
    return value;
  }

  set(key: string, value: Value): void {
    this.values.delete(key);
    this.values.set(key, value);
    if (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value!);
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  clear(): void {
    this.values.clear();
  }
}
