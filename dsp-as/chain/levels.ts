// Level stages of the chain: a ramped gain (input trim, output level), the NAM plugin's DC
// blocker, and a safety limiter so the pedal never sends more than a set ceiling to the PA.
// Threads: *Configure on the control side, between blocks (writes coefficients only); *Reset and
// *Process on the audio thread. No allocation.

// ── Ramped gain ──────────────────────────────────────────────────────────────────────────────
// A new gain is reached by a straight line in amplitude over rampMs (no zipper noise). Each ramp
// sample's gain comes from its position in the ramp, not a running sum, so the output is the
// same whatever the block sizes. Layout (bytes):
//   +0  sampleRateHz    i32   parameter
//   +4  gainDb          f32   parameter: the gain to reach
//   +8  rampMs          f32   parameter: duration of the ramp to a new gain
//   +12 targetGain      f32   10^(gainDb/20), by gainConfigure
//   +16 currentGain     f32   state: gain of the last sample processed
//   +20 rampStartGain   f32   state: gain the ramp started from
//   +24 rampStep        f32   state: gain change per ramp sample
//   +28 rampFrames      i32   state: ramp length
//   +32 rampPosition    i32   state: ramp samples done; settled when = rampFrames
export const GAIN_STATE_BYTES: i32 = 48;

/** Starts a ramp from the current gain to gainDb. Control side, between blocks. */
export function gainConfigure(stage: usize): void {
  const sampleRateHz = load<i32>(stage);
  const targetGain = <f32>Math.pow(10.0, <f64>load<f32>(stage, 4) / 20.0);
  const rampFrames = max(1, <i32>Math.round(<f64>max<f32>(load<f32>(stage, 8), 0) * 0.001 * <f64>sampleRateHz));
  const startGain = load<f32>(stage, 16);
  store<f32>(stage, targetGain, 12);
  store<f32>(stage, startGain, 20);
  store<f32>(stage, (targetGain - startGain) / <f32>rampFrames, 24);
  store<i32>(stage, rampFrames, 28);
  store<i32>(stage, 0, 32);
}

/** Jumps to the target gain (no ramp). Audio thread. */
export function gainReset(stage: usize): void {
  store<f32>(stage, load<f32>(stage, 12), 16);
  store<i32>(stage, load<i32>(stage, 28), 32);
}

/** signal *= gain, ramping while a ramp is pending. Audio thread. */
export function gainProcess(stage: usize, signal: usize, frames: i32): void {
  let gain = load<f32>(stage, 16);
  let done = 0;
  const rampFrames = load<i32>(stage, 28);
  const position = load<i32>(stage, 32);
  if (position < rampFrames) {
    // Ramp sample k (1-based) gets start + step·k.
    const startGain = load<f32>(stage, 20);
    const step = load<f32>(stage, 24);
    const n = min(frames, rampFrames - position);
    const first = <f32>(position + 1);
    let k = f32x4.add(f32x4.splat(first), f32x4(0, 1, 2, 3));
    for (; done + 4 <= n; done += 4) {
      const p = signal + ((<usize>done) << 2);
      v128.store(p, f32x4.mul(v128.load(p), f32x4.add(f32x4.splat(startGain), f32x4.mul(f32x4.splat(step), k))));
      k = f32x4.add(k, f32x4.splat(4));
    }
    for (; done < n; done++) {
      const p = signal + ((<usize>done) << 2);
      store<f32>(p, load<f32>(p) * (startGain + step * (first + <f32>done)));
    }
    const reached = position + n;
    gain = reached == rampFrames ? load<f32>(stage, 12) : startGain + step * <f32>reached;
    store<f32>(stage, gain, 16);
    store<i32>(stage, reached, 32);
  }
  if (done == frames || gain == 1) return;
  const gains = f32x4.splat(gain);
  for (; done + 4 <= frames; done += 4) {
    const p = signal + ((<usize>done) << 2);
    v128.store(p, f32x4.mul(v128.load(p), gains));
  }
  for (; done < frames; done++) {
    const p = signal + ((<usize>done) << 2);
    store<f32>(p, load<f32>(p) * gain);
  }
}

// ── DC blocker ───────────────────────────────────────────────────────────────────────────────
// The plugin's one-pole high-pass, in f64 like the plugin: y[n] = α·(x[n] − x[n−1] + y[n−1]),
// α = 1 / (1 + 2π·cutoffHz/fs) (cutoffHz = 5 in the plugin). Layout (bytes):
//   +0  sampleRateHz  i32   parameter
//   +4  cutoffHz      f32   parameter
//   +8  alpha         f64   by dcBlockerConfigure
//   +16 x1            f64   state
//   +24 y1            f64   state
export const DC_BLOCKER_STATE_BYTES: i32 = 32;

/** Control side, between blocks. */
export function dcBlockerConfigure(blocker: usize): void {
  const omega = 2.0 * Math.PI * <f64>load<f32>(blocker, 4) / <f64>load<i32>(blocker);
  store<f64>(blocker, 1.0 / (1.0 + omega), 8);
}

/** Audio thread. */
export function dcBlockerReset(blocker: usize): void {
  store<f64>(blocker, 0, 16);
  store<f64>(blocker, 0, 24);
}

/** High-passes `frames` samples in place. Audio thread. */
export function dcBlockerProcess(blocker: usize, signal: usize, frames: i32): void {
  const alpha = load<f64>(blocker, 8);
  let x1 = load<f64>(blocker, 16);
  let y1 = load<f64>(blocker, 24);
  for (let i = 0; i < frames; i++) {
    const p = signal + ((<usize>i) << 2);
    const x = <f64>load<f32>(p);
    y1 = alpha * (x - x1 + y1);
    x1 = x;
    store<f32>(p, <f32>y1);
  }
  // Decayed to nothing (denormals are slow on some CPUs) or NaN (must not latch): restart from 0.
  if (!(Math.abs(y1) >= 1e-30)) y1 = 0;
  if (x1 != x1) x1 = 0;
  store<f64>(blocker, x1, 16);
  store<f64>(blocker, y1, 24);
}

// ── Safety limiter ───────────────────────────────────────────────────────────────────────────
// No look-ahead (no latency). Per sample the gain that would put |x| exactly at the ceiling
// (1 below it) is followed by a one-pole: attackMs when it must fall, releaseMs when it may
// rise. Whatever the gain has not yet caught (the first samples of a new peak, and the tail of
// the attack's approach from above) is clipped onto the ceiling, so |output| ≤ ceiling always;
// a signal that stays at or below the ceiling passes bit for bit.
// A NaN sample becomes 0. Layout (bytes):
//   +0  sampleRateHz  i32   parameter
//   +4  ceilingDb     f32   parameter: dBFS peak ceiling (e.g. −1)
//   +8  attackMs      f32   parameter
//   +12 releaseMs     f32   parameter
//   +16 ceiling       f32   linear, by limiterConfigure
//   +20 attackCoef    f32   one-pole poles, by limiterConfigure
//   +24 releaseCoef   f32
//   +28 gain          f32   state: current gain (1 = not limiting), read by meters
export const LIMITER_STATE_BYTES: i32 = 32;

// @ts-ignore: decorator
@inline function onePoleCoef(ms: f32, sampleRateHz: i32): f32 {
  const frames = <f64>max<f32>(ms, 0) * 0.001 * <f64>sampleRateHz;
  return frames > 0 ? <f32>Math.exp(-1.0 / frames) : 0;
}

/** Control side, between blocks. */
export function limiterConfigure(limiter: usize): void {
  const sampleRateHz = load<i32>(limiter);
  store<f32>(limiter, <f32>Math.pow(10.0, <f64>load<f32>(limiter, 4) / 20.0), 16);
  store<f32>(limiter, onePoleCoef(load<f32>(limiter, 8), sampleRateHz), 20);
  store<f32>(limiter, onePoleCoef(load<f32>(limiter, 12), sampleRateHz), 24);
}

/** Audio thread. */
export function limiterReset(limiter: usize): void {
  store<f32>(limiter, 1, 28);
}

/** Limits `frames` samples in place to ±ceiling. Audio thread. */
export function limiterProcess(limiter: usize, signal: usize, frames: i32): void {
  const ceiling = load<f32>(limiter, 16);
  const attackCoef = load<f32>(limiter, 20);
  const releaseCoef = load<f32>(limiter, 24);
  let gain = load<f32>(limiter, 28);
  for (let i = 0; i < frames; i++) {
    const p = signal + ((<usize>i) << 2);
    const x = load<f32>(p);
    const magnitude = abs(x);
    const wanted: f32 = magnitude > ceiling ? ceiling / magnitude : 1;
    gain = wanted + (wanted < gain ? attackCoef : releaseCoef) * (gain - wanted);
    const y = min(max(x * gain, -ceiling), ceiling);
    store<f32>(p, y == y ? y : 0);
  }
  store<f32>(limiter, gain, 28);
}
