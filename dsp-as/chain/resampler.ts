// Streaming band-limited resampler between any two integer rates (L/M = outRate/inRate reduced
// by their gcd; 44.1/48/88.2/96 kHz give L, M ≤ 320): polyphase Kaiser-windowed sinc.
//
// Output j stands for input time τ_j = (j − D)·M/L (input samples): y[j] = Σ_n x[n]·g(τ_j − n),
// g a windowed sinc of half-width W = T/2 input samples, so D (latencyFrames) is the delay in
// output frames and it is an integer: D = ceil(W·L/M), the smallest delay that lets output j be
// computed as soon as input floor(j·M/L) has arrived. Inputs before the first are silence.
// Filter: passband to 0.85 × the lower Nyquist (18.7 kHz at 44.1 kHz, above anything a guitar
// cab passes), stopband from the lower Nyquist on, 70 dB down (Kaiser β from the attenuation, T
// from the transition width): aliases and images measure ≤ −70 dB, and the latency stays near
// 0.7 ms per conversion (30 frames 48 → 44.1 kHz, 35 frames 44.1 → 48 kHz). Each phase's taps
// are normalised to sum to 1 (exact DC gain on every phase).
//
// Streaming: process() takes any number of input frames and returns how many outputs it wrote
// (resamplerOutputFrames tells in advance). Over time outputs = inputs·L/M, but one call may give
// one more or one fewer than the average, so a fixed-size round trip (device → model rate →
// device) needs a frame or two of slack at the end.
//
// Layout (bytes; the table and the input buffer follow the header in the same allocation):
//   +0  inRateHz        i32
//   +4  outRateHz       i32
//   +8  upFactor L      i32
//   +12 downFactor M    i32
//   +16 taps T          i32   per phase, a multiple of 16
//   +20 latencyFrames D i32   output frames
//   +24 phase           i32   of the next output, 0..L−1: τ = floor(τ) + phase/L
//   +28 nextNewest      i32   buffer index of the newest input the next output reads
//   +32 filled          i32   buffer frames holding input (history included)
//   +36 capacity        i32   buffer frames
//   +40 tablePtr        f32[L][T]: phase φ's taps, oldest input first
//   +44 bufferPtr       f32[capacity]: input history then new input (compacted when full)
// Threads: resamplerBytes/resamplerInit on the control side (the filter design runs there);
// resamplerReset/resamplerProcess/resamplerOutputFrames on the thread that streams (the audio
// thread around a NAM model; the control thread when converting an IR). No allocation.

import { madd } from "../vecmath";

const HEADER_BYTES: usize = 48;
const STOPBAND_DB: f64 = 70.0;
const PASSBAND_EDGE: f64 = 0.85; // × the lower Nyquist frequency
/** Input frames appended between compactions of the input buffer. */
const BUFFER_SPAN: i32 = 1024;

// @ts-ignore: decorator
@inline function field(rs: usize, offset: usize): usize { return <usize>load<u32>(rs + offset); }

function gcd(a: i32, b: i32): i32 {
  while (b != 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Taps per phase: Kaiser's length estimate for the transition band, rounded up to 16. */
function tapsPerPhase(inRateHz: i32, outRateHz: i32): i32 {
  const lowerNyquist = 0.5 * <f64>min(inRateHz, outRateHz);
  const transition = (1.0 - PASSBAND_EDGE) * lowerNyquist / <f64>inRateHz; // cycles per input sample
  const taps = (STOPBAND_DB - 7.95) / (14.36 * transition) + 1.0;
  return (<i32>Math.ceil(taps) + 15) & ~15;
}

/** Bytes to allocate for a resampler from inRateHz to outRateHz (positive integers). Control side. */
export function resamplerBytes(inRateHz: i32, outRateHz: i32): usize {
  const common = gcd(inRateHz, outRateHz);
  const up = <usize>(outRateHz / common);
  const taps = tapsPerPhase(inRateHz, outRateHz);
  return HEADER_BYTES + ((up * <usize>taps) << 2) + ((<usize>(taps + BUFFER_SPAN + 16)) << 2);
}

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: f64): f64 {
  const quarterX2 = 0.25 * x * x;
  let term = 1.0;
  let sum = 1.0;
  for (let k = 1; term > 1e-17 * sum; k++) {
    term *= quarterX2 / (<f64>k * <f64>k);
    sum += term;
  }
  return sum;
}

/** Designs the polyphase table and clears the state. Control side. */
export function resamplerInit(rs: usize, inRateHz: i32, outRateHz: i32): void {
  const common = gcd(inRateHz, outRateHz);
  const up = outRateHz / common;
  const down = inRateHz / common;
  const taps = tapsPerPhase(inRateHz, outRateHz);
  const halfWidth = <f64>(taps >> 1);
  const table = rs + HEADER_BYTES;
  const tableBytes = (<usize>up * <usize>taps) << 2;
  store<i32>(rs, inRateHz);
  store<i32>(rs, outRateHz, 4);
  store<i32>(rs, up, 8);
  store<i32>(rs, down, 12);
  store<i32>(rs, taps, 16);
  store<i32>(rs, <i32>Math.ceil(halfWidth * <f64>up / <f64>down), 20);
  store<i32>(rs, taps + BUFFER_SPAN + 16, 36);
  store<u32>(rs, <u32>table, 40);
  store<u32>(rs, <u32>(table + tableBytes), 44);

  const lowerNyquist = 0.5 * <f64>min(inRateHz, outRateHz);
  const cutoff = 0.5 * (1.0 + PASSBAND_EDGE) * lowerNyquist / <f64>inRateHz; // cycles per input sample
  const beta = 0.1102 * (STOPBAND_DB - 8.7);
  const i0Beta = besselI0(beta);
  for (let phase = 0; phase < up; phase++) {
    const row = table + ((<usize>phase * <usize>taps) << 2);
    let sum = 0.0;
    for (let i = 0; i < taps; i++) {
      // Tap i reads input (newest − T + 1 + i), which lies t = phase/L + W − 1 − i before the output.
      const t = <f64>phase / <f64>up + halfWidth - 1.0 - <f64>i;
      const u = t / halfWidth;
      const window = u * u < 1.0 ? besselI0(beta * Math.sqrt(1.0 - u * u)) / i0Beta : 0.0;
      const argument = 2.0 * cutoff * t;
      const sinc = argument == 0 ? 1.0 : Math.sin(Math.PI * argument) / (Math.PI * argument);
      const tap = 2.0 * cutoff * sinc * window;
      sum += tap;
      store<f32>(row + ((<usize>i) << 2), <f32>tap);
    }
    for (let i = 0; i < taps; i++) {
      const p = row + ((<usize>i) << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) / sum));
    }
  }
  resamplerReset(rs);
}

/** Silence before the first input; the next output is output 0. Control side or the streaming thread. */
export function resamplerReset(rs: usize): void {
  const up = load<i32>(rs, 8);
  const down = load<i32>(rs, 12);
  const taps = load<i32>(rs, 16);
  // τ_0 = −D·M/L = first + phase/L with first = floor(τ_0) ≤ −W.
  const delay = load<i32>(rs, 20) * down;
  const first = -((delay + up - 1) / up);
  // Enough silent history that output 0's oldest input is buffer index 0.
  const history = (taps >> 1) - 1 - first;
  memory.fill(field(rs, 44), 0, (<usize>history) << 2);
  store<i32>(rs, -delay - first * up, 24);
  store<i32>(rs, taps - 1, 28);
  store<i32>(rs, history, 32);
}

/** Delay of the output behind the ideal resampled input, in output frames. Any thread. */
export function resamplerLatencyFrames(rs: usize): i32 {
  return load<i32>(rs, 20);
}

/** Outputs the next resamplerProcess call with `inFrames` inputs will write. The streaming thread. */
export function resamplerOutputFrames(rs: usize, inFrames: i32): i32 {
  if (inFrames <= 0) return 0;
  const available = <i64>load<i32>(rs, 32) + <i64>inFrames - 1 - <i64>load<i32>(rs, 28);
  if (available < 0) return 0;
  const up = <i64>load<i32>(rs, 8);
  const down = <i64>load<i32>(rs, 12);
  // Output k reads up to newest + floor((phase + k·M)/L): count the k with that ≤ the last input.
  return <i32>(((available + 1) * up - <i64>load<i32>(rs, 24) + down - 1) / down);
}

/**
 * Resamples `inFrames` (any count ≥ 0) samples from `input` and writes the outputs they complete
 * to `output`; returns their count (= resamplerOutputFrames(rs, inFrames), at most
 * ceil((inFrames + 1)·L/M) + 1). Input and output must not overlap. The streaming thread; no
 * allocation.
 */
export function resamplerProcess(rs: usize, input: usize, inFrames: i32, output: usize): i32 {
  const up = load<i32>(rs, 8);
  const down = load<i32>(rs, 12);
  const taps = load<i32>(rs, 16);
  const capacity = load<i32>(rs, 36);
  const table = field(rs, 40);
  const buffer = field(rs, 44);
  const rowBytes = (<usize>taps) << 2;
  let phase = load<i32>(rs, 24);
  let newest = load<i32>(rs, 28);
  let filled = load<i32>(rs, 32);
  let produced = 0;
  let consumed = 0;
  while (consumed < inFrames) {
    if (filled == capacity) {
      // Keep only what the next output reads: from its oldest input on.
      const oldest = newest - taps + 1;
      memory.copy(buffer, buffer + ((<usize>oldest) << 2), (<usize>(filled - oldest)) << 2);
      filled -= oldest;
      newest -= oldest;
    }
    const n = min(inFrames - consumed, capacity - filled);
    memory.copy(buffer + ((<usize>filled) << 2), input + ((<usize>consumed) << 2), (<usize>n) << 2);
    filled += n;
    consumed += n;
    while (newest < filled) {
      const coefficients = table + <usize>phase * rowBytes;
      const samples = buffer + ((<usize>(newest - taps + 1)) << 2);
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 64) {
        a0 = madd(v128.load(coefficients + o), v128.load(samples + o), a0);
        a1 = madd(v128.load(coefficients + o, 16), v128.load(samples + o, 16), a1);
        a2 = madd(v128.load(coefficients + o, 32), v128.load(samples + o, 32), a2);
        a3 = madd(v128.load(coefficients + o, 48), v128.load(samples + o, 48), a3);
      }
      const sum = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
      store<f32>(output + ((<usize>produced) << 2),
        (f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1)) + (f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3)));
      produced++;
      phase += down;
      newest += phase / up;
      phase %= up;
    }
  }
  store<i32>(rs, phase, 24);
  store<i32>(rs, newest, 28);
  store<i32>(rs, filled, 32);
  return produced;
}
