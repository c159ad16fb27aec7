// Real FFT for the partitioned convolver (chain/convolver.ts). A 2M-point real transform is done
// as an M-point complex FFT of z[n] = x[2n] + i·x[2n+1] plus the real/complex split. The complex
// FFT is radix-2 Stockham on split re/im arrays: no bit reversal, every pass streams through
// memory, and every pass is f32x4 (the first two passes, whose butterflies are 1 and 2 apart,
// vectorise across butterflies with lane shuffles).
//
// Scaling is the caller's: fftForwardReal gives 2·DFT(x); fftInverseRealHalf of a spectrum Y
// gives 2M·IDFT(Y) (second half only). A product of two forward spectra therefore comes back
// as 8M times the circular convolution.
//
// Spectrum format ("packed", written by fftForwardReal): bins 1..M−1 as (re, im); bin 0's re
// holds the DC bin and its im holds the Nyquist bin M (both real). Bins are stored in groups of
// four, group g at dst + g·groupStrideBytes as re[4] then im[4], so the convolver can keep the
// spectra of all its partitions interleaved by group.
//
// Descriptor (bytes), written once by fftInit:
//   +0  m              complex points (half the real size), a power of two ≥ 16
//   +4  stageTwiddles  f32 re[M/2] then im[M/2]: W_M^j = e^(−2πij/M)
//   +8  splitTwiddles  f32 re[M] then im[M]: W_2M^k = e^(−πik/M)
//   +12 reA  +16 imA  +20 reB  +24 imB   work arrays, M + 4 floats each
// Thread: fftInit on the control side (setup); the transforms on the audio thread. No allocation.

const DESC_BYTES: usize = 32;

// @ts-ignore: decorator
@inline function descPtr(fft: usize, offset: usize): usize { return <usize>load<u32>(fft + offset); }
// @ts-ignore: decorator
@inline function reverse(v: v128): v128 { return f32x4.shuffle(v, v, 3, 2, 1, 0); }

/** Bytes for a descriptor with its tables and work arrays (M complex points). */
export function fftBytes(m: i32): usize {
  return DESC_BYTES + ((<usize>(3 * m + 4 * (m + 4))) << 2);
}

/** Lays out the descriptor in the fftBytes(m) bytes at `fft` and fills the twiddles. Control side. */
export function fftInit(fft: usize, m: i32): void {
  const stage = fft + DESC_BYTES;
  const split = stage + ((<usize>m) << 2);
  const work = split + ((<usize>(2 * m)) << 2);
  const workBytes = (<usize>(m + 4)) << 2;
  store<i32>(fft, m);
  store<u32>(fft, <u32>stage, 4);
  store<u32>(fft, <u32>split, 8);
  for (let w: usize = 0; w < 4; w++) store<u32>(fft + 12 + (w << 2), <u32>(work + w * workBytes));
  const half = m >> 1;
  for (let j = 0; j < half; j++) {
    const angle = -2.0 * Math.PI * <f64>j / <f64>m;
    store<f32>(stage + ((<usize>j) << 2), <f32>Math.cos(angle));
    store<f32>(stage + ((<usize>(half + j)) << 2), <f32>Math.sin(angle));
  }
  for (let k = 0; k < m; k++) {
    const angle = -Math.PI * <f64>k / <f64>m;
    store<f32>(split + ((<usize>k) << 2), <f32>Math.cos(angle));
    store<f32>(split + ((<usize>(m + k)) << 2), <f32>Math.sin(angle));
  }
}

/** Where the caller writes the unpacked spectrum (bins 0..M, M+1 bins) for fftInverseRealHalf. */
// @ts-ignore: decorator
@inline export function fftSpectrumRe(fft: usize): usize { return descPtr(fft, 12); }
// @ts-ignore: decorator
@inline export function fftSpectrumIm(fft: usize): usize { return descPtr(fft, 16); }

/**
 * Forward complex FFT (e^−) of (re0, im0), ping-ponging with (re1, im1).
 * Returns true when the result ended in (re1, im1), false when in (re0, im0).
 */
function complexForward(fft: usize, re0: usize, im0: usize, re1: usize, im1: usize): bool {
  const m = load<i32>(fft);
  const twRe = descPtr(fft, 4);
  const twIm = twRe + ((<usize>(m >> 1)) << 2);
  let srcRe = re0, srcIm = im0, dstRe = re1, dstIm = im1;
  let inSecond = false;
  let n = m;
  let s = 1;
  while (n > 1) {
    const half = n >> 1;
    const halfBytes = (<usize>(half * s)) << 2; // distance between the two inputs of a butterfly
    if (s == 1) {
      // Butterflies 1 apart in the output: vectorise over p, interleave the sum/difference lanes.
      for (let p = 0; p < half; p += 4) {
        const o = (<usize>p) << 2;
        const ar = v128.load(srcRe + o), ai = v128.load(srcIm + o);
        const br = v128.load(srcRe + o + halfBytes), bi = v128.load(srcIm + o + halfBytes);
        const wr = v128.load(twRe + o), wi = v128.load(twIm + o);
        const sr = f32x4.add(ar, br), si = f32x4.add(ai, bi);
        const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
        const tr = f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi));
        const ti = f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr));
        const d = o << 1;
        v128.store(dstRe + d, f32x4.shuffle(sr, tr, 0, 4, 1, 5));
        v128.store(dstRe + d, f32x4.shuffle(sr, tr, 2, 6, 3, 7), 16);
        v128.store(dstIm + d, f32x4.shuffle(si, ti, 0, 4, 1, 5));
        v128.store(dstIm + d, f32x4.shuffle(si, ti, 2, 6, 3, 7), 16);
      }
    } else if (s == 2) {
      // Two butterflies (p, p+1) × two columns per vector; twiddles W_M^{2p} duplicated per pair.
      for (let p = 0; p < half; p += 2) {
        const o = (<usize>p) << 3;
        const ar = v128.load(srcRe + o), ai = v128.load(srcIm + o);
        const br = v128.load(srcRe + o + halfBytes), bi = v128.load(srcIm + o + halfBytes);
        const wr = f32x4.shuffle(v128.load(twRe + o), v128.load(twRe + o), 0, 0, 2, 2);
        const wi = f32x4.shuffle(v128.load(twIm + o), v128.load(twIm + o), 0, 0, 2, 2);
        const sr = f32x4.add(ar, br), si = f32x4.add(ai, bi);
        const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
        const tr = f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi));
        const ti = f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr));
        const d = o << 1;
        v128.store(dstRe + d, f32x4.shuffle(sr, tr, 0, 1, 4, 5));
        v128.store(dstRe + d, f32x4.shuffle(sr, tr, 2, 3, 6, 7), 16);
        v128.store(dstIm + d, f32x4.shuffle(si, ti, 0, 1, 4, 5));
        v128.store(dstIm + d, f32x4.shuffle(si, ti, 2, 3, 6, 7), 16);
      }
    } else {
      // Columns q are contiguous: vectorise over q with one splatted twiddle per p.
      const twStep = (<usize>(m / n)) << 2;
      const sBytes = (<usize>s) << 2;
      for (let p = 0; p < half; p++) {
        const wr = v128.load32_splat(twRe + <usize>p * twStep);
        const wi = v128.load32_splat(twIm + <usize>p * twStep);
        const a = <usize>p * sBytes;
        const d = a << 1;
        for (let q: usize = 0; q < sBytes; q += 16) {
          const ar = v128.load(srcRe + a + q), ai = v128.load(srcIm + a + q);
          const br = v128.load(srcRe + a + q + halfBytes), bi = v128.load(srcIm + a + q + halfBytes);
          const dr = f32x4.sub(ar, br), di = f32x4.sub(ai, bi);
          v128.store(dstRe + d + q, f32x4.add(ar, br));
          v128.store(dstIm + d + q, f32x4.add(ai, bi));
          v128.store(dstRe + d + sBytes + q, f32x4.sub(f32x4.mul(dr, wr), f32x4.mul(di, wi)));
          v128.store(dstIm + d + sBytes + q, f32x4.add(f32x4.mul(dr, wi), f32x4.mul(di, wr)));
        }
      }
    }
    const tRe = srcRe; srcRe = dstRe; dstRe = tRe;
    const tIm = srcIm; srcIm = dstIm; dstIm = tIm;
    inSecond = !inSecond;
    n = half;
    s <<= 1;
  }
  return inSecond;
}

/** 2·DFT of the 2M real samples at `frame`, packed, group g at dst + g·groupStrideBytes. */
export function fftForwardReal(fft: usize, frame: usize, dst: usize, groupStrideBytes: usize): void {
  const m = load<i32>(fft);
  const reA = descPtr(fft, 12), imA = descPtr(fft, 16), reB = descPtr(fft, 20), imB = descPtr(fft, 24);
  const mBytes = (<usize>m) << 2;
  for (let o: usize = 0; o < mBytes; o += 16) {
    const v0 = v128.load(frame + (o << 1)), v1 = v128.load(frame + (o << 1), 16);
    v128.store(reA + o, f32x4.shuffle(v0, v1, 0, 2, 4, 6));
    v128.store(imA + o, f32x4.shuffle(v0, v1, 1, 3, 5, 7));
  }
  const inB = complexForward(fft, reA, imA, reB, imB);
  const zr = inB ? reB : reA, zi = inB ? imB : imA;
  // Z[M] = Z[0], so the mirrored partner of bin 0 sits inside the array.
  store<f32>(zr + mBytes, load<f32>(zr));
  store<f32>(zi + mBytes, load<f32>(zi));
  const wRe = descPtr(fft, 8), wIm = wRe + mBytes;
  let out = dst;
  for (let o: usize = 0; o < mBytes; o += 16) {
    // X'[k] = E + W_2M^k·O with E = Z[k] + conj Z[M−k], O = −i·(Z[k] − conj Z[M−k]).
    const kr = v128.load(zr + o), ki = v128.load(zi + o);
    const pr = reverse(v128.load(zr + mBytes - o - 12)), pi = reverse(v128.load(zi + mBytes - o - 12));
    const er = f32x4.add(kr, pr), ei = f32x4.sub(ki, pi);
    const or = f32x4.add(ki, pi), oi = f32x4.sub(pr, kr);
    const wr = v128.load(wRe + o), wi = v128.load(wIm + o);
    v128.store(out, f32x4.add(er, f32x4.sub(f32x4.mul(or, wr), f32x4.mul(oi, wi))));
    v128.store(out, f32x4.add(ei, f32x4.add(f32x4.mul(or, wi), f32x4.mul(oi, wr))), 16);
    out += groupStrideBytes;
  }
  // Bin 0's imaginary slot carries the Nyquist bin: X'[M] = 2·(Re Z[0] − Im Z[0]).
  store<f32>(dst + 16, 2 * (load<f32>(zr) - load<f32>(zi)));
}

/**
 * From the unpacked spectrum Y in (fftSpectrumRe, fftSpectrumIm), bins 0..M with bins 0 and M
 * real: writes samples M..2M−1 of 2M·IDFT(Y) to `out` (the half overlap-save keeps).
 */
export function fftInverseRealHalf(fft: usize, out: usize): void {
  const m = load<i32>(fft);
  const yr = descPtr(fft, 12), yi = descPtr(fft, 16), zr = descPtr(fft, 20), zi = descPtr(fft, 24);
  const mBytes = (<usize>m) << 2;
  const wRe = descPtr(fft, 8), wIm = wRe + mBytes;
  for (let o: usize = 0; o < mBytes; o += 16) {
    // Z'[k] = E + i·O with E = Y[k] + conj Y[M−k], O = (Y[k] − conj Y[M−k])·conj W_2M^k.
    const kr = v128.load(yr + o), ki = v128.load(yi + o);
    const pr = reverse(v128.load(yr + mBytes - o - 12)), pi = reverse(v128.load(yi + mBytes - o - 12));
    const er = f32x4.add(kr, pr), ei = f32x4.sub(ki, pi);
    const dr = f32x4.sub(kr, pr), di = f32x4.add(ki, pi);
    const wr = v128.load(wRe + o), wi = v128.load(wIm + o);
    const or = f32x4.add(f32x4.mul(dr, wr), f32x4.mul(di, wi));
    const oi = f32x4.sub(f32x4.mul(di, wr), f32x4.mul(dr, wi));
    v128.store(zr + o, f32x4.sub(er, oi));
    v128.store(zi + o, f32x4.add(ei, or));
  }
  // Inverse by the swap identity IDFT(Z) = swap(DFT(swap(Z))): pass (im, re) as (re, im).
  const inY = complexForward(fft, zi, zr, yi, yr);
  const timeRe = inY ? yr : zr, timeIm = inY ? yi : zi;
  for (let o: usize = mBytes >> 1; o < mBytes; o += 16) {
    const r = v128.load(timeRe + o), i = v128.load(timeIm + o);
    const d = out + ((o - (mBytes >> 1)) << 1);
    v128.store(d, f32x4.shuffle(r, i, 0, 4, 1, 5));
    v128.store(d, f32x4.shuffle(r, i, 2, 6, 3, 7), 16);
  }
}
