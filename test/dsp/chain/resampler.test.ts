// Resampler among 44.1/48/88.2/96 kHz: sines keep frequency, amplitude and the reported latency;
// tones beyond the lower Nyquist alias or image below −60 dB; a 48 → 44.1 → 48 round trip;
// streaming independence from block sizes; the offline IR helper; no memory growth.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Resampler, resampleSignal } from "../../../firmware/dsp/chain/index.js";
import type { DspExports } from "../../../firmware/dsp/abi.js";
import { WasmBuffer, newDsp, sine, toDb, toneAmplitude } from "./harness.js";

const dsp = await newDsp();
const rates = [44100, 48000, 88200, 96000];
const pairs = rates.flatMap((inRateHz) => rates.filter((r) => r !== inRateHz).map((outRateHz) => ({ inRateHz, outRateHz })));

/** Streams `input` through `resampler` in blocks cycling through `blocks`; checks each call's count. */
function stream(target: DspExports, resampler: Resampler, input: Float32Array, blocks: readonly number[] = [128]): Float32Array {
  const largest = Math.max(...blocks);
  const inBuffer = new WasmBuffer(target, largest);
  const outBuffer = new WasmBuffer(target, resampler.maxOutputFrames(largest));
  const chunks: Float32Array[] = [];
  for (let start = 0, i = 0; start < input.length; i++) {
    const frames = Math.min(blocks[i % blocks.length]!, input.length - start);
    inBuffer.write(input.subarray(start, start + frames));
    const announced = resampler.outputFrames(frames);
    const written = target.resamplerProcess(resampler.statePtr, inBuffer.ptr, frames, outBuffer.ptr);
    assert.equal(written, announced, "process writes what outputFrames announced");
    assert.ok(written <= resampler.maxOutputFrames(frames));
    chunks.push(outBuffer.read(written));
    start += frames;
  }
  inBuffer.free();
  outBuffer.free();
  const output = new Float32Array(chunks.reduce((sum, c) => sum + c.length, 0));
  chunks.reduce((at, c) => (output.set(c, at), at + c.length), 0);
  return output;
}

function resampleStreaming(input: Float32Array, inRateHz: number, outRateHz: number, blocks: readonly number[] = [128]) {
  const resampler = new Resampler(dsp, inRateHz, outRateHz);
  const output = stream(dsp, resampler, input, blocks);
  const latencyFrames = resampler.latencyFrames;
  resampler.dispose();
  return { output, latencyFrames };
}

/** Folds a frequency into the band [0, rate/2] a sampled signal can show. */
function fold(frequencyHz: number, sampleRateHz: number): number {
  const wrapped = frequencyHz % sampleRateHz;
  return wrapped > sampleRateHz / 2 ? sampleRateHz - wrapped : wrapped;
}

for (const { inRateHz, outRateHz } of pairs) {
  test(`${inRateHz} → ${outRateHz} Hz: sines keep frequency and amplitude and land at the reported latency`, () => {
    for (const frequencyHz of [1000, 15000]) {
      const amplitude = 0.5;
      const { output, latencyFrames } = resampleStreaming(sine(inRateHz, frequencyHz, inRateHz, amplitude), inRateHz, outRateHz);
      const start = 2 * latencyFrames + 200; // past the start-up transient
      const end = output.length;
      const gainDb = toDb(toneAmplitude(output, frequencyHz, outRateHz, start, end) / amplitude);
      assert.ok(Math.abs(gainDb) <= 0.1, `${frequencyHz} Hz: ${gainDb.toFixed(4)} dB`);
      // Sample by sample against the ideal resampled sine delayed by latencyFrames: one frame of
      // misalignment would be an error of ≈ 0.1 at 1 kHz.
      let worst = 0;
      for (let j = start; j < end; j++) {
        const expected = amplitude * Math.sin((2 * Math.PI * frequencyHz * (j - latencyFrames)) / outRateHz);
        worst = Math.max(worst, Math.abs(output[j]! - expected));
      }
      assert.ok(worst <= 1e-3 * amplitude, `${frequencyHz} Hz: worst sample error ${worst}`);
    }
  });

  test(`${inRateHz} → ${outRateHz} Hz: tones beyond the lower Nyquist alias or image at ≤ −60 dB`, () => {
    const lowerNyquist = Math.min(inRateHz, outRateHz) / 2;
    // Downsampling: tones between the two Nyquists fold back. Upsampling: the input's spectral
    // images (rate ± f) of tones just below its Nyquist land in the output band.
    const tonesHz = inRateHz > outRateHz
      ? [lowerNyquist + 50, (lowerNyquist + inRateHz / 2) / 2, inRateHz / 2 - 100]
      : [0.9 * lowerNyquist, 0.97 * lowerNyquist, lowerNyquist - 50];
    let worstDb = -Infinity;
    for (const toneHz of tonesHz) {
      const { output, latencyFrames } = resampleStreaming(sine(inRateHz, toneHz, inRateHz), inRateHz, outRateHz);
      const unwantedHz = inRateHz > outRateHz ? [fold(toneHz, outRateHz)] : [fold(inRateHz - toneHz, outRateHz), fold(inRateHz + toneHz, outRateHz)];
      for (const frequencyHz of unwantedHz) {
        const levelDb = toDb(toneAmplitude(output, frequencyHz, outRateHz, 2 * latencyFrames + 200, output.length));
        worstDb = Math.max(worstDb, levelDb);
        assert.ok(levelDb <= -60, `${toneHz} Hz tone → ${frequencyHz.toFixed(0)} Hz at ${levelDb.toFixed(1)} dB`);
      }
    }
    assert.ok(worstDb <= -60, `worst ${worstDb.toFixed(1)} dB`);
  });
}

test("a 48 → 44.1 → 48 kHz round trip gives the signal back, delayed by the two latencies", () => {
  const tones = [{ hz: 110, amplitude: 0.3 }, { hz: 1234, amplitude: 0.2 }, { hz: 5000, amplitude: 0.2 }, { hz: 15000, amplitude: 0.1 }];
  const signal = (frames: number, delay: number): Float32Array => Float32Array.from({ length: frames }, (_, n) =>
    tones.reduce((sum, t) => sum + t.amplitude * Math.sin((2 * Math.PI * t.hz * (n - delay)) / 48000), 0));
  const down = resampleStreaming(signal(96000, 0), 48000, 44100, [128]);
  const back = resampleStreaming(down.output, 44100, 48000, [117, 118]);
  // The first latency is in 44.1 kHz frames, the second in 48 kHz frames.
  const delay = (down.latencyFrames * 48000) / 44100 + back.latencyFrames;
  const expected = signal(back.output.length, delay);
  const start = 4 * back.latencyFrames + 200;
  let worst = 0;
  for (let n = start; n < back.output.length; n++) worst = Math.max(worst, Math.abs(back.output[n]! - expected[n]!));
  assert.ok(back.output.length >= 96000 - 200, `${back.output.length} frames back`);
  assert.ok(worst <= 1e-3, `worst sample error ${worst} (peak 0.8)`);
});

test("streaming output does not depend on the block sizes", () => {
  const input = sine(30000, 3000, 44100, 0.7);
  for (const { inRateHz, outRateHz } of [{ inRateHz: 44100, outRateHz: 48000 }, { inRateHz: 96000, outRateHz: 44100 }]) {
    const expected = resampleStreaming(input, inRateHz, outRateHz, [128]).output;
    for (const blocks of [[1], [7], [4096], [1, 7, 300, 13, 129, 2048]]) {
      assert.deepEqual(resampleStreaming(input, inRateHz, outRateHz, blocks).output, expected, `blocks ${blocks.join("/")}`);
    }
  }
});

test("reset returns to the freshly made state", () => {
  const resampler = new Resampler(dsp, 48000, 44100);
  const input = sine(5000, 700, 48000);
  const first = stream(dsp, resampler, input);
  resampler.reset();
  assert.deepEqual(stream(dsp, resampler, input), first);
  resampler.dispose();
});

test("resampleSignal converts a whole signal, time-aligned, ceil(n·out/in) frames long", () => {
  // A Gaussian tone burst: band-limited and silent at both ends, so its ideal resampling is known.
  const burst = (frames: number, rateHz: number): Float32Array => Float32Array.from({ length: frames }, (_, n) => {
    const t = n / rateHz - 0.05;
    return Math.exp(-0.5 * (t / 0.004) ** 2) * Math.sin(2 * Math.PI * 3000 * t);
  });
  for (const { inRateHz, outRateHz } of [{ inRateHz: 44100, outRateHz: 48000 }, { inRateHz: 96000, outRateHz: 48000 }]) {
    const input = burst(Math.round(0.1 * inRateHz) + 1, inRateHz);
    const output = resampleSignal(dsp, input, inRateHz, outRateHz);
    assert.equal(output.length, Math.ceil((input.length * outRateHz) / inRateHz));
    const expected = burst(output.length, outRateHz);
    output.forEach((y, n) => assert.ok(Math.abs(y - expected[n]!) <= 1e-3, `${inRateHz} → ${outRateHz}, frame ${n}`));
  }
});

test("memory does not grow across 100 000 process calls", () => {
  const resampler = new Resampler(dsp, 44100, 48000);
  const inBuffer = new WasmBuffer(dsp, 128);
  const outBuffer = new WasmBuffer(dsp, resampler.maxOutputFrames(128));
  inBuffer.write(sine(128, 440, 44100));
  const bytes = dsp.memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) dsp.resamplerProcess(resampler.statePtr, inBuffer.ptr, 1 + (i % 128), outBuffer.ptr);
  assert.equal(dsp.memory.buffer.byteLength, bytes);
  inBuffer.free();
  outBuffer.free();
  resampler.dispose();
});
