// Turns the tuner DSP's analysis into what the UI and LEDs show. Runs wherever meters are read.

import { noteFromFrequency, type TunerAnalysis } from "../dsp/tuner.js";
import type { TunerReading } from "./api.js";

export function tunerReading(active: boolean, analysis: TunerAnalysis): TunerReading {
  if (!active || analysis.frequencyHz === null) {
    return { active, note: null, cents: null, frequencyHz: null, levelDb: analysis.levelDb };
  }
  const { note, cents } = noteFromFrequency(analysis.frequencyHz);
  return { active, note, cents, frequencyHz: analysis.frequencyHz, levelDb: analysis.levelDb };
}
