// A cab-like stereo IR file the way players get them: 24-bit PCM at 44.1 kHz, so the IR loader
// has to mix (or pick) the channels and resample. Left: a decaying cosine; right: the left
// inverted at half level.

import { writeFile } from "node:fs/promises";
import wavefile from "wavefile";

export async function writeStereoCabWav(path: string, frames: number, decayFrames: number): Promise<void> {
  const left = Array.from({ length: frames }, (_, i) => Math.round(Math.exp(-i / decayFrames) * Math.cos(i / 3) * 2 ** 22));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(2, 44100, "24", [left, left.map((v) => -v >> 1)]);
  await writeFile(path, wav.toBuffer());
}
