// systemd's service notification protocol (sd_notify(3)) for the daemon: READY=1 once audio runs,
// STATUS=, STOPPING=1, and WATCHDOG=1 pings fed by the audio path's health. Main thread.
//
// The environment (NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID) is a constructor parameter: only the
// config loader reads process.env, so it passes `systemdEnvironment(process.env)` in. Without
// NOTIFY_SOCKET (not started by systemd, or a unit that is not Type=notify) every call is a no-op.
//
// Transport. NOTIFY_SOCKET is an AF_UNIX datagram socket, which Node's dgram cannot address. Two
// ways are tried in order:
//   1. "unix-dgram" (npm, optional dependency; zigbee2mqtt's choice): sendto(2) from this process.
//      The sender is the service's main PID, so systemd attributes every message with no race and
//      no helper process; no fork per ping (a fork write-protects every page of the process,
//      the audio worker's buffers included, and each first write after it faults). It reaches
//      filesystem sockets only (it copies the address with strncpy, so the abstract namespace's
//      leading NUL cannot pass) and is a native addon built at install (build tools).
//   2. "systemd-notify" (Debian's systemd package, present wherever systemd runs): one child process
//      per message. It first sends with this process's PID as credentials (accepted when root),
//      else under its own PID and then waits on a BARRIER=1 until PID 1 has processed the
//      message (systemd ≥ 246), so the message is attributed to the unit before the helper exits.
//      Needs NotifyAccess=all in the unit (the sender is a child). Reaches "@abstract" sockets.
// When the addon is missing (not built) or the socket is abstract, the second one is used.

import { spawn } from "node:child_process";

/** The variables systemd sets for a Type=notify service (sd_notify(3), sd_watchdog_enabled(3)). */
export interface SystemdEnvironment {
  /** Where to send notifications: an absolute path, or "@name" for the abstract namespace. */
  NOTIFY_SOCKET?: string | undefined;
  /** Watchdog timeout, µs (WatchdogSec=); pings are due at least this often. */
  WATCHDOG_USEC?: string | undefined;
  /** The process the watchdog is meant for; another process must not ping. */
  WATCHDOG_PID?: string | undefined;
}

/** Picks the notification variables out of an environment block (the config loader passes process.env). */
export function systemdEnvironment(source: Readonly<Record<string, string | undefined>>): SystemdEnvironment {
  return { NOTIFY_SOCKET: source.NOTIFY_SOCKET, WATCHDOG_USEC: source.WATCHDOG_USEC, WATCHDOG_PID: source.WATCHDOG_PID };
}

export type NotifyTransportName = "unix-dgram" | "systemd-notify";

export interface NotifyLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface SystemdNotifierOptions {
  env: SystemdEnvironment;
  log: NotifyLog;
  /** This process's id, compared with WATCHDOG_PID. Default: process.pid. */
  pid?: number;
  /** Transports to try, in order. Default: unix-dgram, then systemd-notify. */
  transports?: readonly NotifyTransportName[];
  /** The systemd-notify binary. Default: "systemd-notify" (found in /usr/bin). */
  systemdNotifyPath?: string;
}

/**
 * A counter check for `startWatchdog`: true when `read()` moved since the previous call (the first
 * call compares with the value when this was created). For the engine: heartbeatMoved(() => engine.heartbeat()).
 */
export function heartbeatMoved(read: () => number): () => boolean {
  let last = read();
  return () => {
    const now = read();
    const moved = now !== last;
    last = now;
    return moved;
  };
}

interface Transport {
  readonly name: NotifyTransportName;
  send(message: string): Promise<void>;
  close(): void;
}

/** The part of unix-dgram's socket used here. */
interface UnixDgramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback: (error?: Error) => void): void;
  close(): void;
}

interface UnixDgramModule {
  createSocket(type: "unix_dgram"): UnixDgramSocket;
}

// A variable specifier: the addon is optional, and tsc must not require its presence.
const UNIX_DGRAM_MODULE = "unix-dgram";

async function openUnixDgram(socketPath: string): Promise<Transport> {
  if (socketPath.startsWith("@")) throw new Error("it cannot address abstract-namespace sockets");
  const loaded = (await import(UNIX_DGRAM_MODULE)) as Partial<UnixDgramModule> & { default?: UnixDgramModule };
  const createSocket = loaded.createSocket ?? loaded.default?.createSocket;
  if (typeof createSocket !== "function") throw new Error("the module has no createSocket");
  const socket = createSocket("unix_dgram");
  return {
    name: "unix-dgram",
    send: (message) =>
      new Promise((resolve, reject) => {
        const buffer = Buffer.from(message);
        socket.send(buffer, 0, buffer.length, socketPath, (error) => (error ? reject(error) : resolve()));
      }),
    close: () => {
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    },
  };
}

/** Kills a systemd-notify that hangs (its barrier alone waits up to 5 s), ms. */
const SYSTEMD_NOTIFY_TIMEOUT_MS = 10_000;

function openSystemdNotify(socketPath: string, command: string): Transport {
  // Only NOTIFY_SOCKET: no PATH, so the binary is looked up in /usr/bin:/bin.
  const env = { NOTIFY_SOCKET: socketPath };
  return {
    name: "systemd-notify",
    send: (message) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, message.split("\n"), { env, stdio: ["ignore", "ignore", "pipe"] });
        const timer = setTimeout(() => child.kill("SIGKILL"), SYSTEMD_NOTIFY_TIMEOUT_MS).unref();
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
          if (stderr.length < 1000) stderr += chunk;
        });
        child.once("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once("close", (code, signal) => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else reject(new Error(`${command} exited with ${signal ?? `code ${code}`}${stderr ? `: ${stderr.trim()}` : ""}`));
        });
      }),
    close: () => undefined,
  };
}

/** A STATUS= value on one line (a newline would start another assignment). */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

/** The longest setInterval delay Node accepts, ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class SystemdNotifier {
  private transport: Transport | null = null;
  private started = false;
  private queue: Promise<unknown> = Promise.resolve();
  private watchdogTimer: NodeJS.Timeout | null = null;
  private sendFailing = false;

  /** Stores the environment only; start() opens the transport. */
  constructor(private readonly options: SystemdNotifierOptions) {}

  /** Whether systemd listens (NOTIFY_SOCKET is set). */
  get enabled(): boolean {
    return Boolean(this.options.env.NOTIFY_SOCKET);
  }

  /** The transport in use after start(), or null (no NOTIFY_SOCKET, or none worked). */
  get transportName(): NotifyTransportName | null {
    return this.transport?.name ?? null;
  }

  /** Opens the first transport that works. Never throws: without one, the notifier logs and stays silent. */
  async start(): Promise<void> {
    this.started = true;
    const socketPath = this.options.env.NOTIFY_SOCKET;
    if (!socketPath || this.transport) return;
    const { log } = this.options;
    if (!socketPath.startsWith("/") && !socketPath.startsWith("@")) {
      log.warn(`systemd: NOTIFY_SOCKET "${socketPath}" is neither an absolute path nor "@abstract"; not notifying`);
      return;
    }
    const failures: string[] = [];
    for (const name of this.options.transports ?? ["unix-dgram", "systemd-notify"]) {
      try {
        this.transport =
          name === "unix-dgram"
            ? await openUnixDgram(socketPath)
            : openSystemdNotify(socketPath, this.options.systemdNotifyPath ?? "systemd-notify");
        if (failures.length > 0) log.info(`systemd: notifying through ${name} (${failures.join("; ")})`);
        return;
      } catch (error) {
        failures.push(`${name}: ${(error as Error).message}`);
      }
    }
    log.warn(`systemd: cannot send notifications to ${socketPath} (${failures.join("; ")})`);
  }

  /** Stops the watchdog pings and closes the transport (waits for messages in flight). */
  async stop(): Promise<void> {
    this.stopWatchdog();
    await this.queue;
    this.transport?.close();
    this.transport = null;
    this.started = false;
  }

  /** READY=1 (start-up finished: call once audio runs), with an optional STATUS= line. */
  ready(status?: string): Promise<boolean> {
    return this.send(status === undefined ? "READY=1" : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** STOPPING=1 (call on SIGTERM, before stopping services); ends the watchdog pings too. */
  stopping(): Promise<boolean> {
    this.stopWatchdog();
    return this.send("STOPPING=1");
  }

  /** STATUS=text, shown by `systemctl status`. */
  status(text: string): Promise<boolean> {
    return this.send(`STATUS=${oneLine(text)}`);
  }

  /**
   * Pings WATCHDOG=1 every half of WATCHDOG_USEC, each time only if `isHealthy()` is true (pass
   * heartbeatMoved(() => engine.heartbeat()) so a stalled audio path, not only a stalled event
   * loop, lets systemd's watchdog fire). Returns the ping interval in ms, or null when systemd
   * asked for no watchdog (no NOTIFY_SOCKET or WATCHDOG_USEC, or WATCHDOG_PID is another process).
   */
  startWatchdog(isHealthy: () => boolean): number | null {
    this.stopWatchdog();
    const { env, log } = this.options;
    if (!this.enabled || env.WATCHDOG_USEC === undefined) return null;
    if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== (this.options.pid ?? process.pid)) return null;
    const timeoutUs = Number(env.WATCHDOG_USEC);
    if (!Number.isSafeInteger(timeoutUs) || timeoutUs <= 0) {
      log.warn(`systemd: WATCHDOG_USEC "${env.WATCHDOG_USEC}" is not a positive integer; no watchdog pings`);
      return null;
    }
    const intervalMs = Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(timeoutUs / 2000)));
    let feeding = true;
    this.watchdogTimer = setInterval(() => {
      let healthy: boolean;
      try {
        healthy = isHealthy();
      } catch {
        healthy = false;
      }
      if (healthy) {
        if (!feeding) log.info("systemd watchdog: audio is moving again; pings resume");
        feeding = true;
        void this.send("WATCHDOG=1");
      } else if (feeding) {
        feeding = false;
        log.warn(
          `systemd watchdog: the audio heartbeat did not move for ${intervalMs} ms; not pinging ` +
            `(systemd restarts the service ${timeoutUs / 1e6} s after the last ping)`,
        );
      }
    }, intervalMs);
    this.watchdogTimer.unref();
    return intervalMs;
  }

  stopWatchdog(): void {
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  /**
   * Sends one message, after those before it (order matters: READY before WATCHDOG). Never
   * rejects: true when sent, false when there is nowhere to send, the notifier is not started,
   * or it failed (logged once per failing run).
   */
  private send(message: string): Promise<boolean> {
    if (!this.started) {
      // Not thrown: a late STOPPING=1 during shutdown must not become an unhandled rejection.
      if (this.enabled) this.options.log.warn(`systemd: ${message.split("\n")[0]} not sent: the notifier is not started`);
      return Promise.resolve(false);
    }
    const transport = this.transport;
    if (!transport) return Promise.resolve(false);
    const sent = this.queue.then(() =>
      transport.send(message).then(
        () => {
          if (this.sendFailing) this.options.log.info("systemd: notifications get through again");
          this.sendFailing = false;
          return true;
        },
        (error: Error) => {
          if (!this.sendFailing) {
            this.options.log.warn(`systemd: could not send ${message.split("\n")[0]} through ${transport.name}: ${error.message}`);
          }
          this.sendFailing = true;
          return false;
        },
      ),
    );
    this.queue = sent;
    return sent;
  }
}
