// Chromatic tuner: pitch of the pedal's input from 25 Hz (below a 5-string bass's B0) to 1600 Hz
// (above E6), to a small fraction of a cent on a steady note.
//
// Two stages per analysis, every hopFrames (≈ 20 ms) of input:
// 1. Coarse: McLeod's NSDF over the last COARSE_WINDOW samples of a copy decimated to ≈ 12 kHz
//    (DC blocked, 4th-order Butterworth low-pass at 0.3 × the decimated rate), key-maximum peak
//    picking (the first maximum within PEAK_THRESHOLD of the highest) against octave errors.
//    Gives the period to a few percent and a clarity (0..1).
// 2. Fine: the squared difference function of the full-rate input, minimised near the coarse
//    period and then near growing multiples of it (k·P up to ≈ fineMaxLag, at most ×8 per step so
//    each search window holds a single minimum), with a parabolic vertex at each step. An error of
//    ε frames in the vertex is an error of ε/(k·P) in the period: at the longest multiple (≈ 40 ms)
//    a tenth of a frame is < 0.1 cent at 48 kHz, for every note in the range.
// The reported frequency is the median of the last HISTORY analyses of the same note (reset when
// an analysis lands more than NEW_NOTE_CENTS away), so single outliers never show.
//
// Layout (bytes; the buffers follow the header in the same allocation):
//   +0   sampleRateHz     i32
//   +4   decimation       i32   input frames per coarse sample
//   +8   hopFrames        i32   input frames between analyses
//   +12  framesToAnalysis i32   countdown to the next analysis
//   +16  fineWindow       i32   frames summed by the fine difference function (multiple of 64)
//   +20  fineMaxLag       i32   longest lag searched, frames (≥ the period of MIN_FREQUENCY_HZ)
//   +24  fineCapacity     i32   frames in the fine buffer
//   +28  fineWrite        i32   index of the next input frame in the fine buffer
//   +32  coarseCapacity   i32   samples in the coarse buffer
//   +36  coarseWrite      i32   index of the next coarse sample
//   +40  coarseMaxLag     i32   longest NSDF lag, coarse samples
//   +44  decimationPhase  i32   input frames since the last coarse sample
//   +48  finePtr          u32   f32[fineCapacity]: the input at the full rate
//   +52  coarsePtr        u32   f32[coarseCapacity]: filtered, decimated input
//   +56  nsdfPtr          u32   f32[coarseMaxLag + 1]: scratch for the coarse NSDF
//   +60  historyCount     i32   analyses in the median history (0..HISTORY)
//   +64  historyNext      i32   history slot the next analysis overwrites
//   +72  dcCoef           f64   one-pole pole of the DC blocker (coarse path)
//   +80  dcPreviousIn     f64
//   +88  dcPreviousOut    f64
//   +96  lowpass          f64[2][7]: per biquad b0 b1 b2 a1 a2 z1 z2 (transposed direct form II)
//   +208 frequencyHz      f64   reported pitch; 0 = no stable pitch
//   +216 levelDb          f64   RMS dBFS of the last fine window (a full-scale sine reads −3)
//   +224 clarity          f64   NSDF height of the chosen peak, 0..1
//   +232 analyses         i32   analyses run since reset (the host sees when a new one lands)
//   +240 history          f64[HISTORY]
//   +280 sortScratch      f64[HISTORY]
// Threads: tunerBytes/tunerInit on the control side; tunerReset, tunerProcess and the readers
// (tunerFrequencyHz, tunerLevelDb, tunerClarity, tunerAnalyses) on the audio thread, or on the
// control side between blocks. tunerProcess runs an analysis inside the call that completes a
// hop: at 48 kHz about 0.4 M multiply-adds (SIMD), a fraction of a millisecond on a Pi 4.
// No allocation after tunerInit.

import { dotProduct, normalisedSquareDifference, parabolicVertexOffset, squaredDifference } from "./pitch";

const HEADER_BYTES: usize = 320;
const HISTORY: i32 = 5;
const MIN_FREQUENCY_HZ: f64 = 25.0;
const MAX_FREQUENCY_HZ: f64 = 1600.0;
/** Decimated rate the coarse stage aims for. */
const COARSE_RATE_HZ: f64 = 12000.0;
/** Coarse samples the NSDF looks at: 85 ms at 12 kHz, two periods of the lowest note. */
const COARSE_WINDOW: i32 = 1024;
/** Longest NSDF lag: half the window still sums 512 products, and holds the lowest note's period. */
const COARSE_MAX_LAG: i32 = COARSE_WINDOW / 2;
/** Samples appended between compactions of each buffer. */
const BUFFER_SPAN: i32 = 2048;
const HOP_SECONDS: f64 = 0.02;
const FINE_WINDOW_SECONDS: f64 = 0.04;
/** Below this RMS level the tuner reports no pitch (a string rung out, hum, silence). */
const MIN_LEVEL_DB: f64 = -65.0;
/** McLeod's k: the first key maximum at least this fraction of the highest one is the period. */
const PEAK_THRESHOLD: f64 = 0.9;
const MIN_CLARITY: f64 = 0.75;
const NEW_NOTE_CENTS: f64 = 50.0;
const DC_CUTOFF_HZ: f64 = 10.0;

// @ts-ignore: decorator
@inline function fieldPtr(tuner: usize, offset: usize): usize { return <usize>load<u32>(tuner + offset); }

function decimationFor(sampleRateHz: i32): i32 {
  return max(1, <i32>Math.round(<f64>sampleRateHz / COARSE_RATE_HZ));
}

function fineWindowFor(sampleRateHz: i32): i32 {
  return (<i32>Math.ceil(FINE_WINDOW_SECONDS * <f64>sampleRateHz / 64.0)) * 64;
}

function fineMaxLagFor(sampleRateHz: i32): i32 {
  return <i32>Math.ceil(<f64>sampleRateHz / MIN_FREQUENCY_HZ) + 64;
}


/** Frames of fine history an analysis reads: the window and the longest lag (+1 for the vertex). */
// @ts-ignore: decorator
@inline function fineHistory(tuner: usize): i32 {
  return load<i32>(tuner, 16) + load<i32>(tuner, 20) + 2;
}

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize { return (bytes + 15) & ~(<usize>15); }

/** Bytes to allocate for a tuner at sampleRateHz (8 kHz … 384 kHz). Control side. */
export function tunerBytes(sampleRateHz: i32): usize {
  const fineFrames = fineWindowFor(sampleRateHz) + fineMaxLagFor(sampleRateHz) + 2 + BUFFER_SPAN;
  const coarseFrames = COARSE_WINDOW + BUFFER_SPAN;
  return HEADER_BYTES + align16((<usize>fineFrames) << 2) + align16((<usize>coarseFrames) << 2)
    + align16((<usize>(COARSE_MAX_LAG + 1)) << 2);
}

/** Stores one RBJ low-pass biquad (cutoff as a fraction of the rate, quality q) at `biquad`. */
function designLowpass(biquad: usize, cutoffFraction: f64, q: f64): void {
  const w0 = 2.0 * Math.PI * cutoffFraction;
  const alpha = Math.sin(w0) / (2.0 * q);
  const cosW0 = Math.cos(w0);
  const a0 = 1.0 + alpha;
  store<f64>(biquad, 0.5 * (1.0 - cosW0) / a0);
  store<f64>(biquad, (1.0 - cosW0) / a0, 8);
  store<f64>(biquad, 0.5 * (1.0 - cosW0) / a0, 16);
  store<f64>(biquad, -2.0 * cosW0 / a0, 24);
  store<f64>(biquad, (1.0 - alpha) / a0, 32);
}

/** Lays out the tuner in the `tunerBytes(sampleRateHz)` bytes at `tuner` and resets it. Control side. */
export function tunerInit(tuner: usize, sampleRateHz: i32): void {
  const decimation = decimationFor(sampleRateHz);
  const fineWindow = fineWindowFor(sampleRateHz);
  const fineMaxLag = fineMaxLagFor(sampleRateHz);
  const fineCapacity = fineWindow + fineMaxLag + 2 + BUFFER_SPAN;
  const coarseCapacity = COARSE_WINDOW + BUFFER_SPAN;
  const finePtr = tuner + HEADER_BYTES;
  const coarsePtr = finePtr + align16((<usize>fineCapacity) << 2);
  const nsdfPtr = coarsePtr + align16((<usize>coarseCapacity) << 2);
  store<i32>(tuner, sampleRateHz);
  store<i32>(tuner, decimation, 4);
  store<i32>(tuner, max(1, <i32>Math.round(HOP_SECONDS * <f64>sampleRateHz)), 8);
  store<i32>(tuner, fineWindow, 16);
  store<i32>(tuner, fineMaxLag, 20);
  store<i32>(tuner, fineCapacity, 24);
  store<i32>(tuner, coarseCapacity, 32);
  store<i32>(tuner, COARSE_MAX_LAG, 40);
  store<u32>(tuner, <u32>finePtr, 48);
  store<u32>(tuner, <u32>coarsePtr, 52);
  store<u32>(tuner, <u32>nsdfPtr, 56);
  store<f64>(tuner, Math.exp(-2.0 * Math.PI * DC_CUTOFF_HZ / <f64>sampleRateHz), 72);
  // 4th-order Butterworth = two biquads with Q = 1/(2·cos(π/8)) and 1/(2·cos(3π/8)).
  const cutoffFraction = 0.3 / <f64>decimation;
  designLowpass(tuner + 96, cutoffFraction, 0.5411961001461970);
  designLowpass(tuner + 152, cutoffFraction, 1.3065629648763766);
  tunerReset(tuner);
}

/** Forgets the input heard so far (history = silence) and the last pitch. */
export function tunerReset(tuner: usize): void {
  const fineHistoryFrames = fineHistory(tuner);
  memory.fill(fieldPtr(tuner, 48), 0, (<usize>fineHistoryFrames) << 2);
  memory.fill(fieldPtr(tuner, 52), 0, (<usize>COARSE_WINDOW) << 2);
  store<i32>(tuner, load<i32>(tuner, 8), 12);
  store<i32>(tuner, fineHistoryFrames, 28);
  store<i32>(tuner, COARSE_WINDOW, 36);
  store<i32>(tuner, 0, 44);
  store<i32>(tuner, 0, 60);
  store<i32>(tuner, 0, 64);
  store<f64>(tuner, 0, 80);
  store<f64>(tuner, 0, 88);
  for (let b: usize = 0; b < 2; b++) {
    store<f64>(tuner + 96 + b * 56, 0, 40);
    store<f64>(tuner + 96 + b * 56, 0, 48);
  }
  store<f64>(tuner, 0, 208);
  store<f64>(tuner, -120.0, 216);
  store<f64>(tuner, 0, 224);
  store<i32>(tuner, 0, 232);
}

// @ts-ignore: decorator
@inline function biquadStep(biquad: usize, x: f64): f64 {
  const y = load<f64>(biquad) * x + load<f64>(biquad, 40);
  store<f64>(biquad, load<f64>(biquad, 8) * x - load<f64>(biquad, 24) * y + load<f64>(biquad, 48), 40);
  store<f64>(biquad, load<f64>(biquad, 16) * x - load<f64>(biquad, 32) * y, 48);
  return y;
}

/** Feeds `frames` mono samples at `signal` (not modified); analyses whenever a hop completes. Audio thread. */
export function tunerProcess(tuner: usize, signal: usize, frames: i32): void {
  const fine = fieldPtr(tuner, 48);
  const coarse = fieldPtr(tuner, 52);
  const fineCapacity = load<i32>(tuner, 24);
  const coarseCapacity = load<i32>(tuner, 32);
  const decimation = load<i32>(tuner, 4);
  const dcCoef = load<f64>(tuner, 72);
  let fineWrite = load<i32>(tuner, 28);
  let coarseWrite = load<i32>(tuner, 36);
  let phase = load<i32>(tuner, 44);
  let countdown = load<i32>(tuner, 12);
  let dcPreviousIn = load<f64>(tuner, 80);
  let dcPreviousOut = load<f64>(tuner, 88);
  for (let i = 0; i < frames; i++) {
    const x = load<f32>(signal + ((<usize>i) << 2));
    if (fineWrite == fineCapacity) {
      const keep = fineHistory(tuner);
      memory.copy(fine, fine + ((<usize>(fineCapacity - keep)) << 2), (<usize>keep) << 2);
      fineWrite = keep;
    }
    store<f32>(fine + ((<usize>fineWrite) << 2), x);
    fineWrite++;

    const dcBlocked = <f64>x - dcPreviousIn + dcCoef * dcPreviousOut;
    dcPreviousIn = <f64>x;
    dcPreviousOut = dcBlocked;
    const filtered = biquadStep(tuner + 152, biquadStep(tuner + 96, dcBlocked));
    if (++phase == decimation) {
      phase = 0;
      if (coarseWrite == coarseCapacity) {
        memory.copy(coarse, coarse + ((<usize>(coarseCapacity - COARSE_WINDOW)) << 2), (<usize>COARSE_WINDOW) << 2);
        coarseWrite = COARSE_WINDOW;
      }
      store<f32>(coarse + ((<usize>coarseWrite) << 2), <f32>filtered);
      coarseWrite++;
    }

    if (--countdown == 0) {
      countdown = load<i32>(tuner, 8);
      store<i32>(tuner, fineWrite, 28);
      store<i32>(tuner, coarseWrite, 36);
      analyse(tuner);
    }
  }
  store<i32>(tuner, fineWrite, 28);
  store<i32>(tuner, coarseWrite, 36);
  store<i32>(tuner, phase, 44);
  store<i32>(tuner, countdown, 12);
  store<f64>(tuner, dcPreviousIn, 80);
  store<f64>(tuner, dcPreviousOut, 88);
}

/** Reported pitch in Hz; 0 when there is no stable pitch. */
export function tunerFrequencyHz(tuner: usize): f64 { return load<f64>(tuner, 208); }

/** RMS level of the input over the last analysis window, dBFS (a full-scale sine reads −3). */
export function tunerLevelDb(tuner: usize): f64 { return load<f64>(tuner, 216); }

/** How periodic the input was at the last analysis, 0..1. */
export function tunerClarity(tuner: usize): f64 { return load<f64>(tuner, 224); }

/** Analyses run since the last reset. */
export function tunerAnalyses(tuner: usize): i32 { return load<i32>(tuner, 232); }

/** Scan position of nextKeyMaximum between calls (one analysis at a time per instance). */
let keyMaximumScan: i32 = 0;

/**
 * Index of the highest NSDF value in the next positive lobe at or after keyMaximumScan, or −1 when
 * there is none. A lobe cut off at maxLag counts only if its highest value is not at the cut.
 */
function nextKeyMaximum(nsdf: usize, maxLag: i32): i32 {
  let lag = keyMaximumScan;
  while (lag <= maxLag && load<f32>(nsdf + ((<usize>lag) << 2)) <= 0) lag++;
  let best = -1;
  let bestValue: f32 = 0;
  while (lag <= maxLag) {
    const value = load<f32>(nsdf + ((<usize>lag) << 2));
    if (value <= 0) break;
    if (value > bestValue) {
      bestValue = value;
      best = lag;
    }
    lag++;
  }
  keyMaximumScan = lag;
  return best >= maxLag ? -1 : best;
}

/**
 * Height of the parabola through a key maximum and its neighbours. A short period falls between
 * lags, so the sampled value can sit well below the true peak while a later multiple lands on a
 * lag: comparing sampled values would pick that multiple (an octave or more too low).
 */
function peakHeight(nsdf: usize, peak: i32): f64 {
  const before = <f64>load<f32>(nsdf + ((<usize>(peak - 1)) << 2));
  const centre = <f64>load<f32>(nsdf + ((<usize>peak) << 2));
  const after = <f64>load<f32>(nsdf + ((<usize>(peak + 1)) << 2));
  return centre - 0.25 * (before - after) * parabolicVertexOffset(before, centre, after);
}

/** Coarse period in coarse samples (fractional), or 0 when the window is not clearly periodic. */
function coarsePeriod(tuner: usize): f64 {
  const coarse = fieldPtr(tuner, 52);
  const nsdf = fieldPtr(tuner, 56);
  const maxLag = load<i32>(tuner, 40);
  const window = coarse + ((<usize>(load<i32>(tuner, 36) - COARSE_WINDOW)) << 2);
  normalisedSquareDifference(window, COARSE_WINDOW, maxLag, nsdf);

  // Skip the lobe around lag 0, then find the highest key maximum.
  keyMaximumScan = 0;
  while (keyMaximumScan <= maxLag && load<f32>(nsdf + ((<usize>keyMaximumScan) << 2)) > 0) keyMaximumScan++;
  const afterZeroLobe = keyMaximumScan;
  let highest = 0.0;
  while (keyMaximumScan <= maxLag) {
    const peak = nextKeyMaximum(nsdf, maxLag);
    if (peak > 0) highest = Math.max(highest, peakHeight(nsdf, peak));
  }
  store<f64>(tuner, highest, 224);
  if (highest < MIN_CLARITY) return 0;
  keyMaximumScan = afterZeroLobe;
  while (keyMaximumScan <= maxLag) {
    const peak = nextKeyMaximum(nsdf, maxLag);
    if (peak <= 0) continue;
    const height = peakHeight(nsdf, peak);
    if (height < PEAK_THRESHOLD * highest) continue;
    store<f64>(tuner, height, 224);
    const before = <f64>load<f32>(nsdf + ((<usize>(peak - 1)) << 2));
    const after = <f64>load<f32>(nsdf + ((<usize>(peak + 1)) << 2));
    return <f64>peak + parabolicVertexOffset(before, <f64>load<f32>(nsdf + ((<usize>peak) << 2)), after);
  }
  return 0;
}

/**
 * Period (fractional frames) from the minimum of the fine difference function within `radius`
 * lags of multiple·period, divided by the multiple.
 */
function refinePeriod(tuner: usize, window: usize, period: f64, multiple: i32, radius: i32): f64 {
  const fineWindow = load<i32>(tuner, 16);
  const maxLag = load<i32>(tuner, 20);
  const centre = <i32>Math.round(period * <f64>multiple);
  const first = max(2, centre - radius);
  const last = min(maxLag, centre + radius);
  let bestLag = first;
  let bestDifference = Infinity;
  for (let lag = first; lag <= last; lag++) {
    const difference = squaredDifference(window, lag, fineWindow);
    if (difference < bestDifference) {
      bestDifference = difference;
      bestLag = lag;
    }
  }
  const before = squaredDifference(window, bestLag - 1, fineWindow);
  const after = squaredDifference(window, bestLag + 1, fineWindow);
  return (<f64>bestLag + parabolicVertexOffset(before, bestDifference, after)) / <f64>multiple;
}

function reportNoPitch(tuner: usize): void {
  store<f64>(tuner, 0, 208);
  store<i32>(tuner, 0, 60);
}

/** Median of the history, with the new estimate added (the history restarts on a new note). */
function reportPitch(tuner: usize, frequencyHz: f64): void {
  let count = load<i32>(tuner, 60);
  let next = load<i32>(tuner, 64);
  const reported = load<f64>(tuner, 208);
  if (count > 0 && Math.abs(1200.0 * Math.log2(frequencyHz / reported)) > NEW_NOTE_CENTS) count = 0;
  const history = tuner + 240;
  if (count == 0) next = 0;
  store<f64>(history + ((<usize>next) << 3), frequencyHz);
  next = (next + 1) % HISTORY;
  count = min(count + 1, HISTORY);
  // Insertion sort of ≤ HISTORY values into the scratch row; the median is the middle one.
  const sorted = tuner + 280;
  for (let i = 0; i < count; i++) {
    const value = load<f64>(history + ((<usize>i) << 3));
    let j = i;
    while (j > 0 && load<f64>(sorted + ((<usize>(j - 1)) << 3)) > value) {
      store<f64>(sorted + ((<usize>j) << 3), load<f64>(sorted + ((<usize>(j - 1)) << 3)));
      j--;
    }
    store<f64>(sorted + ((<usize>j) << 3), value);
  }
  const median = count % 2 == 1
    ? load<f64>(sorted + ((<usize>(count >> 1)) << 3))
    : 0.5 * (load<f64>(sorted + ((<usize>((count >> 1) - 1)) << 3)) + load<f64>(sorted + ((<usize>(count >> 1)) << 3)));
  store<f64>(tuner, median, 208);
  store<i32>(tuner, count, 60);
  store<i32>(tuner, next, 64);
}

function analyse(tuner: usize): void {
  store<i32>(tuner, load<i32>(tuner, 232) + 1, 232);
  const sampleRateHz = <f64>load<i32>(tuner, 0);
  const decimation = load<i32>(tuner, 4);
  const fineWindow = load<i32>(tuner, 16);
  const fineMaxLag = load<i32>(tuner, 20);
  const fineWrite = load<i32>(tuner, 28);
  const fine = fieldPtr(tuner, 48);

  const latest = fine + ((<usize>(fineWrite - fineWindow)) << 2);
  const meanSquare = dotProduct(latest, latest, fineWindow) / <f64>fineWindow;
  const levelDb = 10.0 * Math.log10(Math.max(meanSquare, 1e-12));
  store<f64>(tuner, levelDb, 216);
  if (levelDb < MIN_LEVEL_DB) {
    store<f64>(tuner, 0, 224);
    reportNoPitch(tuner);
    return;
  }

  const coarse = coarsePeriod(tuner);
  if (coarse <= 0) {
    reportNoPitch(tuner);
    return;
  }
  // The fine window starts far enough back that x[j + lag] exists for every lag ≤ fineMaxLag + 1.
  const window = fine + ((<usize>(fineWrite - fineWindow - fineMaxLag - 1)) << 2);
  let period = coarse * <f64>decimation;
  if (period + 2.0 >= <f64>fineMaxLag) {
    reportNoPitch(tuner);
    return;
  }
  period = refinePeriod(tuner, window, period, 1, <i32>Math.ceil(0.01 * period) + 2 * decimation);
  const longestMultiple = <i32>Math.floor((<f64>fineMaxLag - 1.0) / period);
  let multiple = 1;
  while (multiple < longestMultiple) {
    const nextMultiple = min(longestMultiple, multiple * 8);
    // Half a frame of vertex error at this multiple grows by nextMultiple/multiple; stay inside ±P/2.
    const radius = min(<i32>Math.floor(0.5 * period) - 1, 2 + <i32>Math.ceil(0.5 * <f64>nextMultiple / <f64>multiple));
    period = refinePeriod(tuner, window, period, nextMultiple, max(1, radius));
    multiple = nextMultiple;
  }
  const frequencyHz = sampleRateHz / period;
  if (frequencyHz < MIN_FREQUENCY_HZ || frequencyHz > MAX_FREQUENCY_HZ) {
    reportNoPitch(tuner);
    return;
  }
  reportPitch(tuner, frequencyHz);
}
