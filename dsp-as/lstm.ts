// LSTM inference, one sample at a time (the recurrence allows nothing else), vectorised across
// the 4·H gate rows. Gate blocks are padded to Hp = ceil(H/4)·4 rows so i/f/g/o line up with
// f32x4 lanes; padded rows have zero weights and their state stays exactly zero.
// One blob holds everything, per layer in order: weights [rowVector][column][4 lanes] (columns =
// the layer's inputs then its H hidden columns), bias (4·Hp), h (Hp), c (Hp); then the head
// weights (Hp) and bias (4 floats, lane 0 used), then 4·Hp floats of gate scratch. h/c are the
// recurrent state: loaded from the file's h0/c0 and, like the core, never reset.
// Thread: audio. No allocation.

import { madd, vsigmoidExact, vsigmoidFast, vtanhExact, vtanhFast } from "./vecmath";
import { sigAt } from "./signal";

export function lstmProcess(
  blob: usize, inDesc: usize, outDesc: usize,
  numLayers: i32, hiddenPadded: i32, hidden: i32, inputSize: i32, fast: bool, frames: i32,
): void {
  const rowVectors = hiddenPadded; // 4·Hp rows / 4 lanes
  const gateBlockBytes = (<usize>hiddenPadded) << 2;
  let headWeights = blob;
  for (let l = 0; l < numLayers; l++) {
    const layerInputs = l == 0 ? inputSize : hidden;
    headWeights += (<usize>rowVectors * <usize>(layerInputs + hidden) + <usize>rowVectors + 2 * (<usize>hiddenPadded >> 2)) << 4;
  }
  const headBias = load<f32>(headWeights + gateBlockBytes);
  const gates = headWeights + gateBlockBytes + 16;
  const input = sigAt(inDesc, 0);
  const output = sigAt(outDesc, 0);

  for (let t = 0; t < frames; t++) {
    let layerInput = input + ((<usize>t) << 2);
    let layerInputSize = inputSize;
    let lastHidden: usize = 0;
    let layerBase = blob;
    for (let l = 0; l < numLayers; l++) {
      const bias = layerBase + ((<usize>rowVectors * <usize>(layerInputSize + hidden)) << 4);
      const h = bias + ((<usize>rowVectors) << 4);
      const c = h + gateBlockBytes;
      let w = layerBase;
      for (let rv = 0; rv < rowVectors; rv++) {
        let acc = v128.load(bias + (<usize>rv << 4));
        for (let j = 0; j < layerInputSize; j++) {
          acc = madd(v128.load(w), v128.load32_splat(layerInput + (<usize>j << 2)), acc);
          w += 16;
        }
        for (let j = 0; j < hidden; j++) {
          acc = madd(v128.load(w), v128.load32_splat(h + (<usize>j << 2)), acc);
          w += 16;
        }
        v128.store(gates + (<usize>rv << 4), acc);
      }
      for (let i: usize = 0; i < gateBlockBytes; i += 16) {
        const gi = v128.load(gates + i);
        const gf = v128.load(gates + gateBlockBytes + i);
        const gg = v128.load(gates + 2 * gateBlockBytes + i);
        const go = v128.load(gates + 3 * gateBlockBytes + i);
        const cOld = v128.load(c + i);
        let cNew: v128, hNew: v128;
        if (fast) {
          cNew = f32x4.add(f32x4.mul(vsigmoidFast(gf), cOld), f32x4.mul(vsigmoidFast(gi), vtanhFast(gg)));
          hNew = f32x4.mul(vsigmoidFast(go), vtanhFast(cNew));
        } else {
          cNew = f32x4.add(f32x4.mul(vsigmoidExact(gf), cOld), f32x4.mul(vsigmoidExact(gi), vtanhExact(gg)));
          hNew = f32x4.mul(vsigmoidExact(go), vtanhExact(cNew));
        }
        v128.store(c + i, cNew);
        v128.store(h + i, hNew);
      }
      layerInput = h;
      layerInputSize = hidden;
      lastHidden = h;
      layerBase = c + gateBlockBytes;
    }
    let acc = f32x4.splat(0);
    for (let i: usize = 0; i < gateBlockBytes; i += 16) {
      acc = madd(v128.load(headWeights + i), v128.load(lastHidden + i), acc);
    }
    const sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1))
      + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    store<f32>(output + ((<usize>t) << 2), sum + headBias);
  }
}
