// Tone EQ: the NAM plugin's tone stack (bass, middle, treble; RBJ-cookbook biquads with its
// exact frequencies, Q values and knob → gain laws) plus a presence band, in series.
//
//   band      type        f0       gain (dB) from knob v ∈ [0, 10]   Q
//   bass      low shelf    150 Hz  4·(v − 5)                         0.707
//   middle    peaking      425 Hz  3·(v − 5)                         1.5 if gain < 0, else 0.7
//   treble    high shelf  1800 Hz  2·(v − 5)                         0.707
//   presence  high shelf  3600 Hz  2·(v − 5)                         0.707
// Presence sits one octave above the treble shelf, so the two knobs do different things (treble
// tilts the upper mids, presence lifts pick attack and "air"), and below the 5–6 kHz where
// guitar cabinets roll off steeply, so the knob stays audible after the cab IR. It uses the
// treble's ±10 dB law so both high knobs feel alike.
//
// Direct form I in f64 like the plugin: the recursion is serial, so f64 costs the same as f32
// in scalar WASM, and it keeps the 150 Hz shelf (poles near z = 1 at 96 kHz) free of f32
// coefficient and round-off error. At v = 5 every band is an exact identity.
// Knob changes glide: each band's gain (dB) follows a one-pole of GLIDE_MS, stepped every
// GLIDE_FRAMES samples (counted across blocks), with the band's coefficients recomputed at each
// step while the filter state is kept. Cascaded sections share state: a section's input
// history is the previous section's output history.
//
// Layout (bytes):
//   parameters, written by the control side, then toneConfigure:
//   +0  sampleRateHz  i32
//   +4  bass f32  +8 middle f32  +12 treble f32  +16 presence f32     knobs 0..10, 5 = flat
//   derived by toneConfigure:
//   +24 glideCoef     f64   fraction of the remaining gain change per glide step
//   +32 targetDb      f64[4]
//   state, audio side:
//   +64  currentDb    f64[4]
//   +96  coefficients f64[4][5]  b0 b1 b2 a1 a2 (normalised by a0)
//   +256 history      f64[10]    x1 x2 (input), then y1 y2 of each band's output
//   +336 glideCountdown i32      samples until the next glide step
// Threads: toneConfigure on the control side, between blocks (writes targets; the audio side
// glides towards them); toneReset and toneProcess on the audio thread. No allocation.

export const TONE_STATE_BYTES: i32 = 352;

const BANDS: i32 = 4;
const GLIDE_MS: f64 = 20.0;
const GLIDE_FRAMES: i32 = 32;
/** A band closer than this to its target (dB) snaps to it and stops gliding. */
const GLIDE_SNAP_DB: f64 = 0.01;

const HISTORY: usize = 256; // byte offset of the f64 history
const HISTORY_VALUES: i32 = 10;

const LOW_SHELF: i32 = 0;
const PEAKING: i32 = 1;
const HIGH_SHELF: i32 = 2;

// @ts-ignore: decorator
@inline function bandType(band: i32): i32 { return band == 0 ? LOW_SHELF : band == 1 ? PEAKING : HIGH_SHELF; }
// @ts-ignore: decorator
@inline function bandFrequencyHz(band: i32): f64 { return band == 0 ? 150.0 : band == 1 ? 425.0 : band == 2 ? 1800.0 : 3600.0; }
// @ts-ignore: decorator
@inline function bandDbPerKnobStep(band: i32): f64 { return band == 0 ? 4.0 : band == 1 ? 3.0 : 2.0; }
// @ts-ignore: decorator
@inline function bandQ(band: i32, gainDb: f64): f64 { return band == 1 ? (gainDb < 0 ? 1.5 : 0.7) : 0.707; }
// @ts-ignore: decorator
@inline function targetDbAt(tone: usize, band: i32): usize { return tone + 32 + ((<usize>band) << 3); }
// @ts-ignore: decorator
@inline function currentDbAt(tone: usize, band: i32): usize { return tone + 64 + ((<usize>band) << 3); }
// @ts-ignore: decorator
@inline function coefficientsAt(tone: usize, band: i32): usize { return tone + 96 + <usize>band * 40; }

/** RBJ cookbook coefficients of `band` at `gainDb`, normalised by a0. */
function designBand(tone: usize, band: i32, gainDb: f64): void {
  const a = Math.pow(10.0, gainDb / 40.0);
  const w0 = 2.0 * Math.PI * bandFrequencyHz(band) / <f64>load<i32>(tone);
  const cosW0 = Math.cos(w0);
  const alpha = Math.sin(w0) / (2.0 * bandQ(band, gainDb));
  let b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64;
  const type = bandType(band);
  if (type == PEAKING) {
    b0 = 1.0 + alpha * a; b1 = -2.0 * cosW0; b2 = 1.0 - alpha * a;
    a0 = 1.0 + alpha / a; a1 = -2.0 * cosW0; a2 = 1.0 - alpha / a;
  } else {
    const shelfAlpha = 2.0 * Math.sqrt(a) * alpha;
    const sign: f64 = type == LOW_SHELF ? 1.0 : -1.0; // the high shelf mirrors the low shelf's cos terms
    b0 = a * ((a + 1.0) - sign * (a - 1.0) * cosW0 + shelfAlpha);
    b1 = sign * 2.0 * a * ((a - 1.0) - sign * (a + 1.0) * cosW0);
    b2 = a * ((a + 1.0) - sign * (a - 1.0) * cosW0 - shelfAlpha);
    a0 = (a + 1.0) + sign * (a - 1.0) * cosW0 + shelfAlpha;
    a1 = -sign * 2.0 * ((a - 1.0) + sign * (a + 1.0) * cosW0);
    a2 = (a + 1.0) + sign * (a - 1.0) * cosW0 - shelfAlpha;
  }
  const c = coefficientsAt(tone, band);
  store<f64>(c, b0 / a0);
  store<f64>(c, b1 / a0, 8);
  store<f64>(c, b2 / a0, 16);
  store<f64>(c, a1 / a0, 24);
  store<f64>(c, a2 / a0, 32);
}

/** Knobs → target gains; the audio side glides there. Also re-derives everything rate-dependent. Control side. */
export function toneConfigure(tone: usize): void {
  store<f64>(tone, 1.0 - Math.exp(-<f64>GLIDE_FRAMES / (GLIDE_MS * 0.001 * <f64>load<i32>(tone))), 24);
  for (let band = 0; band < BANDS; band++) {
    const knob = <f64>min<f32>(max<f32>(load<f32>(tone + 4 + ((<usize>band) << 2)), 0), 10);
    store<f64>(targetDbAt(tone, band), bandDbPerKnobStep(band) * (knob - 5.0));
    designBand(tone, band, load<f64>(currentDbAt(tone, band)));
  }
}

/** Clears the filter state and jumps to the target gains (nothing to glide from). Audio thread. */
export function toneReset(tone: usize): void {
  for (let band = 0; band < BANDS; band++) {
    const targetDb = load<f64>(targetDbAt(tone, band));
    store<f64>(currentDbAt(tone, band), targetDb);
    designBand(tone, band, targetDb);
  }
  memory.fill(tone + HISTORY, 0, <usize>HISTORY_VALUES << 3);
  store<i32>(tone, 0, 336);
}

function isGliding(tone: usize): bool {
  for (let band = 0; band < BANDS; band++) {
    if (load<f64>(currentDbAt(tone, band)) != load<f64>(targetDbAt(tone, band))) return true;
  }
  return false;
}

function glideStep(tone: usize): void {
  const glideCoef = load<f64>(tone, 24);
  for (let band = 0; band < BANDS; band++) {
    const targetDb = load<f64>(targetDbAt(tone, band));
    const currentDb = load<f64>(currentDbAt(tone, band));
    if (currentDb == targetDb) continue;
    const nextDb = Math.abs(targetDb - currentDb) < GLIDE_SNAP_DB ? targetDb : currentDb + (targetDb - currentDb) * glideCoef;
    store<f64>(currentDbAt(tone, band), nextDb);
    designBand(tone, band, nextDb);
  }
}

/** The four sections in series over `frames` samples, state in locals. */
function filterSections(tone: usize, signal: usize, frames: i32): void {
  const c0 = coefficientsAt(tone, 0), c1 = coefficientsAt(tone, 1), c2 = coefficientsAt(tone, 2), c3 = coefficientsAt(tone, 3);
  const b00 = load<f64>(c0), b01 = load<f64>(c0, 8), b02 = load<f64>(c0, 16), a01 = load<f64>(c0, 24), a02 = load<f64>(c0, 32);
  const b10 = load<f64>(c1), b11 = load<f64>(c1, 8), b12 = load<f64>(c1, 16), a11 = load<f64>(c1, 24), a12 = load<f64>(c1, 32);
  const b20 = load<f64>(c2), b21 = load<f64>(c2, 8), b22 = load<f64>(c2, 16), a21 = load<f64>(c2, 24), a22 = load<f64>(c2, 32);
  const b30 = load<f64>(c3), b31 = load<f64>(c3, 8), b32 = load<f64>(c3, 16), a31 = load<f64>(c3, 24), a32 = load<f64>(c3, 32);
  const h = tone + HISTORY;
  let x1 = load<f64>(h), x2 = load<f64>(h, 8);
  let u1 = load<f64>(h, 16), u2 = load<f64>(h, 24);
  let v1 = load<f64>(h, 32), v2 = load<f64>(h, 40);
  let w1 = load<f64>(h, 48), w2 = load<f64>(h, 56);
  let y1 = load<f64>(h, 64), y2 = load<f64>(h, 72);
  for (let i = 0; i < frames; i++) {
    const p = signal + ((<usize>i) << 2);
    const x = <f64>load<f32>(p);
    // The feedback terms go last: they alone depend on the previous output.
    const u = b00 * x + b01 * x1 + b02 * x2 - a02 * u2 - a01 * u1;
    const v = b10 * u + b11 * u1 + b12 * u2 - a12 * v2 - a11 * v1;
    const w = b20 * v + b21 * v1 + b22 * v2 - a22 * w2 - a21 * w1;
    const y = b30 * w + b31 * w1 + b32 * w2 - a32 * y2 - a31 * y1;
    x2 = x1; x1 = x; u2 = u1; u1 = u; v2 = v1; v1 = v; w2 = w1; w1 = w; y2 = y1; y1 = y;
    store<f32>(p, <f32>y);
  }
  store<f64>(h, x1); store<f64>(h, x2, 8);
  store<f64>(h, u1, 16); store<f64>(h, u2, 24);
  store<f64>(h, v1, 32); store<f64>(h, v2, 40);
  store<f64>(h, w1, 48); store<f64>(h, w2, 56);
  store<f64>(h, y1, 64); store<f64>(h, y2, 72);
}

/**
 * State values that decayed below 1e-30 become 0 (WASM keeps denormals, which are slow on some
 * CPUs); a NaN (from a NaN input) clears the state so one bad sample cannot latch the filter.
 */
function flushHistory(tone: usize): void {
  for (let i = 0; i < HISTORY_VALUES; i++) {
    const p = tone + HISTORY + ((<usize>i) << 3);
    if (!(Math.abs(load<f64>(p)) >= 1e-30)) store<f64>(p, 0);
  }
}

/** Filters `frames` samples at `signal` in place. Audio thread. No allocation. */
export function toneProcess(tone: usize, signal: usize, frames: i32): void {
  let done = 0;
  while (done < frames) {
    let n = frames - done;
    if (isGliding(tone)) {
      let countdown = load<i32>(tone, 336);
      if (countdown == 0) {
        glideStep(tone);
        countdown = GLIDE_FRAMES;
      }
      n = min(n, countdown);
      store<i32>(tone, countdown - n, 336);
    }
    filterSections(tone, signal + ((<usize>done) << 2), n);
    done += n;
  }
  flushHistory(tone);
}
