// Timing of the cab IR convolver (not a test): ns per sample for 200 ms and 500 ms IRs at 48 kHz,
// block 128, for each partition size, plus the 99th-percentile block time (the real-time budget
// is per block: partitions larger than the block put all FFT work into every n-th block).
// Run: node dist/test/dsp/chain/convolver-timing.js [simd|relaxed-simd]

import { compileDsp, instantiateDsp } from "../../../firmware/dsp/abi.js";
import { Convolver } from "../../../firmware/dsp/chain/index.js";
import type { SimdVariant } from "../../../firmware/dsp/contract.js";
import { randomSignal } from "./harness.js";

const sampleRateHz = 48000;
const blockFrames = 128;
const seconds = 4;
const rounds = 5;

const compiled = await compileDsp((process.argv[2] as SimdVariant | undefined) ?? "simd");
const dsp = instantiateDsp(compiled);
console.log(`${compiled.variant} build, ${sampleRateHz} Hz, block ${blockFrames}, best of ${rounds} × ${seconds} s`);

for (const irMs of [200, 500]) {
  const irFrames = (irMs * sampleRateHz) / 1000;
  const ir = randomSignal(irFrames, irMs).map((h, k) => h * Math.exp(-k / (0.05 * sampleRateHz)));
  const cells: string[] = [];
  for (const partitionFrames of [64, 128, 256, 512]) {
    const conv = Convolver.build(dsp, ir, { partitionFrames });
    const buffer = dsp.alloc(blockFrames * 4);
    new Float32Array(dsp.memory.buffer, buffer, blockFrames).set(randomSignal(blockFrames, 1));
    const blocks = (seconds * sampleRateHz) / blockFrames;
    const blockNs = new Float64Array(blocks);
    let bestNsPerSample = Infinity;
    let p99BlockUs = 0;
    for (let round = 0; round < rounds; round++) {
      for (let b = 0; b < blocks; b++) {
        const start = process.hrtime.bigint();
        dsp.convolverProcess(conv.statePtr, buffer, blockFrames);
        blockNs[b] = Number(process.hrtime.bigint() - start);
      }
      const nsPerSample = blockNs.reduce((sum, ns) => sum + ns, 0) / (blocks * blockFrames);
      if (nsPerSample < bestNsPerSample) {
        bestNsPerSample = nsPerSample;
        p99BlockUs = Float64Array.from(blockNs).sort()[Math.floor(blocks * 0.99)]! / 1000;
      }
    }
    dsp.free(buffer);
    conv.dispose();
    cells.push(`B=${partitionFrames}: ${bestNsPerSample.toFixed(1)} ns/sample (p99 block ${p99BlockUs.toFixed(1)} µs)`);
  }
  console.log(`${irMs} ms IR (${irFrames} taps)  ${cells.join("  ")}`);
}
