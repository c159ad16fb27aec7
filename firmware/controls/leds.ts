// LED patterns, as a pure function of the stage state and the time: the service samples it every
// LED_TICK_MS and writes only the lines that changed. Main thread; no I/O.
//
//   active LED   on = effect engaged, off = bypassed
//   tuner LED    off = tuner off; solid = within ±IN_TUNE_CENTS; fast blink (4 Hz) = off pitch;
//                short flash once a second = listening, no stable pitch
//   bank LED     three quick blinks after a bank change
// Without a tuner LED the active LED shows the tuner pattern while the tuner is on; without a bank
// LED the active LED does the bank blinks.

export interface LedLines {
  active: number | null;
  tuner: number | null;
  bank: number | null;
}

export interface StageLightsState {
  bypass: boolean;
  tunerActive: boolean;
  /** Cents off the nearest note; null when the tuner hears no stable pitch. */
  tunerCents: number | null;
  /** When the last bank change happened (ms, the same clock as nowMs); null = none yet. */
  bankChangedAtMs: number | null;
}

export const LED_TICK_MS = 25;
export const IN_TUNE_CENTS = 3;
const BANK_BLINKS = 3;
const BANK_BLINK_ON_MS = 100;
const BANK_BLINK_PERIOD_MS = 200;

function tunerLight(state: StageLightsState, nowMs: number): boolean {
  if (state.tunerCents === null) return nowMs % 1000 < 120;
  if (Math.abs(state.tunerCents) <= IN_TUNE_CENTS) return true;
  return nowMs % 250 < 125;
}

/** Whether the bank blink is running at nowMs, and if so whether it is lit. */
function bankBlink(state: StageLightsState, nowMs: number): boolean | null {
  if (state.bankChangedAtMs === null) return null;
  const sinceMs = nowMs - state.bankChangedAtMs;
  if (sinceMs < 0 || sinceMs >= BANK_BLINKS * BANK_BLINK_PERIOD_MS) return null;
  return sinceMs % BANK_BLINK_PERIOD_MS < BANK_BLINK_ON_MS;
}

/** Level of every configured LED line at nowMs. */
export function ledLevels(lines: LedLines, state: StageLightsState, nowMs: number): Map<number, boolean> {
  const levels = new Map<number, boolean>();
  const blink = bankBlink(state, nowMs);
  if (lines.active !== null) {
    let lit = !state.bypass;
    if (state.tunerActive && lines.tuner === null) lit = tunerLight(state, nowMs);
    if (blink !== null && lines.bank === null) lit = blink;
    levels.set(lines.active, lit);
  }
  if (lines.tuner !== null) levels.set(lines.tuner, state.tunerActive && tunerLight(state, nowMs));
  if (lines.bank !== null) levels.set(lines.bank, blink ?? false);
  return levels;
}
