// SystemdNotifier against a stand-in NOTIFY_SOCKET (notify-listener.py: an AF_UNIX datagram
// socket that prints what it receives and releases systemd-notify's barrier like PID 1 does).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import {
  heartbeatMoved,
  SystemdNotifier,
  systemdEnvironment,
  type NotifyLog,
  type NotifyTransportName,
  type SystemdEnvironment,
} from "../../firmware/system/sd-notify.js";
import { repoRoot } from "../helpers/paths.js";

const LISTENER = join(repoRoot, "test", "system", "notify-listener.py");

interface Received {
  message: string;
  fds: number;
  pid: number | null;
}

class Listener {
  readonly received: Received[] = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  static async start(address: string): Promise<Listener> {
    const child = spawn("python3", [LISTENER, address]);
    const listener = new Listener(child);
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on("line", (line) => {
        if (line === "listening") resolve();
        else listener.received.push(JSON.parse(line) as Received);
      });
      child.once("exit", (code) => reject(new Error(`notify-listener exited with ${code}: ${stderr}`)));
    });
    return listener;
  }

  /** The notifications (systemd-notify's BARRIER=1 left out). */
  messages(): string[] {
    return this.received.map((r) => r.message).filter((m) => m !== "BARRIER=1");
  }

  count(message: string): number {
    return this.messages().filter((m) => m === message).length;
  }

  async waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; received ${JSON.stringify(this.messages())}`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.stdin.end();
    await exited;
  }
}

class MemoryLog implements NotifyLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  warnings(): string[] {
    return this.lines.filter((line) => line.startsWith("warn: "));
  }
}

async function unixDgramAvailable(): Promise<boolean> {
  try {
    const specifier = "unix-dgram";
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

const hasSystemdNotify = existsSync("/usr/bin/systemd-notify") || existsSync("/bin/systemd-notify");
const transports: { name: NotifyTransportName; skip: string | false }[] = [
  { name: "unix-dgram", skip: (await unixDgramAvailable()) ? false : "the optional dependency unix-dgram is not installed" },
  { name: "systemd-notify", skip: hasSystemdNotify ? false : "systemd-notify is not installed (Debian package systemd)" },
];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "namstomp-notify-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let socketCount = 0;
function socketPath(): string {
  return join(dir, `notify-${++socketCount}.sock`);
}

async function withNotifier(
  env: SystemdEnvironment,
  transport: NotifyTransportName | null,
  body: (notifier: SystemdNotifier, log: MemoryLog) => Promise<void>,
): Promise<void> {
  const log = new MemoryLog();
  const notifier = new SystemdNotifier({ env, log, ...(transport ? { transports: [transport] } : {}) });
  await notifier.start();
  try {
    await body(notifier, log);
  } finally {
    await notifier.stop();
  }
}

describe("SystemdNotifier outside systemd", () => {
  it("does nothing without NOTIFY_SOCKET", async () => {
    await withNotifier({ WATCHDOG_USEC: "100000" }, null, async (notifier, log) => {
      assert.equal(notifier.enabled, false);
      assert.equal(notifier.transportName, null);
      assert.equal(await notifier.ready("up"), false);
      assert.equal(await notifier.status("x"), false);
      assert.equal(notifier.startWatchdog(() => true), null);
      assert.equal(await notifier.stopping(), false);
      assert.deepEqual(log.lines, []);
    });
  });

  it("takes its environment from the caller, not process.env", () => {
    assert.deepEqual(systemdEnvironment({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "10000000", WATCHDOG_PID: "42", HOME: "/root" }), {
      NOTIFY_SOCKET: "/run/systemd/notify",
      WATCHDOG_USEC: "10000000",
      WATCHDOG_PID: "42",
    });
  });

  it("sends nothing before start() or after stop(), and says so without throwing", async () => {
    const log = new MemoryLog();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: socketPath() }, log });
    assert.equal(await notifier.ready(), false);
    await notifier.start();
    await notifier.stop();
    assert.equal(await notifier.stopping(), false);
    assert.deepEqual(log.warnings(), [
      "warn: systemd: READY=1 not sent: the notifier is not started",
      "warn: systemd: STOPPING=1 not sent: the notifier is not started",
    ]);
  });

  it("heartbeatMoved is true only when the counter moved since the last call", () => {
    let beat = 5;
    const moved = heartbeatMoved(() => beat);
    assert.equal(moved(), false);
    beat = 9;
    assert.equal(moved(), true);
    assert.equal(moved(), false);
    beat = 10;
    assert.equal(moved(), true);
  });
});

for (const { name, skip } of transports) {
  describe(`SystemdNotifier through ${name}`, { skip }, () => {
    it("sends READY=1 with a status, STATUS= on one line and STOPPING=1, in order", async () => {
      const path = socketPath();
      const listener = await Listener.start(path);
      try {
        await withNotifier({ NOTIFY_SOCKET: path }, name, async (notifier) => {
          assert.equal(notifier.transportName, name);
          assert.equal(await notifier.ready("audio on hw:1"), true);
          assert.equal(await notifier.status("model loaded\nSTOPPING=1"), true);
          assert.equal(await notifier.stopping(), true);
        });
        await listener.waitFor(() => listener.messages().length === 3, "three messages");
        assert.deepEqual(listener.messages(), ["READY=1\nSTATUS=audio on hw:1", "STATUS=model loaded STOPPING=1", "STOPPING=1"]);
        if (name === "unix-dgram") {
          // Sent by this process: systemd attributes it to the main PID with no race.
          assert.ok(listener.received.every((r) => r.pid === process.pid));
        } else {
          // systemd-notify waits on a barrier until "PID 1" has read the message.
          assert.equal(listener.received.filter((r) => r.message === "BARRIER=1" && r.fds === 1).length, 3);
        }
      } finally {
        await listener.close();
      }
    });

    it("pings WATCHDOG=1 at half of WATCHDOG_USEC only while the heartbeat moves", async () => {
      const path = socketPath();
      const listener = await Listener.start(path);
      let beat = 0;
      const audio = setInterval(() => beat++, 5);
      let audioRunning = true;
      try {
        await withNotifier({ NOTIFY_SOCKET: path, WATCHDOG_USEC: "200000", WATCHDOG_PID: String(process.pid) }, name, async (notifier, log) => {
          await notifier.ready();
          assert.equal(notifier.startWatchdog(heartbeatMoved(() => beat)), 100);
          await listener.waitFor(() => listener.count("WATCHDOG=1") >= 3, "three pings while audio runs");
          assert.equal(listener.messages()[0], "READY=1");

          // The audio path stalls: the next tick sees no progress and the pings stop.
          clearInterval(audio);
          audioRunning = false;
          await listener.waitFor(() => log.warnings().length === 1, "the stall warning");
          assert.match(log.warnings()[0]!, /heartbeat did not move for 100 ms; not pinging/);
          // Messages go out in order: once this marker has arrived, so has any ping sent before the stall.
          await notifier.status("marker");
          await listener.waitFor(() => listener.count("STATUS=marker") === 1, "the marker");
          const pingsAtStall = listener.count("WATCHDOG=1");
          await sleep(500); // five intervals
          assert.equal(listener.count("WATCHDOG=1"), pingsAtStall, "no pings while the heartbeat stands still");

          // Audio comes back: pings resume.
          const resumed = setInterval(() => beat++, 5);
          try {
            await listener.waitFor(() => listener.count("WATCHDOG=1") >= pingsAtStall + 2, "pings after audio resumed");
          } finally {
            clearInterval(resumed);
          }
          assert.ok(log.lines.some((line) => line === "info: systemd watchdog: audio is moving again; pings resume"));

          // STOPPING=1 ends the pings for good.
          const resumedAudio = setInterval(() => beat++, 5);
          try {
            await notifier.stopping();
            await listener.waitFor(() => listener.count("STOPPING=1") === 1, "STOPPING=1");
            const pingsAtStop = listener.count("WATCHDOG=1");
            await sleep(350);
            assert.equal(listener.count("WATCHDOG=1"), pingsAtStop);
          } finally {
            clearInterval(resumedAudio);
          }
        });
      } finally {
        if (audioRunning) clearInterval(audio);
        await listener.close();
      }
    });

    it("logs a failing socket once, not per message", async () => {
      const path = socketPath(); // nobody listens here
      await withNotifier({ NOTIFY_SOCKET: path }, name, async (notifier, log) => {
        assert.equal(await notifier.ready(), false);
        assert.equal(await notifier.status("still nobody"), false);
        assert.equal(log.warnings().length, 1);
        assert.match(log.warnings()[0]!, new RegExp(`could not send READY=1 through ${name}`));
      });
    });
  });
}

describe("SystemdNotifier watchdog settings", () => {
  it("pings nothing when WATCHDOG_PID names another process, or WATCHDOG_USEC is unset or invalid", async () => {
    const path = socketPath();
    await withNotifier({ NOTIFY_SOCKET: path, WATCHDOG_USEC: "100000", WATCHDOG_PID: String(process.pid + 1) }, "systemd-notify", async (notifier) => {
      assert.equal(notifier.startWatchdog(() => true), null);
    });
    await withNotifier({ NOTIFY_SOCKET: path }, "systemd-notify", async (notifier) => {
      assert.equal(notifier.startWatchdog(() => true), null);
    });
    await withNotifier({ NOTIFY_SOCKET: path, WATCHDOG_USEC: "ten seconds" }, "systemd-notify", async (notifier, log) => {
      assert.equal(notifier.startWatchdog(() => true), null);
      assert.match(log.warnings()[0]!, /WATCHDOG_USEC "ten seconds" is not a positive integer/);
    });
    await withNotifier({ NOTIFY_SOCKET: path, WATCHDOG_USEC: "10000000" }, "systemd-notify", async (notifier) => {
      assert.equal(notifier.startWatchdog(() => true), 5000);
    });
  });

  it("rejects a NOTIFY_SOCKET that is neither absolute nor abstract", async () => {
    await withNotifier({ NOTIFY_SOCKET: "relative/notify" }, null, async (notifier, log) => {
      assert.equal(notifier.transportName, null);
      assert.equal(await notifier.ready(), false);
      assert.match(log.warnings()[0]!, /neither an absolute path nor "@abstract"/);
    });
  });
});

describe("SystemdNotifier transport choice", { skip: hasSystemdNotify ? false : "systemd-notify is not installed (Debian package systemd)" }, () => {
  it("reaches an abstract-namespace socket through systemd-notify (unix-dgram cannot)", async () => {
    const address = `@namstomp-test-${process.pid}-${Date.now()}`;
    const listener = await Listener.start(address);
    try {
      await withNotifier({ NOTIFY_SOCKET: address }, null, async (notifier, log) => {
        assert.equal(notifier.transportName, "systemd-notify");
        assert.match(log.lines.join("\n"), /notifying through systemd-notify \(unix-dgram: /);
        assert.equal(await notifier.ready(), true);
      });
      await listener.waitFor(() => listener.count("READY=1") === 1, "READY=1");
    } finally {
      await listener.close();
    }
  });

  it("prefers unix-dgram for a filesystem socket, systemd-notify when the addon is missing", async () => {
    const path = socketPath();
    const listener = await Listener.start(path);
    try {
      await withNotifier({ NOTIFY_SOCKET: path }, null, async (notifier) => {
        assert.equal(notifier.transportName, transports[0]!.skip ? "systemd-notify" : "unix-dgram");
        assert.equal(await notifier.ready(), true);
      });
      await listener.waitFor(() => listener.count("READY=1") === 1, "READY=1");
    } finally {
      await listener.close();
    }
  });

  it("reports a missing systemd-notify binary when sending", async () => {
    const path = socketPath();
    const listener = await Listener.start(path);
    try {
      const log = new MemoryLog();
      const notifier = new SystemdNotifier({
        env: { NOTIFY_SOCKET: path },
        log,
        transports: ["systemd-notify"],
        systemdNotifyPath: join(dir, "no-such-systemd-notify"),
      });
      await notifier.start();
      assert.equal(await notifier.ready(), false);
      assert.match(log.warnings()[0]!, /could not send READY=1 through systemd-notify: spawn .*ENOENT/);
      await notifier.stop();
    } finally {
      await listener.close();
    }
  });
});
