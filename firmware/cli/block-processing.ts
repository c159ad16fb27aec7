import type { NamModelRunner } from "../dsp/contract.js";

/** Feeds the signal in consecutive blocks of `blockFrames` like an audio callback; the last may be shorter. */
export function processInBlocks(
  engine: Pick<NamModelRunner, "process">,
  input: Float32Array,
  blockFrames: number,
): Float32Array {
  const output = new Float32Array(input.length);
  for (let start = 0; start < input.length; start += blockFrames) {
    const end = Math.min(start + blockFrames, input.length);
    engine.process(input.subarray(start, end), output.subarray(start, end));
  }
  return output;
}
