// Cab IR convolution without added latency: y[n] = Σ_k h[k]·x[n−k], sample-aligned, exact up to
// float rounding, for any host block size.
//
// Uniformly partitioned overlap-save with a frequency-domain delay line (FDL), partition size B:
// - taps h[0..B) run directly in the time domain, per sample (the "head"), so the output needs
//   no input beyond the current sample;
// - taps h[B..) are split into P partitions of B taps. Output block j needs those taps only at
//   lags ≥ B, i.e. only input blocks ≤ j−1, which are complete. So whenever an input block of B
//   samples completes, one FFT of [previous block | this block] enters the FDL, the spectra are
//   multiplied with the partition spectra and summed, and one inverse FFT yields the tail of the
//   whole next output block before its first sample is due.
// Choosing B: the head costs B multiply-adds per sample, the FDL about N/B complex ones (N taps),
// and all FFT/FDL work falls on the host block that completes a partition. B equal to the host
// block size (power of two) gives every block the same load; see the wrapper for the default.
//
// Layout (bytes; all pointers absolute, everything inside one allocation of convolverBytes):
//   +0  partitionFrames B   (power of two, 16..4096)
//   +4  partitions P        (tail partitions; 0 when the IR fits the head)
//   +8  headTaps            taps run in the time domain: min(IR length, B) rounded up to 4
//   +12 filled              frames of the current input block received so far (0..B−1)
//   +16 newestSlot          FDL slot holding the newest input spectrum
//   +20 headPtr             f32[B]: h[0..B), zero padded
//   +24 framePtr            f32[2B + 8]: [previous input block | current input block | padding]
//   +28 tailPtr             f32[B + 8]: the FDL's output for the current block
//   +32 partitionSpectra    H_p for p = 1..P: group g, partition p−1 at +(g·P + p−1)·32 (re[4], im[4])
//   +36 inputSpectra        FDL ring of P input spectra, same layout, slot instead of partition
//   +40 scratchPtr          f32[8]: a partial group of outputs
//   +44 irFrames            taps of the IR
//   +64 FFT descriptor (chain/fft.ts), then the arrays above
// Construction is split so the audio worker can run it between periods in bounded pieces:
// convolverSetup (O(B)), then convolverSetPartitions over the tail partitions in slices of a
// few FFTs each (firmware/dsp/chain/convolver.ts sizes them). Threads: convolverBytes,
// convolverSetup, convolverSetPartitions on the control side (allocation by the caller);
// convolverReset/convolverProcess on the audio thread. No allocation anywhere here.

import { madd } from "../vecmath";
import { fftBytes, fftForwardReal, fftInit, fftInverseRealHalf, fftSpectrumIm, fftSpectrumRe } from "./fft";

const HEADER_BYTES: usize = 64;
const SPECTRUM_GROUP_BYTES: usize = 32;

// @ts-ignore: decorator
@inline function field(conv: usize, offset: usize): usize { return <usize>load<u32>(conv + offset); }
// @ts-ignore: decorator
@inline function align16(bytes: usize): usize { return (bytes + 15) & ~(<usize>15); }

function tailPartitions(irFrames: i32, partitionFrames: i32): i32 {
  return irFrames > partitionFrames ? (irFrames - 1) / partitionFrames : 0;
}

/** Bytes to allocate for an IR of `irFrames` taps with partitions of `partitionFrames`. Control side. */
export function convolverBytes(irFrames: i32, partitionFrames: i32): usize {
  const b = <usize>partitionFrames;
  const spectra = <usize>tailPartitions(irFrames, partitionFrames) * (b >> 2) * SPECTRUM_GROUP_BYTES;
  return HEADER_BYTES + align16(fftBytes(partitionFrames)) + (b << 2) + ((2 * b + 8) << 2) + ((b + 8) << 2)
    + 2 * spectra + 32;
}

/**
 * Lays out `conv` (convolverBytes(irFrames, partitionFrames) bytes, 16-byte aligned, contents
 * anything) for an IR of irFrames ≥ 1 taps: header, FFT tables, the head taps h[0..B) from `head`
 * (f32[min(irFrames, B)]; not kept), cleared input and tail buffers. Work is bounded by B, not
 * by the IR length. The tail partitions are missing until convolverSetPartitions has covered
 * 1..convolverPartitionCount; only then may convolverProcess run. Control side (the audio
 * worker calls it between periods). partitionFrames: a power of two in 16..4096.
 */
export function convolverSetup(conv: usize, head: usize, irFrames: i32, partitionFrames: i32): void {
  const b = <usize>partitionFrames;
  const partitions = tailPartitions(irFrames, partitionFrames);
  const headFrames = min(irFrames, partitionFrames);
  const fft = conv + HEADER_BYTES;
  fftInit(fft, partitionFrames);
  const headPtr = fft + align16(fftBytes(partitionFrames));
  const frame = headPtr + (b << 2);
  const tail = frame + ((2 * b + 8) << 2);
  const partitionSpectra = tail + ((b + 8) << 2);
  const spectraBytes = <usize>partitions * (b >> 2) * SPECTRUM_GROUP_BYTES;
  const inputSpectra = partitionSpectra + spectraBytes;
  store<i32>(conv, partitionFrames);
  store<i32>(conv, partitions, 4);
  store<i32>(conv, (headFrames + 3) & ~3, 8);
  store<i32>(conv, 0, 12);
  store<i32>(conv, 0, 16);
  store<u32>(conv, <u32>headPtr, 20);
  store<u32>(conv, <u32>frame, 24);
  store<u32>(conv, <u32>tail, 28);
  store<u32>(conv, <u32>partitionSpectra, 32);
  store<u32>(conv, <u32>inputSpectra, 36);
  store<u32>(conv, <u32>(inputSpectra + spectraBytes), 40);
  store<i32>(conv, irFrames, 44);

  memory.fill(headPtr, 0, b << 2);
  memory.copy(headPtr, head, (<usize>headFrames) << 2);
  memory.fill(frame, 0, (2 * b + 8) << 2);
  memory.fill(tail, 0, (b + 8) << 2);
}

/** Tail partitions of the IR set up in `conv` (0 when the IR fits the head). Any thread. */
export function convolverPartitionCount(conv: usize): i32 {
  return load<i32>(conv, 4);
}

/**
 * Transforms tail partitions first..first+count−1 (1 ≤ first, first+count−1 ≤ partition count)
 * and clears their FDL slots. `taps` holds the IR from tap first·B on (f32; the last partition
 * may be short: only taps below irFrames are read). Work: count FFTs of 2B points. Control side
 * (the audio worker runs it in bounded slices between periods); leaves the input frame cleared.
 */
export function convolverSetPartitions(conv: usize, taps: usize, first: i32, count: i32): void {
  const partitionFrames = load<i32>(conv);
  const b = <usize>partitionFrames;
  const partitions = load<i32>(conv, 4);
  const irFrames = load<i32>(conv, 44);
  const fft = conv + HEADER_BYTES;
  const frame = field(conv, 24);
  const partitionSpectra = field(conv, 32);
  const inputSpectra = field(conv, 36);
  // Partition p's spectrum, scaled by 1/(8B) (a power of two, so exact) to undo the transforms' gains.
  const scale = <f32>(1.0 / <f64>(8 * partitionFrames));
  const groupStride = <usize>partitions * SPECTRUM_GROUP_BYTES;
  const groups = b >> 2;
  for (let p = first; p < first + count; p++) {
    memory.fill(frame, 0, (2 * b) << 2);
    const source = taps + ((<usize>(p - first) * b) << 2);
    const frames = min(partitionFrames, irFrames - p * partitionFrames);
    for (let k = 0; k < frames; k++) {
      store<f32>(frame + ((<usize>k) << 2), load<f32>(source + ((<usize>k) << 2)) * scale);
    }
    const slot = <usize>(p - 1) * SPECTRUM_GROUP_BYTES;
    fftForwardReal(fft, frame, partitionSpectra + slot, groupStride);
    for (let g: usize = 0; g < groups; g++) memory.fill(inputSpectra + g * groupStride + slot, 0, SPECTRUM_GROUP_BYTES);
  }
  memory.fill(frame, 0, (2 * b) << 2);
}

/** Clears the input history and the FDL (silence in, IR tail out stops). Audio thread. */
export function convolverReset(conv: usize): void {
  const b = <usize>load<i32>(conv);
  const partitions = <usize>load<i32>(conv, 4);
  memory.fill(field(conv, 24), 0, (2 * b + 8) << 2);
  memory.fill(field(conv, 28), 0, (b + 8) << 2);
  memory.fill(field(conv, 36), 0, partitions * (b >> 2) * SPECTRUM_GROUP_BYTES);
  store<i32>(conv, 0, 12);
  store<i32>(conv, 0, 16);
}

/**
 * out[i] = head FIR + FDL tail for block positions first..first+frames−1 (8 at a time; the
 * lanes of a last partial group read stale input and are dropped).
 */
function headAndTail(conv: usize, first: i32, frames: i32, out: usize): void {
  const b = load<i32>(conv);
  const headTaps = <usize>load<i32>(conv, 8);
  const head = field(conv, 20);
  const frame = field(conv, 24);
  const tail = field(conv, 28);
  const scratch = field(conv, 40);
  const end = first + frames;
  for (let r = first; r < end; r += 8) {
    // Lag k of output r reads frame[B + r − k]; four taps × two output vectors per step.
    const x = frame + ((<usize>(b + r)) << 2);
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    for (let k: usize = 0; k < headTaps; k += 4) {
      const h = head + (k << 2);
      const p = x - (k << 2);
      const h0 = v128.load32_splat(h), h1 = v128.load32_splat(h, 4);
      const h2 = v128.load32_splat(h, 8), h3 = v128.load32_splat(h, 12);
      a0 = madd(h0, v128.load(p), a0); b0 = madd(h0, v128.load(p, 16), b0);
      a1 = madd(h1, v128.load(p - 4), a1); b1 = madd(h1, v128.load(p, 12), b1);
      a2 = madd(h2, v128.load(p - 8), a2); b2 = madd(h2, v128.load(p, 8), b2);
      a3 = madd(h3, v128.load(p - 12), a3); b3 = madd(h3, v128.load(p, 4), b3);
    }
    const t = tail + ((<usize>r) << 2);
    const lo = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), v128.load(t));
    const hi = f32x4.add(f32x4.add(f32x4.add(b0, b1), f32x4.add(b2, b3)), v128.load(t, 16));
    const o = out + ((<usize>(r - first)) << 2);
    if (r + 8 <= end) {
      v128.store(o, lo);
      v128.store(o, hi, 16);
    } else {
      v128.store(scratch, lo);
      v128.store(scratch, hi, 16);
      memory.copy(o, scratch, (<usize>(end - r)) << 2);
    }
  }
}

/** A completed input block enters the FDL; computes the tail of the next output block. */
function fdlStep(conv: usize): void {
  const b = load<i32>(conv);
  const partitions = load<i32>(conv, 4);
  const fft = conv + HEADER_BYTES;
  const partitionSpectra = field(conv, 32);
  const inputSpectra = field(conv, 36);
  const groupStride = <usize>partitions * SPECTRUM_GROUP_BYTES;
  // The ring runs backwards: the spectrum from d blocks ago sits at slot (newest + d) mod P.
  let newest = load<i32>(conv, 16) - 1;
  if (newest < 0) newest = partitions - 1;
  store<i32>(conv, newest, 16);
  fftForwardReal(fft, field(conv, 24), inputSpectra + <usize>newest * SPECTRUM_GROUP_BYTES, groupStride);

  const yr = fftSpectrumRe(fft), yi = fftSpectrumIm(fft);
  const groups = b >> 2;
  const newestOffset = <usize>newest * SPECTRUM_GROUP_BYTES;
  const firstRun = partitions - newest; // slots newest..P−1, then 0..newest−1
  for (let g = 0; g < groups; g++) {
    const groupOffset = <usize>g * groupStride;
    const ring = inputSpectra + groupOffset;
    let h = partitionSpectra + groupOffset;
    let rr = f32x4.splat(0), ii = f32x4.splat(0), ri = f32x4.splat(0), ir = f32x4.splat(0);
    let x = ring + newestOffset;
    let runEnd = h + <usize>firstRun * SPECTRUM_GROUP_BYTES;
    const hEnd = h + groupStride;
    for (;;) {
      for (; h < runEnd; h += SPECTRUM_GROUP_BYTES, x += SPECTRUM_GROUP_BYTES) {
        const xr = v128.load(x), xi = v128.load(x, 16);
        const hr = v128.load(h), hi = v128.load(h, 16);
        rr = madd(xr, hr, rr); ii = madd(xi, hi, ii);
        ri = madd(xr, hi, ri); ir = madd(xi, hr, ir);
      }
      if (runEnd == hEnd) break;
      x = ring;
      runEnd = hEnd;
    }
    const o = (<usize>g) << 4;
    v128.store(yr + o, f32x4.sub(rr, ii));
    v128.store(yi + o, f32x4.add(ri, ir));
    if (g == 0) {
      // Packed lane 0: re products are the DC bin, im products the Nyquist bin (both real).
      const binsBytes = (<usize>b) << 2;
      store<f32>(yr, f32x4.extract_lane(rr, 0));
      store<f32>(yi, 0);
      store<f32>(yr + binsBytes, f32x4.extract_lane(ii, 0));
      store<f32>(yi + binsBytes, 0);
    }
  }
  fftInverseRealHalf(fft, field(conv, 28));
}

/** Convolves `frames` (any count ≥ 0) samples at `signal` in place. Audio thread. No allocation. */
export function convolverProcess(conv: usize, signal: usize, frames: i32): void {
  const b = load<i32>(conv);
  const partitions = load<i32>(conv, 4);
  const frame = field(conv, 24);
  const blockBytes = (<usize>b) << 2;
  let filled = load<i32>(conv, 12);
  let done = 0;
  while (done < frames) {
    const n = min(frames - done, b - filled);
    const io = signal + ((<usize>done) << 2);
    memory.copy(frame + blockBytes + ((<usize>filled) << 2), io, (<usize>n) << 2);
    headAndTail(conv, filled, n, io);
    filled += n;
    done += n;
    if (filled == b) {
      if (partitions > 0) fdlStep(conv);
      memory.copy(frame, frame + blockBytes, blockBytes);
      filled = 0;
    }
  }
  store<i32>(conv, filled, 12);
}
