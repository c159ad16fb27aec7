// The only error type the `.nam` loader throws.

/**
 * - `io`: the file cannot be read (missing, not a regular file, permissions).
 * - `json`: not UTF-8 JSON, or the root is not an object.
 * - `version`: missing or unsupported `version`.
 * - `architecture`: missing or unknown `architecture`.
 * - `config`: an invalid value in `config`, `sample_rate` or `metadata`.
 * - `weights`: `weights` missing, of the wrong length, or holding non-finite values.
 * - `too-large`: beyond the loader's resource limits (file size, widths, depths, weight count...).
 * - `not-supported`: valid in the format, but a combination the core cannot run (e.g. slimming grouped convs).
 */
export type NamErrorCode =
  | "io"
  | "json"
  | "version"
  | "architecture"
  | "config"
  | "weights"
  | "too-large"
  | "not-supported";

export class NamFileError extends Error {
  override readonly name = "NamFileError";

  /**
   * @param file name of the file (basename), used as the message prefix
   * @param field JSON path of the offending value, e.g. `config.layers[1].dilations`; "" for whole-file problems
   * @param detail what is wrong, without the file/field prefix
   */
  constructor(
    readonly file: string,
    readonly field: string,
    readonly code: NamErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(field === "" ? `${file}: ${detail}` : `${file}: ${field}: ${detail}`, options);
  }
}
