// Command lines and output formats of Debian's gpiod tools, for both libgpiod generations:
//   1.x (Debian 12 / Raspberry Pi OS bookworm: 1.6.3) — chip and offsets are positional,
//       `-B` sets the bias, `-b` makes stdout line-buffered, gpiomon `%e` is 1 rising / 0 falling
//       and `%s`/`%n` print seconds and unpadded nanoseconds; gpioset holds with `--mode=signal`.
//   2.x (Debian 13 trixie) — `-c chip` with offsets, `-b` sets the bias, `-e both`, gpiomon flushes
//       every event, `%e` is 1 rising / 2 falling, `%S` prints "seconds.nanoseconds"; gpioset holds
//       its lines until it is killed.
// gpiofind exists only in 1.x, so lines are found by name in the full gpioinfo listing, whose
// layout both generations share. Pure functions; the backend spawns the tools.

import { lineNameOf } from "./gpio-backend.js";

export interface LibgpiodVersion {
  major: number;
  minor: number;
}

export class GpiodToolsError extends Error {
  override readonly name = "GpiodToolsError";
}

/** Parses `gpiomon --version` ("gpiomon (libgpiod) v1.6.3", "gpiomon (libgpiod) v2.1"). */
export function parseLibgpiodVersion(versionOutput: string): LibgpiodVersion {
  const match = /\(libgpiod\)\s+v(\d+)\.(\d+)/.exec(versionOutput);
  if (!match) throw new GpiodToolsError(`cannot read the libgpiod version from: ${JSON.stringify(versionOutput.slice(0, 80))}`);
  const version = { major: Number(match[1]), minor: Number(match[2]) };
  if (version.major !== 1 && version.major !== 2) {
    throw new GpiodToolsError(`libgpiod v${version.major}.${version.minor} is not supported (1.x or 2.x)`);
  }
  return version;
}

export interface GpioLineInfo {
  /** Chip name, e.g. "gpiochip0" (Pi 4; Pi 5 with kernels ≥ 6.6.45) or "gpiochip4" (older Pi 5 kernels). */
  chip: string;
  offset: number;
  /** Line name from the device tree; null for an unnamed line. */
  name: string | null;
}

/**
 * Parses the listing of `gpioinfo` without arguments:
 *   gpiochip0 - 54 lines:
 *   	line  17:     "GPIO17"       unused   input  active-high     (1.x)
 *   	line  17:	"GPIO17"        	input bias=pull-up consumer="gpiomon"     (2.x)
 */
export function parseGpioinfo(listing: string): GpioLineInfo[] {
  const lines: GpioLineInfo[] = [];
  let chip: string | null = null;
  for (const text of listing.split("\n")) {
    const header = /^(\S+) - \d+ lines:\s*$/.exec(text);
    if (header) {
      chip = header[1]!;
      continue;
    }
    const line = /^\s+line\s+(\d+):\s*(?:"([^"]*)"|unnamed)/.exec(text);
    if (line && chip !== null) lines.push({ chip, offset: Number(line[1]), name: line[2] ?? null });
  }
  return lines;
}

export interface LineLocation {
  chip: string;
  offset: number;
}

/** The chip carrying the 40-pin header: its lines named GPIOn sit at offset n (Pi 4 gpiochip0, Pi 5 RP1). */
function headerChip(available: readonly GpioLineInfo[]): string | null {
  const named = available.find((l) => l.name !== null && l.name === lineNameOf(l.offset));
  return named?.chip ?? null;
}

/**
 * Chip and offset of each BCM GPIO: the line named GPIOn (the first chip that has it, as gpiofind
 * does), else offset n on the header chip (the Pi 4 names some header lines after their
 * alternate function: GPIO4 is "GPIO_GCLK", GPIO14 "TXD1").
 */
export function locateGpios(available: readonly GpioLineInfo[], gpios: readonly number[]): Map<number, LineLocation> {
  const located = new Map<number, LineLocation>();
  const header = headerChip(available);
  for (const gpio of gpios) {
    const named = available.find((l) => l.name === lineNameOf(gpio));
    const byOffset = header === null ? undefined : available.find((l) => l.chip === header && l.offset === gpio);
    const line = named ?? byOffset;
    if (!line) {
      throw new GpiodToolsError(
        available.length === 0
          ? "gpioinfo lists no GPIO lines (is /dev/gpiochip* readable by this user? add it to the gpio group)"
          : `no GPIO line for ${lineNameOf(gpio)}: no line has that name and no chip names its lines GPIOn`,
      );
    }
    located.set(gpio, { chip: line.chip, offset: line.offset });
  }
  return located;
}

/** Custom gpiomon output: "offset edge seconds nanoseconds" (1.x) or "offset edge seconds.nanoseconds" (2.x). */
const GPIOMON_FORMAT_V1 = "%o %e %s %n";
const GPIOMON_FORMAT_V2 = "%o %e %S";

/** gpiomon arguments: both edges of `offsets` on `chip`, pull-ups on, one line per event. */
export function gpiomonArgs(version: LibgpiodVersion, chip: string, offsets: readonly number[]): string[] {
  const lines = offsets.map(String);
  return version.major === 1
    ? ["-B", "pull-up", "-b", "-F", GPIOMON_FORMAT_V1, chip, ...lines]
    : ["-c", chip, "-b", "pull-up", "-e", "both", "-F", GPIOMON_FORMAT_V2, ...lines];
}

export interface GpiomonEvent {
  offset: number;
  rising: boolean;
  /** Kernel timestamp (CLOCK_MONOTONIC by default), µs. */
  timeUs: number;
}

/** Parses one line of gpiomon output made with gpiomonArgs; null for anything else (banners, blanks). */
export function parseGpiomonLine(version: LibgpiodVersion, line: string): GpiomonEvent | null {
  if (version.major === 1) {
    const match = /^(\d+) ([01]) (\d+) (\d+)$/.exec(line.trim());
    if (!match) return null;
    return { offset: Number(match[1]), rising: match[2] === "1", timeUs: Number(match[3]) * 1e6 + Number(match[4]) / 1e3 };
  }
  const match = /^(\d+) ([12]) (\d+)\.(\d{9})$/.exec(line.trim());
  if (!match) return null;
  return { offset: Number(match[1]), rising: match[2] === "1", timeUs: Number(match[3]) * 1e6 + Number(match[4]) / 1e3 };
}

/** gpioset arguments that drive `levels` on `chip` and hold them until the process is signalled. */
export function gpiosetArgs(version: LibgpiodVersion, chip: string, levels: ReadonlyMap<number, boolean>): string[] {
  const assignments = [...levels].map(([offset, high]) => `${offset}=${high ? 1 : 0}`);
  return version.major === 1 ? ["--mode=signal", chip, ...assignments] : ["-c", chip, ...assignments];
}
