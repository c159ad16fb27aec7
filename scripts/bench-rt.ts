// `npm run bench:rt`: the pedal's real-time behaviour while the main thread is as busy as a
// pedal's can get. The engine runs the virtual device at 48 kHz / 128 frames with A1 Lite and a
// 200 ms IR; meanwhile the main thread serves HTTP requests from a local client, parses a 400 kB
// `.nam` file over and over, and churns garbage; every 5 s it switches to another 500 ms IR. Prints
// DSP load percentiles (% of the period), deadline misses, xruns and the IR switch times (command
// → new IR audible, goal ≤ 30 ms). Goal: zero misses, p99.9 block time ≤ 30 % of the period.
// First, on the main thread, the cost of building a 500 ms IR's convolver: the worst single build
// step (what one gap between periods must absorb) and the whole build (what used to run at once).
// Usage: node dist/scripts/bench-rt.js [--seconds 60]

import { existsSync, readFileSync } from "node:fs";
import { createServer, request, Agent } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compileDsp, instantiateDsp } from "../firmware/dsp/abi.js";
import { ConvolverBuild } from "../firmware/dsp/chain/index.js";
import { AudioEngine, defaultEngineOptions } from "../firmware/engine/engine.js";
import { parseNamText } from "../firmware/nam/load.js";
import { findPackageRoot } from "../firmware/cli/package-root.js";

const RATE = 48000;
const PERIOD = 128;
const { values } = parseArgs({ options: { seconds: { type: "string", default: "60" } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error(`--seconds must be a positive number, got ${values.seconds}`);

const root = findPackageRoot().directory;
const shared = join(root, "..", "shared", "nam-reference");
const litePath = join(shared, "models", "lite_dirtytree_dt33.nam");
const modelPath = existsSync(litePath) ? litePath : join(root, "test", "fixtures", "reference", "models", "synth_feather_v070.nam");
const bigModelText = readFileSync(join(root, "test", "fixtures", "reference", "models", "standard_core_a1.nam"), "utf8");
const diPath = join(shared, "signals", "guitar_di_a.f32");
const di = existsSync(diPath)
  ? new Float32Array(readFileSync(diPath).buffer.slice(0))
  : Float32Array.from({ length: RATE }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 110 * i) / RATE) * Math.exp(-(i % 12000) / 4000));

// A 200 ms cab-like IR: decaying noise, deterministic.
let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const ir = Float32Array.from({ length: 0.2 * RATE }, (_, i) => random() * Math.exp(-i / 1500));
const longIrs = [0, 1].map(() => Float32Array.from({ length: 0.5 * RATE }, (_, i) => random() * Math.exp(-i / 3000)));

// The build of a 500 ms IR in the worker's steps (setup, then the partition FFTs), timed here.
const buildDsp = instantiateDsp(await compileDsp());
for (const periodFrames of [64, 128]) {
  // Pieces the worker runs separately between periods: the setup (constructor), then each step.
  const pieceUs: number[] = [];
  const totalsUs: number[] = [];
  let pieces = 0;
  for (let round = 0; round < 50; round++) {
    const times: number[] = [];
    let started = performance.now();
    const build = new ConvolverBuild(buildDsp, longIrs[round % 2]!, { blockFrames: periodFrames });
    times.push((performance.now() - started) * 1000);
    while (!build.done) {
      started = performance.now();
      build.step();
      times.push((performance.now() - started) * 1000);
    }
    build.finish().dispose();
    pieces = times.length;
    // Round 0 warms the JIT up.
    if (round === 0) continue;
    pieceUs.push(...times);
    totalsUs.push(times.reduce((sum, us) => sum + us, 0));
  }
  process.stderr.write(
    `500 ms IR build at ${RATE / 1000} kHz, period ${periodFrames}: setup + ${pieces - 1} steps; step worst ` +
      `${percentile(pieceUs, 1).toFixed(1)} µs, p99 ${percentile(pieceUs, 0.99).toFixed(1)} µs; whole build ` +
      `${(percentile(totalsUs, 0.5) / 1000).toFixed(3)} ms median, ${(percentile(totalsUs, 1) / 1000).toFixed(3)} ms max (49 builds)\n`,
  );
}

const engine = new AudioEngine({
  ...defaultEngineOptions,
  backend: "virtual",
  device: { sampleRateHz: RATE, periodFrames: PERIOD, deviceName: null, inputChannel: 0, outputChannels: 2 },
  virtual: { inputSamples: di, recordFrames: 0 },
});
engine.on("notice", (_level, message) => process.stderr.write(`engine: ${message}\n`));
await engine.start();
await engine.loadModel({ id: "model", name: modelPath, model: parseNamText(readFileSync(modelPath, "utf8"), modelPath), slim: null });
await engine.loadIr({ id: "ir", name: "200 ms IR", samples: ir, sampleRateHz: RATE });

// Main-thread load: an HTTP server and a client keeping 4 requests in flight.
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const parsed = body ? JSON.parse(body) : {};
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: engine.status(), meters: engine.meters(), echo: parsed }));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
let requests = 0;
let running = true;
const payload = JSON.stringify({ params: engine.params(), filler: "x".repeat(2000) });
function fire(): void {
  if (!running) return;
  const req = request({ host: "127.0.0.1", port, method: "POST", path: "/api/params", agent }, (res) => {
    res.resume();
    res.on("end", () => {
      requests++;
      fire();
    });
  });
  req.end(payload);
}
for (let i = 0; i < 4; i++) fire();
let parses = 0;
const parser = setInterval(() => {
  parseNamText(bigModelText, "standard.nam");
  parses++;
}, 100);
let garbage: number[][] = [];
const churn = setInterval(() => {
  garbage = Array.from({ length: 200 }, () => Array.from({ length: 500 }, Math.random));
}, 20);

// IR switches: the engine resolves loadIr when the new IR starts fading in (audible).
const irSwitchMs: number[] = [];
let switching = Promise.resolve();
const switcher = setInterval(() => {
  switching = switching.then(async () => {
    const started = performance.now();
    await engine.loadIr({ id: `long${irSwitchMs.length % 2}`, name: "500 ms IR", samples: longIrs[irSwitchMs.length % 2]!, sampleRateHz: RATE });
    irSwitchMs.push(performance.now() - started);
  });
}, 5000);

const startedAt = performance.now();
const startBeat = engine.heartbeat();
process.stderr.write(`bench:rt — virtual device ${RATE / 1000} kHz / ${PERIOD} frames, ${modelPath.split("/").pop()} + 200 ms IR, ${seconds} s, main thread loaded\n`);
process.stderr.write("  t(s)  load mean  p99    max    misses  xruns  http req  .nam parses\n");
for (let t = 5; t <= seconds; t += 5) {
  await new Promise((resolve) => setTimeout(resolve, startedAt + t * 1000 - performance.now()));
  const s = engine.status();
  process.stderr.write(
    `  ${String(t).padStart(4)}  ${s.dspLoad.mean.toFixed(1).padStart(8)}%  ${s.dspLoad.p99.toFixed(1).padStart(4)}%  ` +
      `${s.dspLoad.max.toFixed(1).padStart(4)}%  ${String(s.deadlineMisses).padStart(6)}  ${String(s.xruns).padStart(5)}  ` +
      `${String(requests).padStart(8)}  ${String(parses).padStart(11)}\n`,
  );
}
running = false;
clearInterval(parser);
clearInterval(churn);
clearInterval(switcher);
await switching;
void garbage;
const elapsedS = (performance.now() - startedAt) / 1000;
const periods = engine.heartbeat() - startBeat;
const status = engine.status();
const summary = {
  seconds: elapsedS,
  periods,
  periodsExpected: Math.round((elapsedS * RATE) / PERIOD),
  dspLoadPercent: {
    p50: engine.loadPercentile(0.5),
    p99: engine.loadPercentile(0.99),
    p999: engine.loadPercentile(0.999),
    max: engine.loadPercentile(1),
  },
  deadlineMisses: status.deadlineMisses,
  xruns: status.xruns,
  httpRequests: requests,
  namParses: parses,
  irSwitchMs: { count: irSwitchMs.length, median: percentile(irSwitchMs, 0.5), max: percentile(irSwitchMs, 1) },
};
await engine.stop();
agent.destroy();
server.close();
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
process.stderr.write(
  `p99.9 block time ${summary.dspLoadPercent.p999.toFixed(2)} % of the period (goal ≤ 30 %), ` +
    `${summary.deadlineMisses} deadline misses, ${summary.xruns} xruns (goal 0); ${irSwitchMs.length} switches to a ` +
    `500 ms IR, command → audible ${summary.irSwitchMs.median.toFixed(1)} ms median, ${summary.irSwitchMs.max.toFixed(1)} ms max (goal ≤ 30)\n`,
);

function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
