// The one way the firmware writes a file: readers see the old content or the new, never a mix,
// and a power cut on the Pi (SD card, no clean shutdown) cannot leave a half-written file.
// Main thread (async I/O).

import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Permission bits of a newly created file (default 0o644). */
  mode?: number;
}

/**
 * Writes `data` to `path`: a temporary file in the same directory (so the rename stays on one
 * filesystem), written and fsynced, renamed over `path`, then the directory fsynced so the rename
 * itself survives a power cut. On failure the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const directory = dirname(path);
  // Starts with "." so directory listings (model and IR libraries) never show it.
  const tempPath = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const file = await open(tempPath, "wx", options.mode ?? 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  const directoryHandle = await open(directory, "r");
  try {
    await directoryHandle.sync();
  } finally {
    await directoryHandle.close();
  }
}

/** Whether `name` is a temporary file left by writeFileAtomic (a crash between write and rename). */
export function isAtomicWriteLeftover(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{12}\.tmp$/.test(name);
}
