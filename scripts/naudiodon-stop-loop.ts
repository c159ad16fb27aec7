// Rig tool: starts and stops NaudiodonBackend on the JACK rig's device N times and times every
// native stop of every stream (naudiodon's abort: Pa_AbortStream, Pa_CloseStream, Pa_Terminate
// on a threadpool thread), including the close of a stream that failed to start. An abort that
// has not called back within --hang-ms counts as a hang; the loop then prints this process's id
// (for `gdb -p`), waits --hold-ms and stops.
//   NAMSTOMP_JACK_DEVICE=$(bash scripts/ci-jack-rig.sh start) \
//     node dist/scripts/naudiodon-stop-loop.js [--stops 50] [--run-ms 300] [--hang-ms 2000] [--hold-ms 0]
//       [--thread-priority 0] [--freeze-jackd]
// --thread-priority N: this thread at SCHED_FIFO N, like the daemon's audio worker.
// --freeze-jackd: SIGSTOPs the rig's jackd for 1.3 s every 3 s (a machine too busy for JACK),
// so some starts time out inside PortAudio: the case that used to hang the stop.
// Prints one JSON line (stops, start failures, hangs, slowest native stop in ms); exit code 1 if
// any stop hung. Leaves the rig's jackd running (never stopped) when it ends.
// Thread: main (this process owns naudiodon).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { NaudiodonBackend } from "../firmware/engine/backends/naudiodon-backend.js";
import { applyAudioThreadPriority, describeAudioThreadPriority } from "../firmware/system/realtime.js";
import { timeNativeCloses } from "../test/helpers/naudiodon-closes.js";

const { values } = parseArgs({
  options: {
    stops: { type: "string", default: "50" },
    "run-ms": { type: "string", default: "300" },
    "hang-ms": { type: "string", default: "2000" },
    "hold-ms": { type: "string", default: "0" },
    "thread-priority": { type: "string", default: "0" },
    "freeze-jackd": { type: "boolean", default: false },
  },
});
const stops = Number(values.stops);
const runMs = Number(values["run-ms"]);
const hangMs = Number(values["hang-ms"]);
const holdMs = Number(values["hold-ms"]);
const threadPriority = Number(values["thread-priority"]);
const deviceName = process.env.NAMSTOMP_JACK_DEVICE || "namstomp_jack";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (threadPriority > 0) console.error(describeAudioThreadPriority(applyAudioThreadPriority({ priority: threadPriority, cpu: null })));

// Every stream the backend opens: when its native abort began and ended (performance.now(), ms).
const aborts = await timeNativeCloses();

// A separate process freezes jackd: this thread is blocked inside PortAudio while a start waits.
let freezer: ReturnType<typeof spawn> | null = null;
if (values["freeze-jackd"]) {
  const rigDir = process.env.NAMSTOMP_JACK_RIG_DIR ?? "/tmp/namstomp-jack-rig";
  const jackdPid = Number(readFileSync(join(rigDir, "jackd.pid"), "utf8").trim());
  freezer = spawn("sh", ["-c", `trap 'kill -CONT ${jackdPid}; exit' TERM; while :; do sleep 1.7; kill -STOP ${jackdPid}; sleep 1.3; kill -CONT ${jackdPid}; done`], {
    stdio: "ignore",
  });
}

const hung = () => aborts.filter((a) => a.endedAtMs === null && performance.now() - a.startedAtMs > hangMs).length;
let startFailures = 0;
for (let i = 0; i < stops && hung() === 0; i++) {
  const backend = new NaudiodonBackend({ sampleRateHz: 48000, periodFrames: 256, deviceName, inputChannel: 0, outputChannels: 2 });
  try {
    await backend.start((_input, output) => output.fill(0));
  } catch (error) {
    startFailures++;
    console.error(`start ${i}: ${(error as Error).message}`);
    continue;
  }
  // Run for a varying time, so the stop lands at every point of the period.
  await sleep(runMs + Math.random() * runMs);
  await backend.stop();
}
// Let the last aborts finish or time out.
while (aborts.some((a) => a.endedAtMs === null) && hung() === 0) await sleep(20);
freezer?.kill("SIGTERM");
const hangs = hung();
if (hangs > 0) {
  console.error(`${hangs} native abort(s) not done after ${hangMs} ms; pid ${process.pid}`);
  if (holdMs > 0) await sleep(holdMs);
}
const slowestStopMs = Math.max(0, ...aborts.filter((a) => a.endedAtMs !== null).map((a) => a.endedAtMs! - a.startedAtMs));
console.log(JSON.stringify({ stops, streams: aborts.length, startFailures, hangs, slowestStopMs: Math.round(slowestStopMs) }));
process.exit(hangs > 0 ? 1 : 0);
