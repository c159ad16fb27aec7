// The one place that reads settings: the config file, the environment and the command-line flags,
// in that order of precedence (flags win), over the schema's defaults. Nothing else in the firmware
// reads process.env or a config file. Main thread, once at start.

import { join, resolve } from "node:path";
import { Type } from "@sinclair/typebox";
import type { ValueError } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import { FootswitchConfigError, resolveFootswitchConfig } from "../controls/footswitch-config.js";
import {
  loadVersionedFile, VersionedFileError, type FieldProblem, type LoadedVersionedFile, type VersionedFormat,
} from "../library/versioned-file.js";
import { systemdEnvironment, type SystemdEnvironment } from "../system/sd-notify.js";
import {
  AUDIO_BACKEND_CHOICES, DEFAULT_DATA_DIR, SETTINGS_VERSION, SettingsSchema, type AudioBackendChoice, type Settings,
} from "./settings-schema.js";

/** The `namstomp start` flags that override settings. */
export interface SettingsFlags {
  port?: number;
  host?: string;
  /** Data directory; also where config.json is looked for. */
  data?: string;
  audio?: AudioBackendChoice;
  /** A config file elsewhere than <data>/config.json; it must exist. */
  config?: string;
}

/**
 * The environment variables read: NAMSTOMP_DATA_DIR and NAMSTOMP_CONFIG (like --data and --config;
 * the systemd unit and /etc/default/namstomp set them), systemd's notification variables, and
 * UV_THREADPOOL_SIZE (naudiodon needs a large enough libuv pool, fixed when the process starts).
 */
export type SettingsEnvironment = Readonly<Record<string, string | undefined>>;

export interface LoadedSettings {
  settings: Settings;
  /** The config file read, or null when there was none (defaults and flags only). */
  configFile: string | null;
  /** Set when the file was written by an older version and migrated (a backup was kept). */
  migratedFromVersion: number | null;
  /** For the systemd notifier (no NOTIFY_SOCKET: not started by systemd). */
  systemd: SystemdEnvironment;
  /** libuv's threadpool size this process started with. */
  uvThreadpoolSize: number;
}

/** libuv's default pool size, when UV_THREADPOOL_SIZE is not set. */
const DEFAULT_UV_THREADPOOL_SIZE = 4;

/** An unknown or invalid setting; the message names where it came from and the setting's path. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

/**
 * Steps that turn a config file of version N (the key) into version N + 1. Version 1 is the first
 * format, so there are none yet; a step added here runs before validation, the migrated file is
 * written back and the original kept as config.json.v<N>.bak (library/versioned-file.ts).
 */
export const SETTINGS_MIGRATIONS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {};

export const CONFIG_FILE_NAME = "config.json";

/** config.json as the versioned-file loader reads it: the full check (after defaults) is `check`. */
const settingsFileFormat: VersionedFormat<Record<string, unknown>> = {
  currentVersion: SETTINGS_VERSION,
  schema: Type.Object({ version: Type.Optional(Type.Integer()) }),
  migrations: SETTINGS_MIGRATIONS,
  // A hand-written file without "version" is read as the current format.
  unversionedIs: SETTINGS_VERSION,
  check: settingsProblems,
};

export async function loadSettings(flags: SettingsFlags, env: SettingsEnvironment = process.env): Promise<LoadedSettings> {
  const flagProblem = checkFlags(flags);
  if (flagProblem !== null) throw new SettingsError(flagProblem);
  const explicitConfig = flags.config ?? env.NAMSTOMP_CONFIG;
  const dataDirHint = flags.data ?? env.NAMSTOMP_DATA_DIR;
  const configFile = resolve(explicitConfig ?? join(dataDirHint ?? DEFAULT_DATA_DIR, CONFIG_FILE_NAME));
  let loaded: LoadedVersionedFile<Record<string, unknown>> | null;
  try {
    loaded = await loadVersionedFile(configFile, settingsFileFormat);
  } catch (error) {
    if (!(error instanceof VersionedFileError)) throw error;
    throw new SettingsError(`${configFile}: ${error.field === "" ? "" : `${error.field}: `}${error.detail}`);
  }
  if (loaded === null && explicitConfig !== undefined) throw new SettingsError(`${configFile}: the config file does not exist`);
  const settings = validateSettings(loaded?.document ?? {}, loaded === null ? "settings" : configFile);
  if (dataDirHint !== undefined) settings.dataDir = dataDirHint;
  if (flags.port !== undefined) settings.server.port = flags.port;
  if (flags.host !== undefined) settings.server.host = flags.host;
  if (flags.audio !== undefined) settings.audio.backend = flags.audio;
  settings.dataDir = resolve(settings.dataDir);
  return {
    settings,
    configFile: loaded === null ? null : configFile,
    migratedFromVersion: loaded?.migratedFrom ?? null,
    systemd: systemdEnvironment(env),
    uvThreadpoolSize: Number(env.UV_THREADPOOL_SIZE) || DEFAULT_UV_THREADPOOL_SIZE,
  };
}

/** The settings every field's default gives (tests, `bench --device` without a config). */
export function defaultSettings(): Settings {
  return validateSettings({}, "defaults");
}

/** Validates a settings document (defaults filled in); `source` names it in errors. */
export function validateSettings(document: Record<string, unknown>, source: string): Settings {
  const problems = settingsProblems(document);
  if (problems.length > 0) throw new SettingsError(`${source}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  return withDefaults(document) as Settings;
}

function withDefaults(document: Record<string, unknown>): unknown {
  return Value.Default(SettingsSchema, structuredClone(document));
}

/** Every problem of a settings document once defaults are filled in (the first few), with the setting's path. */
function settingsProblems(document: Record<string, unknown>): FieldProblem[] {
  const complete = withDefaults(document);
  const problems = [...Value.Errors(SettingsSchema, complete)].slice(0, 8).map(describeProblem);
  if (problems.length > 0) return problems;
  try {
    // Cross-field checks the schema cannot express (GPIOs used once, chords naming real switches).
    resolveFootswitchConfig((complete as Settings).controls.footswitches, "/controls/footswitches");
  } catch (error) {
    if (!(error instanceof FootswitchConfigError)) throw error;
    // Its message is "<path>: <what is wrong>".
    const separator = error.message.indexOf(": ");
    return [{ path: error.message.slice(0, separator), message: error.message.slice(separator + 2) }];
  }
  return [];
}

function describeProblem(error: ValueError): FieldProblem {
  const path = error.path === "" ? "/" : error.path;
  // TypeBox reports an unknown key as "Unexpected property" at the key's own path.
  if (error.message === "Unexpected property") return { path, message: "unknown setting" };
  const choices = (error.schema.anyOf as { const?: unknown }[] | undefined)?.map((option) => option.const);
  const got = error.value === undefined ? "" : `, got ${JSON.stringify(error.value)}`;
  if (choices !== undefined && choices.every((choice) => choice !== undefined)) {
    return { path, message: `must be one of ${choices.map((choice) => JSON.stringify(choice)).join(", ")}${got}` };
  }
  return { path, message: `${error.message.toLowerCase()}${got}` };
}

function checkFlags(flags: SettingsFlags): string | null {
  if (flags.port !== undefined && !(Number.isInteger(flags.port) && flags.port >= 0 && flags.port <= 65535)) {
    return `--port: must be an integer from 0 to 65535, got ${flags.port}`;
  }
  if (flags.audio !== undefined && !(AUDIO_BACKEND_CHOICES as readonly string[]).includes(flags.audio)) {
    return `--audio: must be one of ${AUDIO_BACKEND_CHOICES.join(", ")}, got ${String(flags.audio)}`;
  }
  if (flags.host !== undefined && flags.host.trim() === "") return "--host: must not be empty";
  if (flags.data !== undefined && flags.data.trim() === "") return "--data: must not be empty";
  return null;
}
