// The audio the bench feeds both engines: the reference guitar DI, or a stand-in when the
// reference set is not checked out next to the repository.
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface BenchSignal {
  samples: Float32Array;
  description: string;
}

const GENERATED_SECONDS = 2.5;

export async function loadBenchSignal(referenceDirectory: string, sampleRateHz: number): Promise<BenchSignal> {
  const path = join(referenceDirectory, "signals", "guitar_di_a.f32");
  try {
    const bytes = await readFile(path);
    // Copied so the floats are 4-byte aligned; the file is raw little-endian float32.
    const samples = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { samples, description: `${path} (guitar DI, looped)` };
  } catch {
    return {
      samples: generatePluckSignal(sampleRateHz, GENERATED_SECONDS),
      description: `generated plucked-string signal, ${GENERATED_SECONDS} s looped (${path} not found)`,
    };
  }
}

/**
 * Karplus–Strong plucks (a noise burst circulating in a damped delay line) of the six open
 * guitar strings, one after the other. Deterministic: a fixed-seed LCG makes the noise.
 */
export function generatePluckSignal(sampleRateHz: number, seconds: number): Float32Array {
  const openStringsHz = [82.41, 110.0, 146.83, 196.0, 246.94, 329.63];
  const loopGain = 0.996;
  const pickLevel = 0.5;
  const signal = new Float32Array(Math.round(sampleRateHz * seconds));
  const noteFrames = Math.floor(signal.length / openStringsHz.length);
  let seed = 0x2545f491;
  const nextNoise = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  };
  openStringsHz.forEach((frequencyHz, note) => {
    const delayLine = Float32Array.from({ length: Math.round(sampleRateHz / frequencyHz) }, () => pickLevel * nextNoise());
    const start = note * noteFrames;
    for (let i = 0; i < noteFrames; i++) {
      const tap = i % delayLine.length;
      const nextTap = (tap + 1) % delayLine.length;
      signal[start + i] = delayLine[tap];
      delayLine[tap] = loopGain * 0.5 * (delayLine[tap] + delayLine[nextTap]);
    }
  });
  return signal;
}
