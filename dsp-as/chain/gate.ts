// Noise gate with a key input: the level is measured on one signal (the pedal's input, before the
// amp model) and the resulting gain is applied to another (the model's output), like the NAM
// plugin. Beyond the plugin's threshold-only gate: hysteresis (opens at the threshold, closes at
// threshold − hysteresis), hold, separate attack and release times and a finite range.
//
// Detector: mean square of the key with a one-pole of DETECTOR_MS, compared in the power domain,
// so thresholds are RMS dBFS (a full-scale sine reads −3 dB), like the plugin's threshold knob.
// Gain: opening ramps linearly in amplitude from the closed gain to 1 over attackMs; closing
// fades linearly in dB (a constant factor per sample, like a natural decay) from 1 to the closed
// gain over releaseMs. Either ramp starts from wherever the gain is, so nothing ever jumps.
//
// Layout (bytes):
//   parameters, written by the control side, then gateConfigure:
//   +0  sampleRateHz  i32
//   +4  thresholdDb   f32   RMS dBFS at which a closed gate opens
//   +8  hysteresisDb  f32   ≥ 0; an open gate closes below thresholdDb − hysteresisDb
//   +12 attackMs      f32   closed → open
//   +16 holdMs        f32   time an open gate stays open once the level is below the close threshold
//   +20 releaseMs     f32   open → closed
//   +24 rangeDb       f32   ≤ 0: gain of the closed gate (e.g. −80)
//   coefficients, written by gateConfigure:
//   +28 detectorCoef  f32   one-pole pole of the mean-square detector
//   +32 openPower     f32   mean square that opens
//   +36 closePower    f32   mean square below which the hold time runs
//   +40 attackStep    f32   gain added per sample while opening
//   +44 releaseFactor f32   gain factor per sample while closing
//   +48 closedGain    f32   10^(rangeDb/20)
//   +52 holdFrames    i32
//   state, audio side (read by meters):
//   +56 meanSquare    f32   detector output (≥ 1e-12, i.e. −120 dB)
//   +60 gain          f32   current gain, closedGain..1
//   +64 isOpen        i32   1 while open or holding
//   +68 heldFrames    i32   frames spent below the close threshold while open
// Threads: gateConfigure on the control side, between blocks (writes coefficients only);
// gateReset, gateAnalyse and applyGain on the audio thread. No allocation.

export const GATE_STATE_BYTES: i32 = 72;

/** Mean-square detector time constant: opens within ~1 ms on a pick attack; a low E (82 Hz) ripples ≈ ±1 dB, well inside a few dB of hysteresis. */
const DETECTOR_MS: f64 = 5.0;
const MIN_MEAN_SQUARE: f32 = 1e-12;

// @ts-ignore: decorator
@inline function framesFor(ms: f32, sampleRateHz: i32): i32 {
  return <i32>Math.round(<f64>max<f32>(ms, 0) * 0.001 * <f64>sampleRateHz);
}

/** Derives the coefficients from the parameters. Control side, between blocks. */
export function gateConfigure(gate: usize): void {
  const sampleRateHz = load<i32>(gate);
  const thresholdDb = <f64>load<f32>(gate, 4);
  const hysteresisDb = <f64>max<f32>(load<f32>(gate, 8), 0);
  const rangeDb = <f64>min<f32>(load<f32>(gate, 24), 0);
  const closedGain = Math.pow(10.0, rangeDb / 20.0);
  const attackFrames = max(1, framesFor(load<f32>(gate, 12), sampleRateHz));
  const releaseFrames = max(1, framesFor(load<f32>(gate, 20), sampleRateHz));
  store<f32>(gate, <f32>Math.exp(-1.0 / (DETECTOR_MS * 0.001 * <f64>sampleRateHz)), 28);
  store<f32>(gate, <f32>Math.pow(10.0, thresholdDb / 10.0), 32);
  store<f32>(gate, <f32>Math.pow(10.0, (thresholdDb - hysteresisDb) / 10.0), 36);
  store<f32>(gate, <f32>((1.0 - closedGain) / <f64>attackFrames), 40);
  store<f32>(gate, <f32>Math.pow(closedGain, 1.0 / <f64>releaseFrames), 44);
  store<f32>(gate, <f32>closedGain, 48);
  store<i32>(gate, framesFor(load<f32>(gate, 16), sampleRateHz), 52);
}

/** Closed, silent detector. Audio thread (or control side before first use). */
export function gateReset(gate: usize): void {
  store<f32>(gate, MIN_MEAN_SQUARE, 56);
  store<f32>(gate, load<f32>(gate, 48), 60);
  store<i32>(gate, 0, 64);
  store<i32>(gate, 0, 68);
}

/** Reads `frames` key samples and writes the gate's gain for each to `gains` (f32[frames]). Audio thread. */
export function gateAnalyse(gate: usize, key: usize, gains: usize, frames: i32): void {
  const detectorCoef = load<f32>(gate, 28);
  const openPower = load<f32>(gate, 32);
  const closePower = load<f32>(gate, 36);
  const attackStep = load<f32>(gate, 40);
  const releaseFactor = load<f32>(gate, 44);
  const closedGain = load<f32>(gate, 48);
  const holdFrames = load<i32>(gate, 52);
  let meanSquare = load<f32>(gate, 56);
  let gain = load<f32>(gate, 60);
  let isOpen = load<i32>(gate, 64) != 0;
  let heldFrames = load<i32>(gate, 68);
  for (let i = 0; i < frames; i++) {
    const x = load<f32>(key + ((<usize>i) << 2));
    meanSquare = max(x * x + detectorCoef * (meanSquare - x * x), MIN_MEAN_SQUARE);
    if (isOpen) {
      if (meanSquare >= closePower) {
        heldFrames = 0;
      } else if (heldFrames >= holdFrames) {
        isOpen = false;
      } else {
        heldFrames++;
      }
    } else if (meanSquare >= openPower) {
      isOpen = true;
      heldFrames = 0;
    }
    gain = isOpen ? min<f32>(1, gain + attackStep) : max(closedGain, gain * releaseFactor);
    store<f32>(gains + ((<usize>i) << 2), gain);
  }
  store<f32>(gate, meanSquare, 56);
  store<f32>(gate, gain, 60);
  store<i32>(gate, isOpen ? 1 : 0, 64);
  store<i32>(gate, heldFrames, 68);
}

/** signal[i] *= gains[i] for `frames` samples (the gate's gain on the model output). Audio thread. */
export function applyGain(signal: usize, gains: usize, frames: i32): void {
  const bytes = (<usize>frames) << 2;
  const vectorBytes = bytes & ~(<usize>15);
  for (let o: usize = 0; o < vectorBytes; o += 16) {
    v128.store(signal + o, f32x4.mul(v128.load(signal + o), v128.load(gains + o)));
  }
  for (let o = vectorBytes; o < bytes; o += 4) store<f32>(signal + o, load<f32>(signal + o) * load<f32>(gains + o));
}
