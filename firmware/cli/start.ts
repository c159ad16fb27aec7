// `namstomp start`: runs the pedal daemon until SIGTERM or SIGINT, then stops it in order (fade
// out, device closed, writes flushed). Settings come from the config loader (defaults, then the
// config file, then these flags); an unknown or invalid setting refuses to start (exit code 2).

import { InvalidArgumentError, Option, type Command } from "commander";
import { pino } from "pino";
import { AUDIO_BACKEND_CHOICES } from "../config/settings-schema.js";
import { loadSettings, SettingsError, type SettingsFlags } from "../config/load-settings.js";
import { Daemon } from "../main.js";
import { CliInputError } from "./cli-errors.js";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("run the pedal: audio, footswitches, the phone web UI and its HTTP/WebSocket API")
    .option("--port <port>", "HTTP port (default 8080; 0: any free port)", parsePort)
    .option("--host <address>", "address to listen on (default 0.0.0.0: every interface)")
    .option("--data <dir>", "data directory: models, IRs, presets, config.json (default ./data)")
    .addOption(new Option("--audio <backend>", "audio device: auto (the sound card if naudiodon finds one, else virtual), naudiodon or virtual").choices(AUDIO_BACKEND_CHOICES))
    .option("--config <file>", "settings file (default <data>/config.json)")
    .action(async (flags: SettingsFlags) => runDaemon(flags));
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError("Must be an integer from 0 to 65535.");
  return port;
}

async function runDaemon(flags: SettingsFlags): Promise<void> {
  let loaded;
  try {
    loaded = await loadSettings(flags);
  } catch (error) {
    if (error instanceof SettingsError) throw new CliInputError(`settings: ${error.message}`);
    throw error;
  }
  const { settings } = loaded;
  const logger = pino({ level: settings.server.logLevel });
  logger.info(loaded.configFile === null
    ? "settings: defaults and flags (no config file)"
    : `settings: ${loaded.configFile}${loaded.migratedFromVersion === null ? "" : ` (migrated from version ${loaded.migratedFromVersion}; the old file is kept beside it)`}`);

  const daemon = new Daemon({ settings, systemd: loaded.systemd, uvThreadpoolSize: loaded.uvThreadpoolSize, logger });
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`${signal} again: exiting without finishing the stop`);
        process.exit(1);
      }
      stopping = true;
      logger.info(`${signal}: stopping`);
      void daemon.stop().then(resolve);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  try {
    await daemon.start();
  } catch (error) {
    await daemon.stop();
    if (error instanceof SettingsError) throw new CliInputError(`settings: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliInputError(`${settings.server.host}:${settings.server.port} is already in use: another namstomp, or choose --port`);
    }
    throw error;
  }
  await stopped;
}
