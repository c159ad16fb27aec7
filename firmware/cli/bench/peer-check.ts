// Before timing, make sure the peer runs the same model as namstomp (and learn which tanh it uses):
// both render the first second of the bench input from a fresh start and the outputs are compared.
import type { TanhMode } from "../../dsp/contract.js";
import { processInBlocks } from "../block-processing.js";
import type { TimedEngine } from "./interleaved-timing.js";

export interface PeerCheck {
  /** Peer output is finite and not silent. */
  peerOutputUsable: boolean;
  /** Max |peer − namstomp| over the first second, namstomp with the bench's tanh. */
  maxAbsDiff: number;
  /** The same over the second half of that second, after start-up transients (e.g. LSTM prewarm length). */
  settledMaxAbsDiff: number;
  /** Settled max |diff| against namstomp with the other tanh flavour. */
  otherTanhSettledMaxAbsDiff: number;
  /** The flavour the peer's output agrees with; null when the model's output does not depend on it. */
  peerTanh: TanhMode | null;
}

/** Below this RMS the peer's output is taken as silence, i.e. broken. */
const SILENCE_RMS = 1e-6;
/** The two tanh flavours differ by ~1e-3..1e-2 on real models; engines agree to ~1e-5. */
const TANH_DECISION_RATIO = 10;

export function checkPeerAgainstNamstomp(
  engines: { peer: TimedEngine; namstomp: TimedEngine; namstompOtherTanh: TimedEngine },
  benchTanh: TanhMode,
  input: Float32Array,
  blockFrames: number,
): PeerCheck {
  const peerOutput = processInBlocks(engines.peer, input, blockFrames);
  const namstompOutput = processInBlocks(engines.namstomp, input, blockFrames);
  const otherTanhOutput = processInBlocks(engines.namstompOtherTanh, input, blockFrames);
  const settledStart = Math.floor(input.length / 2);

  const settledMaxAbsDiff = maxAbsDiff(peerOutput, namstompOutput, settledStart);
  const otherTanhSettledMaxAbsDiff = maxAbsDiff(peerOutput, otherTanhOutput, settledStart);
  const otherTanh: TanhMode = benchTanh === "fast" ? "exact" : "fast";
  let peerTanh: TanhMode | null = null;
  if (otherTanhSettledMaxAbsDiff > TANH_DECISION_RATIO * settledMaxAbsDiff) peerTanh = benchTanh;
  else if (settledMaxAbsDiff > TANH_DECISION_RATIO * otherTanhSettledMaxAbsDiff) peerTanh = otherTanh;

  return {
    peerOutputUsable: peerOutput.every(Number.isFinite) && rms(peerOutput) > SILENCE_RMS,
    maxAbsDiff: maxAbsDiff(peerOutput, namstompOutput, 0),
    settledMaxAbsDiff,
    otherTanhSettledMaxAbsDiff,
    peerTanh,
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array, start: number): number {
  let max = 0;
  for (let i = start; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function rms(signal: Float32Array): number {
  let sumOfSquares = 0;
  for (const sample of signal) sumOfSquares += sample * sample;
  return Math.sqrt(sumOfSquares / signal.length);
}
