// Compiles a ConvNet (nam-format.md 7.1): blocks of Conv(K = 2, dilation d) → [batch norm] →
// activation, then a per-sample linear head. Control thread only.

import type { ConvNetConfig } from "../nam/model.js";
import { OP_ACTIVATE, OP_AFFINE, OP_COPY } from "./abi.js";
import type { TanhMode } from "./contract.js";
import { emitConv, packConv, packRows, resolveActivation, WeightReader } from "./packing.js";
import { f32Arg, type ProgramBuilder, type SignalHandle } from "./program-builder.js";

const KERNEL_SIZE = 2;

/** Batch norm folded into y = x·scale + loc, computed in float32 like the core. */
function foldBatchNorm(mean: Float32Array, variance: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number) {
  const f = Math.fround;
  const scale = new Float32Array(mean.length);
  const loc = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = f(gamma[c]! / f(Math.sqrt(f(eps + variance[c]!))));
    loc[c] = f(beta[c]! - f(scale[c]! * mean[c]!));
  }
  return { scale, loc };
}

export function compileConvNet(
  builder: ProgramBuilder, config: ConvNetConfig, weights: Float32Array, source: string,
  tanh: TanhMode, input: SignalHandle,
): SignalHandle {
  const reader = new WeightReader(weights, source);
  const activation = resolveActivation(builder, config.activation, tanh, config.channels);
  let current = input;
  config.dilations.forEach((dilation, index) => {
    const inChannels = index === 0 ? config.inChannels : config.channels;
    // Each block's input keeps (K − 1)·d frames of history for its dilated conv.
    const blockInput = builder.signal(inChannels, dilation * (KERNEL_SIZE - 1));
    builder.op(OP_COPY, blockInput, 0, current, 0, inChannels, f32Arg(1), false);
    const conv = packConv(builder, reader.take(config.channels * (inChannels / config.groups) * KERNEL_SIZE),
      blockInput, inChannels, config.channels, KERNEL_SIZE, dilation, config.groups);
    const bias = config.batchnorm ? null : packRows(builder, reader.take(config.channels));
    const out = builder.signal(config.channels);
    emitConv(builder, { dst: out, src: blockInput, conv, bias });
    if (config.batchnorm) {
      const mean = reader.take(config.channels);
      const variance = reader.take(config.channels);
      const gamma = reader.take(config.channels);
      const beta = reader.take(config.channels);
      const eps = reader.take(1)[0]!;
      const { scale, loc } = foldBatchNorm(mean, variance, gamma, beta, eps);
      builder.op(OP_AFFINE, out, 0, config.channels, packRows(builder, scale), packRows(builder, loc));
    }
    builder.op(OP_ACTIVATE, out, 0, config.channels, activation.code, activation.params, null, 0);
    current = out;
  });
  const head = packConv(builder, reader.take(config.outChannels * config.channels), current, config.channels,
    config.outChannels, 1, 1);
  const output = builder.signal(config.outChannels);
  emitConv(builder, { dst: output, src: current, conv: head, bias: packRows(builder, reader.take(config.outChannels)) });
  if (reader.remaining !== 0) throw new Error(`${source}: ${reader.remaining} ConvNet weights left over`);
  return output;
}
