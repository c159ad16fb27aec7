// f32x4 math shared by every kernel. Pure functions on registers: no memory, no allocation.
// Thread: the audio thread (and whatever thread renders offline).

/** a·b + c. Fused (one rounding) in the relaxed-SIMD build where the CPU has FMA; two roundings otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// Cephes-style expf: range reduction by ln2 in two parts, degree-6 polynomial, 2^n from the exponent bits.
// Max relative error ≈ 2 ulp over [-87, 88], enough to track glibc expf within the reference tolerances.
// @ts-ignore: decorator
@inline export function vexp(xIn: v128): v128 {
  const x = f32x4.min(f32x4.max(xIn, f32x4.splat(-87.3365448)), f32x4.splat(88.3762626));
  const n = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1.0));
  // 2^n: n in [-126, 127] after the clamp above, so the biased exponent stays normal.
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** tanh to ~2 ulp: odd polynomial near zero (no cancellation), 1 − 2/(e^{2|x|}+1) elsewhere. */
// @ts-ignore: decorator
@inline export function vtanhExact(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = vexp(f32x4.add(ax, ax));
  const largeAbs = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const large = v128.or(largeAbs, signBit);
  return v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(0.625)));
}

/**
 * The NAM plugin's rational tanh ("fast tanh"), in the same float32 association as the core:
 * x·(c0 + c0·|x| + (c1 + c2·|x|)·x²) / (c3 + (c3 + x²)·|x + c4·x·|x||). Not bounded by 1.
 */
// @ts-ignore: decorator
@inline export function vtanhFast(x: v128): v128 {
  const ax = f32x4.abs(x);
  const x2 = f32x4.mul(x, x);
  const c0 = f32x4.splat(<f32>2.45550750702956);
  const c3 = f32x4.splat(<f32>2.44506634652299);
  const inner = f32x4.add(f32x4.splat(<f32>0.893229853513558), f32x4.mul(f32x4.splat(<f32>0.821226666969744), ax));
  const num = f32x4.mul(x, f32x4.add(f32x4.add(c0, f32x4.mul(c0, ax)), f32x4.mul(inner, x2)));
  const den = f32x4.add(c3, f32x4.mul(f32x4.add(c3, x2),
    f32x4.abs(f32x4.add(x, f32x4.mul(f32x4.mul(f32x4.splat(<f32>0.814642734961073), x), ax)))));
  return f32x4.div(num, den);
}

// @ts-ignore: decorator
@inline export function vsigmoidExact(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), vexp(f32x4.neg(x))));
}

/** The LSTM's fast sigmoid when fast tanh is on: 0.5·(fast_tanh(0.5·x) + 1). */
// @ts-ignore: decorator
@inline export function vsigmoidFast(x: v128): v128 {
  const half = f32x4.splat(0.5);
  return f32x4.mul(half, f32x4.add(vtanhFast(f32x4.mul(half, x)), f32x4.splat(1.0)));
}
