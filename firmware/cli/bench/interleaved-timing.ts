// Times several engines on the same input in alternating rounds, so slow phases of the machine
// (other processes, frequency scaling, thermal throttling) hit every engine alike.

export interface TimedEngine {
  process(input: Float32Array, output: Float32Array): void;
}

export interface TimingPlan {
  rounds: number;
  /** Wall-clock time each engine is measured for, split evenly over the rounds. */
  measuredSecondsPerEngine: number;
  /** Upper bound of the per-engine warm-up, which is also used to size the rounds. */
  maxWarmupSeconds: number;
}

export const DEFAULT_ROUNDS = 7;

const NS_PER_SECOND = 1e9;

/**
 * Returns, per engine, the median over the rounds of wall-clock nanoseconds per sample.
 * Each engine walks through `inputBlocks` cyclically (all blocks of equal length), so every engine
 * sees the same audio in the same order. Round order alternates (A B, B A, ...) to cancel
 * any advantage of running first.
 */
export function measureInterleaved(engines: TimedEngine[], inputBlocks: Float32Array[], plan: TimingPlan): number[] {
  const blockFrames = inputBlocks[0].length;
  const output = new Float32Array(blockFrames);
  const nextBlock = engines.map(() => 0);

  const runBlocks = (engineIndex: number, blockCount: number): number => {
    const engine = engines[engineIndex];
    let block = nextBlock[engineIndex];
    const startNs = process.hrtime.bigint();
    for (let i = 0; i < blockCount; i++) {
      engine.process(inputBlocks[block], output);
      block = block + 1 === inputBlocks.length ? 0 : block + 1;
    }
    const elapsedNs = Number(process.hrtime.bigint() - startNs);
    nextBlock[engineIndex] = block;
    return elapsedNs;
  };

  const roundNs = (plan.measuredSecondsPerEngine * NS_PER_SECOND) / plan.rounds;
  // Warm-up lets V8 tier the WASM code up to its optimised compiler; it also measures how many
  // blocks fill one round.
  const warmupNs = Math.min(plan.maxWarmupSeconds * NS_PER_SECOND, 2 * roundNs);
  const blocksPerRound = engines.map((_, engineIndex) => {
    const chunkBlocks = 8;
    let warmupBlocks = 0;
    let elapsedNs = 0;
    while (elapsedNs < warmupNs) {
      elapsedNs += runBlocks(engineIndex, chunkBlocks);
      warmupBlocks += chunkBlocks;
    }
    return Math.max(1, Math.round(roundNs / (elapsedNs / warmupBlocks)));
  });

  const nsPerSampleByRound: number[][] = engines.map(() => []);
  const forward = engines.map((_, index) => index);
  const backward = [...forward].reverse();
  for (let round = 0; round < plan.rounds; round++) {
    for (const engineIndex of round % 2 === 0 ? forward : backward) {
      const elapsedNs = runBlocks(engineIndex, blocksPerRound[engineIndex]);
      nsPerSampleByRound[engineIndex].push(elapsedNs / (blocksPerRound[engineIndex] * blockFrames));
    }
  }
  return nsPerSampleByRound.map(median);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
