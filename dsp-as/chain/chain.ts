// The pedal's whole signal chain in one call per audio period:
//   input trim → [tuner analysis] → noise gate (keyed on the trimmed input) → NAM model slot(s)
//   → tone EQ → cab IR slot(s) → output level → bypass mix with the dry input → DC blocker
//   → safety limiter → tuner mute.
// The gate's gain is applied inside each model slot, delayed by the slot's own latency (the
// resampler round trip when the model runs at another rate), so it gates the model output at
// the moment of the input it was measured on; a crossfade mixes two slots each gated in time.
// Model and IR changes crossfade between two slots (raised cosine over fadeFrames); "no model"
// and "no IR" are slots too (pointer 0 = pass-through), so loading, unloading and switching the
// IR off all fade. Everything is prepared by the control side (firmware/engine/chain-runtime.ts):
// this file only reads pointers and flags and runs the blocks.
//
// Chain struct (bytes; written by the control side between periods unless marked "audio"):
//   +0   maxFrames        i32   largest period; every scratch buffer holds this many frames
//   +4   trim             ptr   gain stage (levels.ts)
//   +8   gate             ptr   noise gate (gate.ts)
//   +12  gateEnabled      i32
//   +16  tone             ptr   tone EQ (tone.ts)
//   +20  toneEnabled      i32
//   +24  outputLevel      ptr   gain stage
//   +28  dcBlocker        ptr
//   +32  limiter          ptr
//   +36  key              f32[maxFrames]  trimmed input (gate key, bypass dry signal)
//   +40  gains            f32[maxFrames]  gate gains
//   +44  scratchA         f32[maxFrames]
//   +48  scratchB         f32[maxFrames]
//   +52  modelCurrent     ptr   model slot (below) or 0 = none            (audio swaps on fade end)
//   +56  modelNext        ptr   slot faded to, or 0 = none                 (audio clears on fade end)
//   +60  modelFadeFrames  i32
//   +64  modelFadePos     i32   −1 = no fade; the control side sets 0 to start one
//   +68  irCurrent        ptr   convolver (convolver.ts) or 0 = none
//   +72  irNext           ptr
//   +76  irFadeFrames     i32
//   +80  irFadePos        i32   −1 = no fade
//   +84  bypass           i32   target: 1 = output the dry input
//   +88  bypassMix        f32   audio: current dry share 0..1
//   +92  bypassStep       f32   dry share change per sample
//   +96  muted            i32   target: 1 = silent output (tuner)
//   +100 muteGain         f32   audio: current output gain 0..1
//   +104 muteStep         f32
//   +108 inputPeak        f32   audio: max |trimmed input| of the last period
//   +112 outputPeak       f32   audio: max |output| of the last period
//   +116 fadesFinished    i32   audio: bit 0 model fade, bit 1 IR fade finished (control side clears)
//   +120 tuner            ptr   pitch detector, or 0
//   +124 tunerActive      i32
//
// Model slot (bytes):
//   +0  program       ptr   compiled model (program.ts)
//   +4  upsampler     ptr   device → model rate resampler, or 0 when the rates match
//   +8  downsampler   ptr   model → device rate, or 0
//   +12 deviceIn      f32[maxFrames]   input after the slot's input gain
//   +16 modelIn       f32[model-rate capacity]
//   +20 modelOut      f32[model-rate capacity]
//   +24 fifo          f32[fifo capacity]   device-rate output waiting to be played
//   +28 fifoFrames    i32   audio
//   +32 inputGain     f32   target: input calibration (model's input level)
//   +36 inputGainNow  f32   audio
//   +40 outputGain    f32   target: loudness normalisation
//   +44 outputGainNow f32   audio
//   +48 gainDelayFrames i32  the slot's latency in device frames (rounded), 0 when not resampled
//   +52 gainHistory   f32[gainDelayFrames + maxFrames]   audio: gate gains not yet applied
//                            (starts at 0: the first delayed frames are the slot's start-up;
//                            advances only while the gate is on, like the gate's own state)
// Thread: chainProcess on the audio thread; nothing here allocates.

import { programProcess } from "../program";
import { applyGain, gateAnalyse } from "./gate";
import { toneProcess } from "./tone";
import { dcBlockerProcess, gainProcess, limiterProcess } from "./levels";
import { convolverProcess } from "./convolver";
import { resamplerProcess } from "./resampler";
import { tunerProcess } from "../tuner/tuner";

export const CHAIN_STATE_BYTES: i32 = 128;
export const MODEL_SLOT_BYTES: i32 = 56;

export const FADE_MODEL_FINISHED: i32 = 1;
export const FADE_IR_FINISHED: i32 = 2;

// @ts-ignore: decorator
@inline function ptrAt(base: usize, offset: usize): usize { return <usize>load<u32>(base + offset); }

/** Raised-cosine fade-in weight for position `pos` of `total` frames (0 → 0, total → 1). */
// @ts-ignore: decorator
@inline function fadeWeight(pos: i32, total: i32): f32 {
  return <f32>(0.5 - 0.5 * Math.cos(Math.PI * <f64>pos / <f64>total));
}

/** y ← gain ramped linearly from `now` to `target` over the block; returns the new current gain. */
function rampGain(signal: usize, frames: i32, now: f32, target: f32): f32 {
  if (now == target) {
    if (now != 1) for (let i = 0; i < frames; i++) store<f32>(signal + ((<usize>i) << 2), load<f32>(signal + ((<usize>i) << 2)) * now);
    return target;
  }
  const step = (target - now) / <f32>frames;
  for (let i = 0; i < frames; i++) {
    const p = signal + ((<usize>i) << 2);
    store<f32>(p, load<f32>(p) * (now + step * <f32>(i + 1)));
  }
  return target;
}

/** One model slot: input gain → (resample →) model (→ resample) → output gain, `frames` in and out. */
function slotProcess(slot: usize, input: usize, output: usize, frames: i32): void {
  const deviceIn = ptrAt(slot, 12);
  memory.copy(deviceIn, input, (<usize>frames) << 2);
  store<f32>(slot, rampGain(deviceIn, frames, load<f32>(slot, 36), load<f32>(slot, 32)), 36);
  const program = ptrAt(slot, 0);
  const up = ptrAt(slot, 4);
  if (up == 0) {
    programProcess(program, deviceIn, output, frames);
  } else {
    const modelIn = ptrAt(slot, 16);
    const modelOut = ptrAt(slot, 20);
    const fifo = ptrAt(slot, 24);
    const modelFrames = resamplerProcess(up, deviceIn, frames, modelIn);
    programProcess(program, modelIn, modelOut, modelFrames);
    let fifoFrames = load<i32>(slot, 28);
    fifoFrames += resamplerProcess(ptrAt(slot, 8), modelOut, modelFrames, fifo + ((<usize>fifoFrames) << 2));
    // The FIFO was primed with silence at install, so it always holds a whole period.
    const take = min(frames, fifoFrames);
    memory.copy(output, fifo, (<usize>take) << 2);
    if (take < frames) memory.fill(output + ((<usize>take) << 2), 0, (<usize>(frames - take)) << 2);
    memory.copy(fifo, fifo + ((<usize>take) << 2), (<usize>(fifoFrames - take)) << 2);
    store<i32>(slot, fifoFrames - take, 28);
  }
  store<f32>(slot, rampGain(output, frames, load<f32>(slot, 44), load<f32>(slot, 40)), 44);
}

/** Applies the gate gains of `frames` input frames to a slot's output, delayed by the slot's latency. */
function gateSlot(slot: usize, signal: usize, gains: usize, frames: i32): void {
  const delay = slot == 0 ? 0 : load<i32>(slot, 48);
  if (delay == 0) {
    applyGain(signal, gains, frames);
    return;
  }
  // history = [the last `delay` gains | this period's]: the first `frames` line up with the output.
  const history = ptrAt(slot, 52);
  const delayBytes = (<usize>delay) << 2;
  const bytes = (<usize>frames) << 2;
  memory.copy(history + delayBytes, gains, bytes);
  applyGain(signal, history, frames);
  memory.copy(history, history + bytes, delayBytes);
}

/**
 * Runs a model slot, or passes the input through when the slot is 0 (no model), then the gate's
 * `gains` for these input frames, or none when `gains` is 0 (gate off).
 */
function modelOrDry(slot: usize, input: usize, output: usize, frames: i32, gains: usize): void {
  if (slot == 0) memory.copy(output, input, (<usize>frames) << 2);
  else slotProcess(slot, input, output, frames);
  if (gains != 0) gateSlot(slot, output, gains, frames);
}

/** In-place IR, or nothing when the convolver is 0 (no IR / IR off). */
// @ts-ignore: decorator
@inline function irOrDry(conv: usize, signal: usize, frames: i32): void {
  if (conv != 0) convolverProcess(conv, signal, frames);
}

/** a ← a + (b − a)·w(pos + i) over the block (the crossfade from a to b). */
function crossfade(a: usize, b: usize, frames: i32, pos: i32, total: i32): void {
  for (let i = 0; i < frames; i++) {
    const pa = a + ((<usize>i) << 2);
    const va = load<f32>(pa);
    const w = fadeWeight(min(pos + i + 1, total), total);
    store<f32>(pa, va + (load<f32>(b + ((<usize>i) << 2)) - va) * w);
  }
}

function peak(signal: usize, frames: i32): f32 {
  let m: f32 = 0;
  for (let i = 0; i < frames; i++) m = max(m, abs(load<f32>(signal + ((<usize>i) << 2))));
  return m;
}

/** The whole chain for one period of `frames` (≤ maxFrames) mono samples. Audio thread. */
export function chainProcess(chain: usize, input: usize, output: usize, frames: i32): void {
  const key = ptrAt(chain, 36);
  const gains = ptrAt(chain, 40);
  const a = ptrAt(chain, 44);
  const b = ptrAt(chain, 48);
  const bytes = (<usize>frames) << 2;

  memory.copy(key, input, bytes);
  gainProcess(ptrAt(chain, 4), key, frames);
  store<f32>(chain, peak(key, frames), 108);
  const tuner = ptrAt(chain, 120);
  if (tuner != 0 && load<i32>(chain, 124) != 0) tunerProcess(tuner, key, frames);
  const gateOn = load<i32>(chain, 12) != 0;
  if (gateOn) gateAnalyse(ptrAt(chain, 8), key, gains, frames);
  const slotGains = gateOn ? gains : 0;

  // Model (with its crossfade), gated.
  const modelFadePos = load<i32>(chain, 64);
  modelOrDry(ptrAt(chain, 52), key, a, frames, slotGains);
  if (modelFadePos >= 0) {
    const total = load<i32>(chain, 60);
    modelOrDry(ptrAt(chain, 56), key, b, frames, slotGains);
    crossfade(a, b, frames, modelFadePos, total);
    if (modelFadePos + frames >= total) {
      store<u32>(chain, load<u32>(chain, 56), 52);
      store<u32>(chain, 0, 56);
      store<i32>(chain, -1, 64);
      store<i32>(chain, load<i32>(chain, 116) | FADE_MODEL_FINISHED, 116);
    } else {
      store<i32>(chain, modelFadePos + frames, 64);
    }
  }
  if (load<i32>(chain, 20) != 0) toneProcess(ptrAt(chain, 16), a, frames);

  // Cab IR (with its crossfade).
  const irFadePos = load<i32>(chain, 80);
  if (irFadePos >= 0) {
    const total = load<i32>(chain, 76);
    memory.copy(b, a, bytes);
    irOrDry(ptrAt(chain, 68), a, frames);
    irOrDry(ptrAt(chain, 72), b, frames);
    crossfade(a, b, frames, irFadePos, total);
    if (irFadePos + frames >= total) {
      store<u32>(chain, load<u32>(chain, 72), 68);
      store<u32>(chain, 0, 72);
      store<i32>(chain, -1, 80);
      store<i32>(chain, load<i32>(chain, 116) | FADE_IR_FINISHED, 116);
    } else {
      store<i32>(chain, irFadePos + frames, 80);
    }
  } else {
    irOrDry(ptrAt(chain, 68), a, frames);
  }
  gainProcess(ptrAt(chain, 24), a, frames);

  // Bypass: ramp the dry share towards its target, per sample.
  const dryTarget: f32 = load<i32>(chain, 84) != 0 ? 1 : 0;
  let dry = load<f32>(chain, 88);
  if (dry != dryTarget || dry != 0) {
    const step = load<f32>(chain, 92);
    for (let i = 0; i < frames; i++) {
      dry = dryTarget > dry ? min(dryTarget, dry + step) : max(dryTarget, dry - step);
      const p = a + ((<usize>i) << 2);
      const wet = load<f32>(p);
      store<f32>(p, wet + (load<f32>(key + ((<usize>i) << 2)) - wet) * dry);
    }
    store<f32>(chain, dry, 88);
  }

  dcBlockerProcess(ptrAt(chain, 28), a, frames);
  limiterProcess(ptrAt(chain, 32), a, frames);

  // Tuner mute: ramp the output gain towards 0 (muted) or 1.
  const muteTarget: f32 = load<i32>(chain, 96) != 0 ? 0 : 1;
  let gain = load<f32>(chain, 100);
  if (gain != muteTarget || gain != 1) {
    const step = load<f32>(chain, 104);
    for (let i = 0; i < frames; i++) {
      gain = muteTarget > gain ? min(muteTarget, gain + step) : max(muteTarget, gain - step);
      const p = a + ((<usize>i) << 2);
      store<f32>(p, load<f32>(p) * gain);
    }
    store<f32>(chain, gain, 100);
  }
  store<f32>(chain, peak(a, frames), 112);
  memory.copy(output, a, bytes);
}
