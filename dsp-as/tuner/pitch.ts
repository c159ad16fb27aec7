// Pitch-detection kernels for the tuner (tuner.ts): McLeod's normalised square difference function
// (NSDF) for the coarse period, the squared difference function for the fine one, and the
// parabolic vertex both use. Pure functions over contiguous f32 windows in linear memory.
// Thread: the audio thread (inside tunerProcess). No allocation.

/** Σ_{j<n} a[j]·b[j] for f32 arrays (any alignment), accumulated in f64 every 64 frames. */
export function dotProduct(a: usize, b: usize, n: i32): f64 {
  let total = 0.0;
  let j = 0;
  while (j + 64 <= n) {
    let lanes = f32x4.splat(0);
    for (let k = 0; k < 64; k += 4) {
      const offset = (<usize>(j + k)) << 2;
      lanes = f32x4.add(lanes, f32x4.mul(v128.load(a + offset), v128.load(b + offset)));
    }
    total += <f64>(f32x4.extract_lane(lanes, 0) + f32x4.extract_lane(lanes, 1))
      + <f64>(f32x4.extract_lane(lanes, 2) + f32x4.extract_lane(lanes, 3));
    j += 64;
  }
  for (; j < n; j++) {
    total += <f64>load<f32>(a + ((<usize>j) << 2)) * <f64>load<f32>(b + ((<usize>j) << 2));
  }
  return total;
}

/**
 * d(lag) = Σ_{j<n} (x[j] − x[j+lag])², x at `window`: small where the signal repeats after `lag`
 * frames. `n` must be a multiple of 64 (tuner.ts rounds its fine window up to one).
 */
export function squaredDifference(window: usize, lag: i32, n: i32): f64 {
  const shifted = window + ((<usize>lag) << 2);
  let total = 0.0;
  for (let j = 0; j < n; j += 64) {
    let lanes = f32x4.splat(0);
    for (let k = 0; k < 64; k += 4) {
      const offset = (<usize>(j + k)) << 2;
      const difference = f32x4.sub(v128.load(window + offset), v128.load(shifted + offset));
      lanes = f32x4.add(lanes, f32x4.mul(difference, difference));
    }
    total += <f64>(f32x4.extract_lane(lanes, 0) + f32x4.extract_lane(lanes, 1))
      + <f64>(f32x4.extract_lane(lanes, 2) + f32x4.extract_lane(lanes, 3));
  }
  return total;
}

/**
 * McLeod's NSDF of the `n` samples at `window` for lags 0..maxLag into `nsdf` (f32[maxLag + 1]):
 * n'(τ) = 2·r(τ) / m(τ), r(τ) = Σ_{j<n−τ} x[j]·x[j+τ], m(τ) = Σ_{j<n−τ} (x[j]² + x[j+τ]²).
 * In −1..1; 1 where the window repeats exactly after τ. m is updated in O(1) per lag.
 */
export function normalisedSquareDifference(window: usize, n: i32, maxLag: i32, nsdf: usize): void {
  let energy = 2.0 * dotProduct(window, window, n);
  for (let lag = 0; lag <= maxLag; lag++) {
    if (lag > 0) {
      const leaving = <f64>load<f32>(window + ((<usize>(lag - 1)) << 2));
      const leavingEnd = <f64>load<f32>(window + ((<usize>(n - lag)) << 2));
      energy -= leaving * leaving + leavingEnd * leavingEnd;
    }
    const correlation = dotProduct(window, window + ((<usize>lag) << 2), n - lag);
    store<f32>(nsdf + ((<usize>lag) << 2), energy > 1e-20 ? <f32>(2.0 * correlation / energy) : 0);
  }
}

/**
 * Offset (−0.5..0.5 when `centre` is the extremum) of the vertex of the parabola through
 * (−1, before), (0, centre), (1, after); 0 when the three are collinear.
 */
// @ts-ignore: decorator
@inline export function parabolicVertexOffset(before: f64, centre: f64, after: f64): f64 {
  const curvature = before - 2.0 * centre + after;
  return curvature == 0 ? 0.0 : 0.5 * (before - after) / curvature;
}
