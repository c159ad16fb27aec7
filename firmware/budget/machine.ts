// What machine the pedal runs on, for the calibration cache key and for messages that say whose
// budget a model does not fit ("this Raspberry Pi 4"). Main thread.

import { arch, cpus } from "node:os";

export interface MachineIdentity {
  /** Device-tree model string, e.g. "Raspberry Pi 4 Model B Rev 1.5"; null when not a Pi. */
  board: string | null;
  cpuModel: string;
  arch: string;
  /** How messages name the machine: "Raspberry Pi 4", or "x64 machine (AMD EPYC)". */
  shortName: string;
}

/** `deviceTreeModel` comes from the board detection (controls/board.ts) so the file is read once. */
export function identifyMachine(deviceTreeModel: string | null): MachineIdentity {
  const cpuModel = cpus()[0]?.model.trim() || "unknown CPU";
  const board = deviceTreeModel?.trim() || null;
  // "Raspberry Pi 4 Model B Rev 1.5" → "Raspberry Pi 4"; "Raspberry Pi Compute Module 5 Rev 1.0" → "Raspberry Pi Compute Module 5".
  const shortBoard = board?.replace(/\s+(Model|Rev|Plus)\b.*$/, "");
  return { board, cpuModel, arch: arch(), shortName: shortBoard ?? `${arch()} machine (${cpuModel})` };
}
