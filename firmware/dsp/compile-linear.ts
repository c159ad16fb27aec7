// Compiles a Linear model (nam-format.md 7.2): y[t] = bias + Σ_k w[k]·x[t − k], w[0] on the
// current sample (core quirk: the file's weights are an impulse response in time order). Runs as
// one causal conv of K = R taps. Like the core's direct mode, its history survives a reset.
// Control thread only.

import type { LinearConfig } from "../nam/model.js";
import { OP_COPY } from "./abi.js";
import { emitConv, packConv, packRows, WeightReader } from "./packing.js";
import { f32Arg, type ProgramBuilder, type SignalHandle } from "./program-builder.js";

export function compileLinear(
  builder: ProgramBuilder, config: LinearConfig, weights: Float32Array, source: string, input: SignalHandle,
): SignalHandle {
  const reader = new WeightReader(weights, source);
  const taps = config.receptiveField;
  const impulseResponse = reader.take(taps);
  // The conv kernel's tap k multiplies x[t − (K−1−k)], so the impulse response goes in reversed.
  const convWeights = new Float32Array(taps);
  for (let k = 0; k < taps; k++) convWeights[k] = impulseResponse[taps - 1 - k]!;
  const history = builder.signal(1, taps - 1, true);
  builder.op(OP_COPY, history, 0, input, 0, 1, f32Arg(1), false);
  const conv = packConv(builder, convWeights, history, 1, 1, taps, 1);
  const output = builder.signal(1);
  emitConv(builder, { dst: output, src: history, conv, bias: config.bias ? packRows(builder, reader.take(1)) : null });
  if (reader.remaining !== 0) throw new Error(`${source}: ${reader.remaining} Linear weights left over`);
  return output;
}
