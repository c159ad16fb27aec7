// The board's health for the status strip: SoC temperature and the firmware's throttling flags
// (under-voltage, frequency cap, thermal limit), read every few seconds so a status request or a
// WebSocket push never touches the filesystem; memory and uptime of the daemon. On machines
// without those files (not a Pi, a container) the values are null. Main thread.

import { readFile } from "node:fs/promises";

export interface SystemHealthSnapshot {
  board: string;
  cpuTempC: number | null;
  throttled: boolean | null;
  throttleFlags: string[];
  memoryMB: number;
  uptimeS: number;
  version: string;
}

export interface SystemHealthDeps {
  /** How the status names the machine ("Raspberry Pi 4 Model B Rev 1.5"). */
  board: string;
  version: string;
  /** Where the kernel exposes the readings (tests point these at fixtures). */
  paths?: { thermal: string; throttled: string };
}

const DEFAULT_PATHS = {
  thermal: "/sys/class/thermal/thermal_zone0/temp",
  // The Raspberry Pi firmware's get_throttled bits, exposed by the raspberrypi-hwmon/firmware driver.
  throttled: "/sys/devices/platform/soc/soc:firmware/get_throttled",
};

const REFRESH_INTERVAL_MS = 2000;

/** Bits of get_throttled (the same as `vcgencmd get_throttled`); 16 above each: "has occurred since boot". */
const THROTTLE_BITS: [bit: number, meaning: string][] = [
  [0, "under-voltage"],
  [1, "ARM frequency capped"],
  [2, "throttled"],
  [3, "soft temperature limit"],
];

/** Throttling flags in words, now and since boot. */
export function describeThrottleBits(bits: number): { now: boolean; flags: string[] } {
  const flags: string[] = [];
  let now = false;
  for (const [bit, meaning] of THROTTLE_BITS) {
    if (bits & (1 << bit)) {
      flags.push(`${meaning} now`);
      now = true;
    } else if (bits & (1 << (bit + 16))) {
      flags.push(`${meaning} since boot`);
    }
  }
  return { now, flags };
}

export class SystemHealth {
  private cpuTempC: number | null = null;
  private throttle: { now: boolean; flags: string[] } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SystemHealthDeps) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  snapshot(): SystemHealthSnapshot {
    return {
      board: this.deps.board,
      cpuTempC: this.cpuTempC,
      throttled: this.throttle?.now ?? null,
      throttleFlags: this.throttle?.flags ?? [],
      memoryMB: Math.round(process.memoryUsage.rss() / 2 ** 20),
      uptimeS: Math.round(process.uptime()),
      version: this.deps.version,
    };
  }

  private async refresh(): Promise<void> {
    const paths = this.deps.paths ?? DEFAULT_PATHS;
    const milliCelsius = await readNumber(paths.thermal, 10);
    this.cpuTempC = milliCelsius === null ? null : Math.round(milliCelsius / 100) / 10;
    const bits = await readNumber(paths.throttled, 16);
    this.throttle = bits === null ? null : describeThrottleBits(bits);
  }
}

async function readNumber(path: string, radix: 10 | 16): Promise<number | null> {
  try {
    const value = Number.parseInt((await readFile(path, "utf8")).trim(), radix);
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}
