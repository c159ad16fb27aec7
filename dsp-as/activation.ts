// Activations applied to rows of a signal, plus the gated/blended combinations of WaveNet layers.
// Thread: audio. No allocation.

import { vsigmoidExact, vtanhExact, vtanhFast } from "./vecmath";
import { sigAt } from "./signal";

// Activation codes shared with the control side (firmware/dsp/abi.ts).
export const ACT_IDENTITY: i32 = 0;
export const ACT_TANH_EXACT: i32 = 1;
export const ACT_TANH_FAST: i32 = 2;
export const ACT_HARDTANH: i32 = 3;
export const ACT_RELU: i32 = 4;
export const ACT_LEAKY_RELU: i32 = 5; // params[0] = slope
export const ACT_PRELU: i32 = 6; // params[row] = slope of that row
export const ACT_SIGMOID: i32 = 7;
export const ACT_SILU: i32 = 8;
export const ACT_HARDSWISH: i32 = 9;
export const ACT_LEAKY_HARDTANH: i32 = 10; // params = [minVal, maxVal, minSlope, maxSlope]
export const ACT_SOFTSIGN: i32 = 11;

/** One activation on one vector; `params`/`row` locate the parameters (see the codes above). */
// @ts-ignore: decorator
@inline export function activateVec(code: i32, x: v128, params: usize, row: i32): v128 {
  switch (code) {
    case ACT_TANH_EXACT: return vtanhExact(x);
    case ACT_TANH_FAST: return vtanhFast(x);
    case ACT_HARDTANH: return f32x4.min(f32x4.max(x, f32x4.splat(-1.0)), f32x4.splat(1.0));
    case ACT_RELU: return f32x4.max(x, f32x4.splat(0));
    case ACT_LEAKY_RELU: {
      const scaled = f32x4.mul(x, v128.load32_splat(params));
      return v128.bitselect(x, scaled, f32x4.gt(x, f32x4.splat(0)));
    }
    case ACT_PRELU: {
      const scaled = f32x4.mul(x, v128.load32_splat(params + ((<usize>row) << 2)));
      return v128.bitselect(x, scaled, f32x4.gt(x, f32x4.splat(0)));
    }
    case ACT_SIGMOID: return vsigmoidExact(x);
    case ACT_SILU: return f32x4.mul(x, vsigmoidExact(x));
    case ACT_HARDSWISH: {
      const clamped = f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3.0)), f32x4.splat(0)), f32x4.splat(6.0));
      return f32x4.mul(f32x4.mul(x, clamped), f32x4.splat(<f32>(1.0 / 6.0)));
    }
    case ACT_LEAKY_HARDTANH: {
      const lo = v128.load32_splat(params), hi = v128.load32_splat(params, 4);
      const below = f32x4.add(f32x4.mul(f32x4.sub(x, lo), v128.load32_splat(params, 8)), lo);
      const above = f32x4.add(f32x4.mul(f32x4.sub(x, hi), v128.load32_splat(params, 12)), hi);
      return v128.bitselect(below, v128.bitselect(above, x, f32x4.gt(x, hi)), f32x4.lt(x, lo));
    }
    case ACT_SOFTSIGN: return f32x4.div(x, f32x4.add(f32x4.splat(1.0), f32x4.abs(x)));
    default: return x;
  }
}

/**
 * rows [row, row + rows) of `desc` ← act(same); when accDesc ≠ 0 also acc[accRow + i] += result.
 * The hot A1 case (tanh into the head accumulator) gets its own loops.
 */
export function activateRows(
  desc: usize, row: i32, rows: i32, code: i32, params: usize,
  accDesc: usize, accRow: i32, frames: i32,
): void {
  const framesPadded = (frames + 7) & ~7;
  const endBytes = (<usize>framesPadded) << 2;
  for (let r = 0; r < rows; r++) {
    const p = sigAt(desc, row + r);
    const acc = accDesc != 0 ? sigAt(accDesc, accRow + r) : 0;
    if (code == ACT_TANH_FAST) {
      for (let i: usize = 0; i < endBytes; i += 16) {
        const y = vtanhFast(v128.load(p + i));
        v128.store(p + i, y);
        if (acc != 0) v128.store(acc + i, f32x4.add(v128.load(acc + i), y));
      }
    } else if (code == ACT_TANH_EXACT) {
      for (let i: usize = 0; i < endBytes; i += 16) {
        const y = vtanhExact(v128.load(p + i));
        v128.store(p + i, y);
        if (acc != 0) v128.store(acc + i, f32x4.add(v128.load(acc + i), y));
      }
    } else {
      for (let i: usize = 0; i < endBytes; i += 16) {
        const y = activateVec(code, v128.load(p + i), params, r);
        v128.store(p + i, y);
        if (acc != 0) v128.store(acc + i, f32x4.add(v128.load(acc + i), y));
      }
    }
  }
}

/**
 * Gated and blended layers: z has 2·B rows (primary half first, gate half second).
 *   gated:   h = act(z_top) ⊙ sec(z_bottom)
 *   blended: α = sec(z_bottom); h = α ⊙ act(z_top) + (1 − α) ⊙ z_top
 * h goes to dst rows [dstRow, dstRow + B).
 */
export function gateRows(
  dstDesc: usize, dstRow: i32, zDesc: usize, bottleneck: i32,
  primaryCode: i32, primaryParams: usize, secondaryCode: i32, secondaryParams: usize,
  blended: bool, frames: i32,
): void {
  const endBytes = (<usize>((frames + 7) & ~7)) << 2;
  for (let r = 0; r < bottleneck; r++) {
    const top = sigAt(zDesc, r);
    const bottom = sigAt(zDesc, bottleneck + r);
    const out = sigAt(dstDesc, dstRow + r);
    for (let i: usize = 0; i < endBytes; i += 16) {
      const zt = v128.load(top + i);
      const primary = activateVec(primaryCode, zt, primaryParams, r);
      const gate = activateVec(secondaryCode, v128.load(bottom + i), secondaryParams, r);
      const h = blended
        ? f32x4.add(f32x4.mul(gate, primary), f32x4.mul(f32x4.sub(f32x4.splat(1.0), gate), zt))
        : f32x4.mul(primary, gate);
      v128.store(out + i, h);
    }
  }
}

/** dst[dstRow + i] (+)= scale · src[srcRow + i] for i < rows. */
export function copyRows(
  dstDesc: usize, dstRow: i32, srcDesc: usize, srcRow: i32, rows: i32, scale: f32, accumulate: bool, frames: i32,
): void {
  const endBytes = (<usize>((frames + 7) & ~7)) << 2;
  const s = f32x4.splat(scale);
  for (let r = 0; r < rows; r++) {
    const src = sigAt(srcDesc, srcRow + r);
    const dst = sigAt(dstDesc, dstRow + r);
    for (let i: usize = 0; i < endBytes; i += 16) {
      let y = f32x4.mul(v128.load(src + i), s);
      if (accumulate) y = f32x4.add(y, v128.load(dst + i));
      v128.store(dst + i, y);
    }
  }
}

/** Elementwise FiLM: u[uRow + i] ← u·scale (+ shift), scale/shift rows from `film` (scale rows first). */
export function filmRows(
  uDesc: usize, uRow: i32, rows: i32, filmDesc: usize, shift: bool, frames: i32,
): void {
  const endBytes = (<usize>((frames + 7) & ~7)) << 2;
  for (let r = 0; r < rows; r++) {
    const u = sigAt(uDesc, uRow + r);
    const sc = sigAt(filmDesc, r);
    const sh = shift ? sigAt(filmDesc, rows + r) : 0;
    for (let i: usize = 0; i < endBytes; i += 16) {
      let y = f32x4.mul(v128.load(u + i), v128.load(sc + i));
      if (shift) y = f32x4.add(y, v128.load(sh + i));
      v128.store(u + i, y);
    }
  }
}

/** Per-row affine map (a folded batch norm): rows [row, row + rows) ← x·scale[r] + shift[r]. */
export function affineRows(desc: usize, row: i32, rows: i32, scale: usize, shift: usize, frames: i32): void {
  const endBytes = (<usize>((frames + 7) & ~7)) << 2;
  for (let r = 0; r < rows; r++) {
    const p = sigAt(desc, row + r);
    const s = v128.load32_splat(scale + ((<usize>r) << 2));
    const b = v128.load32_splat(shift + ((<usize>r) << 2));
    for (let i: usize = 0; i < endBytes; i += 16) v128.store(p + i, f32x4.add(f32x4.mul(v128.load(p + i), s), b));
  }
}
