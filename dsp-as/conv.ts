// Causal (dilated) convolution and 1x1 kernels on channel-major signals, vectorised along time:
// each step computes 4 output rows × 8 frames in 8 f32x4 accumulators, broadcasting one weight
// per row and loading 8 consecutive input frames. Any channel count works (rows are padded to 4)
// and the dilation only shifts the load address, so one kernel serves every layer shape.
// Thread: audio. No allocation.

import { madd } from "./vecmath";
import { sigAt, sigStrideBytes } from "./signal";

/**
 * dst[og·4 + r][t] = init[r][t] + bias[r] + mix[r]·cond[t] + Σ_n w[og][n][r] · src(taps[n])[t]
 *
 * `taps` holds nTaps byte offsets from src's (srcRow, current frame): row·stride − shift·4, one per
 * (input row, tap) pair in weight order; nTaps is even (padded with zero-weight taps).
 * `weights` is laid out [outGroup][tap][4 rows]. Optional parts: initDesc (0 = start from zero),
 * bias (0 = none), mixWeights with condDesc (0 = none; a one-row condition, e.g. the raw input).
 * Frames are processed in multiples of 8; the buffers have room for the padding columns.
 */
export function convTapped(
  dstDesc: usize, dstRow: i32, srcDesc: usize, srcRow: i32,
  taps: usize, nTaps: i32, outGroups: i32, weights: usize,
  bias: usize, initDesc: usize, initRow: i32, mixWeights: usize, condDesc: usize,
  frames: i32,
): void {
  const framesPadded = (frames + 7) & ~7;
  const dstStride = sigStrideBytes(dstDesc);
  const initStride = initDesc != 0 ? sigStrideBytes(initDesc) : 0;
  const srcBase = sigAt(srcDesc, srcRow);
  const condBase = condDesc != 0 ? sigAt(condDesc, 0) : 0;
  const groupWeightBytes = (<usize>nTaps) << 4;
  for (let og = 0; og < outGroups; og++) {
    const dstBase = sigAt(dstDesc, dstRow + og * 4);
    const initBase = initDesc != 0 ? sigAt(initDesc, initRow + og * 4) : 0;
    const groupWeights = weights + <usize>og * groupWeightBytes;
    const biasGroup = bias + (<usize>og << 4);
    const mixGroup = mixWeights + (<usize>og << 4);
    for (let t = 0; t < framesPadded; t += 8) {
      const tBytes = (<usize>t) << 2;
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0), a1 = f32x4.splat(0), b1 = f32x4.splat(0);
      let a2 = f32x4.splat(0), b2 = f32x4.splat(0), a3 = f32x4.splat(0), b3 = f32x4.splat(0);
      if (initBase != 0) {
        const p = initBase + tBytes;
        a0 = v128.load(p); b0 = v128.load(p, 16);
        a1 = v128.load(p + initStride); b1 = v128.load(p + initStride, 16);
        a2 = v128.load(p + 2 * initStride); b2 = v128.load(p + 2 * initStride, 16);
        a3 = v128.load(p + 3 * initStride); b3 = v128.load(p + 3 * initStride, 16);
      }
      if (bias != 0) {
        const w0 = v128.load32_splat(biasGroup), w1 = v128.load32_splat(biasGroup, 4);
        const w2 = v128.load32_splat(biasGroup, 8), w3 = v128.load32_splat(biasGroup, 12);
        a0 = f32x4.add(a0, w0); b0 = f32x4.add(b0, w0); a1 = f32x4.add(a1, w1); b1 = f32x4.add(b1, w1);
        a2 = f32x4.add(a2, w2); b2 = f32x4.add(b2, w2); a3 = f32x4.add(a3, w3); b3 = f32x4.add(b3, w3);
      }
      if (condBase != 0) {
        const ca = v128.load(condBase + tBytes), cb = v128.load(condBase + tBytes, 16);
        const w0 = v128.load32_splat(mixGroup), w1 = v128.load32_splat(mixGroup, 4);
        const w2 = v128.load32_splat(mixGroup, 8), w3 = v128.load32_splat(mixGroup, 12);
        a0 = madd(w0, ca, a0); b0 = madd(w0, cb, b0); a1 = madd(w1, ca, a1); b1 = madd(w1, cb, b1);
        a2 = madd(w2, ca, a2); b2 = madd(w2, cb, b2); a3 = madd(w3, ca, a3); b3 = madd(w3, cb, b3);
      }
      const x = srcBase + tBytes;
      let w = groupWeights;
      let tap = taps;
      const tapsEnd = taps + ((<usize>nTaps) << 2);
      while (tap < tapsEnd) {
        const p = x + <usize>load<i32>(tap);
        const xa = v128.load(p), xb = v128.load(p, 16);
        const w0 = v128.load32_splat(w), w1 = v128.load32_splat(w, 4);
        a0 = madd(w0, xa, a0); b0 = madd(w0, xb, b0); a1 = madd(w1, xa, a1); b1 = madd(w1, xb, b1);
        const w2 = v128.load32_splat(w, 8), w3 = v128.load32_splat(w, 12);
        a2 = madd(w2, xa, a2); b2 = madd(w2, xb, b2); a3 = madd(w3, xa, a3); b3 = madd(w3, xb, b3);
        w += 16;
        tap += 4;
      }
      const d = dstBase + tBytes;
      v128.store(d, a0); v128.store(d, b0, 16);
      v128.store(d + dstStride, a1); v128.store(d + dstStride, b1, 16);
      v128.store(d + 2 * dstStride, a2); v128.store(d + 2 * dstStride, b2, 16);
      v128.store(d + 3 * dstStride, a3); v128.store(d + 3 * dstStride, b3, 16);
    }
  }
}
