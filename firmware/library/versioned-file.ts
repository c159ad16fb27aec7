// Versioned JSON files (presets.json, config.json): read → migrate step by step to the current
// version → validate against the schema → check cross-field rules. A migrated file is written
// back in the new format, after its original bytes are kept as `<name>.v<N>.bak`. Every write
// goes through writeFileAtomic. A file that cannot be read is never overwritten: the error names
// the file and the field. Main thread (async I/O).

import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { writeFileAtomic } from "../util/atomic-write.js";

export interface FieldProblem {
  /** JSON pointer of the offending value, e.g. "/presets/0/params/gate/thresholdDb". */
  path: string;
  message: string;
}

export interface VersionedFormat<T> {
  currentVersion: number;
  /** Schema of the current version. */
  schema: TSchema;
  /** migrations[n] turns a version-n document into a version-(n+1) one. */
  migrations: Record<number, (document: Record<string, unknown>) => Record<string, unknown>>;
  /** Version of a document that has no "version" field (the oldest format); null: such a file is invalid. */
  unversionedIs: number | null;
  /** Rules beyond the schema. */
  check(document: T): FieldProblem[];
}

export class VersionedFileError extends Error {
  override readonly name = "VersionedFileError";

  /** @param field JSON pointer of the offending value; "" for the whole file */
  constructor(readonly file: string, readonly field: string, readonly detail: string, options?: { cause?: unknown }) {
    super(field === "" ? `${file}: ${detail}` : `${file}: ${field}: ${detail}`, options);
  }
}

export interface LoadedVersionedFile<T> {
  document: T;
  /** The version the file had when it needed migrating, else null. */
  migratedFrom: number | null;
  /** Where the pre-migration file was kept, else null. */
  backupPath: string | null;
}

/** Throws VersionedFileError for the first problems of `document` against the format. */
export function validateVersioned<T>(file: string, format: VersionedFormat<T>, document: unknown): T {
  const schemaErrors = [...Value.Errors(format.schema, document)];
  if (schemaErrors.length > 0) {
    const first = schemaErrors[0]!;
    const more = schemaErrors.length > 1 ? ` (and ${schemaErrors.length - 1} more problem${schemaErrors.length > 2 ? "s" : ""})` : "";
    throw new VersionedFileError(file, first.path, `${first.message}${more}`);
  }
  const problems = format.check(document as T);
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
    throw new VersionedFileError(file, problems[0]!.path, `${problems[0]!.message}${more}`);
  }
  return document as T;
}

async function unusedBackupPath(path: string, version: number): Promise<string> {
  const plain = `${path}.v${version}.bak`;
  try {
    await stat(plain);
  } catch {
    return plain;
  }
  return `${path}.v${version}.${Date.now()}.bak`;
}

/** Reads, migrates and validates `path`; null when the file does not exist. */
export async function loadVersionedFile<T>(path: string, format: VersionedFormat<T>): Promise<LoadedVersionedFile<T> | null> {
  const file = basename(path);
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new VersionedFileError(file, "", `cannot read: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new VersionedFileError(file, "", `not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new VersionedFileError(file, "", "expected a JSON object at the top level");
  }
  let document = parsed as Record<string, unknown>;
  const version = "version" in document ? document.version : format.unversionedIs;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) {
    throw new VersionedFileError(file, "/version", `expected a format version number, got ${JSON.stringify(version ?? null)}`);
  }
  if (version > format.currentVersion) {
    throw new VersionedFileError(file, "/version", `version ${version} was written by a newer firmware (this one reads up to ${format.currentVersion})`);
  }
  for (let from = version; from < format.currentVersion; from++) {
    const migrate = format.migrations[from];
    if (!migrate) throw new VersionedFileError(file, "/version", `no migration from version ${from}`);
    document = migrate(document);
  }
  const valid = validateVersioned(version === format.currentVersion ? file : `${file} (migrated from version ${version})`, format, document);
  if (version === format.currentVersion) return { document: valid, migratedFrom: null, backupPath: null };
  const backupPath = await unusedBackupPath(path, version);
  await writeFileAtomic(backupPath, raw);
  await writeVersionedFile(path, format, valid);
  return { document: valid, migratedFrom: version, backupPath };
}

/** Validates and writes `document` atomically, as indented JSON. */
export async function writeVersionedFile<T>(path: string, format: VersionedFormat<T>, document: T): Promise<void> {
  validateVersioned(basename(path), format, document);
  await writeFileAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
}
