// Compiles an LSTM (nam-format.md section 6) into one OP_LSTM over a single blob laid out as
// dsp-as/lstm.ts expects. Control thread only.

import type { LstmConfig } from "../nam/model.js";
import { OP_LSTM } from "./abi.js";
import type { TanhMode } from "./contract.js";
import { WeightReader } from "./packing.js";
import type { ProgramBuilder, SignalHandle } from "./program-builder.js";

export function compileLstm(
  builder: ProgramBuilder, config: LstmConfig, weights: Float32Array, source: string,
  tanh: TanhMode, input: SignalHandle,
): SignalHandle {
  const hidden = config.hiddenSize;
  const hiddenPadded = Math.ceil(hidden / 4) * 4;
  const reader = new WeightReader(weights, source);
  const parts: Float32Array[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const inputs = l === 0 ? config.inputSize : hidden;
    const columns = inputs + hidden;
    const matrix = reader.take(4 * hidden * columns);
    const bias = reader.take(4 * hidden);
    const h0 = reader.take(hidden);
    const c0 = reader.take(hidden);
    // Gate rows regrouped to 4 blocks of Hp rows; row vectors of 4 lanes, column-major inside.
    const packed = new Float32Array(hiddenPadded * columns * 4);
    const packedBias = new Float32Array(4 * hiddenPadded);
    for (let gate = 0; gate < 4; gate++) {
      for (let r = 0; r < hidden; r++) {
        const fileRow = gate * hidden + r;
        const packedRow = gate * hiddenPadded + r;
        const rowVector = packedRow >> 2;
        const lane = packedRow & 3;
        for (let col = 0; col < columns; col++) {
          packed[(rowVector * columns + col) * 4 + lane] = matrix[fileRow * columns + col]!;
        }
        packedBias[packedRow] = bias[fileRow]!;
      }
    }
    const state = new Float32Array(2 * hiddenPadded);
    state.set(h0, 0);
    state.set(c0, hiddenPadded);
    parts.push(packed, packedBias, state);
  }
  const headWeights = new Float32Array(hiddenPadded);
  headWeights.set(reader.take(hidden));
  const headBias = new Float32Array(4);
  headBias[0] = reader.take(1)[0]!;
  const gateScratch = new Float32Array(4 * hiddenPadded);
  parts.push(headWeights, headBias, gateScratch);
  if (reader.remaining !== 0) throw new Error(`${source}: ${reader.remaining} LSTM weights left over`);

  const blob = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    blob.set(part, offset);
    offset += part.length;
  }
  const output = builder.signal(1);
  builder.op(OP_LSTM, builder.blob(blob), input, output, config.numLayers, hiddenPadded, hidden, config.inputSize,
    tanh === "fast");
  return output;
}
