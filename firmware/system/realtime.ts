// Best-effort real-time scheduling and CPU pinning for the calling thread: the audio worker calls
// applyAudioThreadPriority() once, on its own thread, before it starts the audio stream.
//
// Node has no sched_setscheduler or sched_setaffinity, so util-linux's chrt and taskset do it
// from a child process, aimed at this thread's kernel thread id (read from /proc/thread-self,
// which names the calling thread: "PID/task/TID"). A TID affects that one thread, not the
// process: the main thread, libuv's pool and V8's helper threads stay SCHED_OTHER, so a slow model
// load or a JSON parse can never starve the system. The kernel allows it for a thread of the same
// user when the process's RLIMIT_RTPRIO (the unit's LimitRTPRIO=) is at least the priority, and
// the affinity to any CPU, an isolcpus= one included. When SCHED_FIFO is refused the thread falls
// back to a lower nice value (needs RLIMIT_NICE, the unit's LimitNICE=).
//
// applyThreadPriority does the same for another thread of the process: threadIds() listed before
// and after the stream opens finds the audio library's own threads (PortAudio's callback thread,
// which naudiodon blocks on every period), which can be raised too.
//
// Never throws, logs nothing: it returns what the thread ended up with, read back from /proc, and
// the problems in words for the caller to log (the worker posts them to the main thread).
// The unit sets LimitRTTIME=1s: a SCHED_FIFO thread that computes for a second without a blocking
// call gets SIGXCPU. So call it after the DSP is instantiated, right before the stream starts.
// Thread: any; meant for the audio worker's thread. Linux only (elsewhere it reports tid null).

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/** SCHED_FIFO priority for the audio thread unless configured: above PREEMPT_RT's IRQ threads (50), under the unit's LimitRTPRIO (90). */
export const DEFAULT_AUDIO_RT_PRIORITY = 70;

export interface AudioThreadPriorityRequest {
  /** SCHED_FIFO priority, 1–99; null leaves the scheduling policy alone. */
  priority: number | null;
  /** CPU to pin the thread to (e.g. one kept free with isolcpus=); null leaves the affinity alone. */
  cpu: number | null;
  /** Nice value (-20…19) to set when SCHED_FIFO is refused; null for none. Default -10. */
  fallbackNice?: number | null;
}

export type SchedulingPolicy = "SCHED_OTHER" | "SCHED_FIFO" | "SCHED_RR" | "SCHED_BATCH" | "SCHED_IDLE" | "SCHED_DEADLINE";

export interface AudioThreadPriorityResult {
  /** Kernel thread id of the calling thread; null where /proc/thread-self is missing (not Linux). */
  tid: number | null;
  /** The thread's scheduling afterwards, read back from /proc (null when unreadable). */
  policy: SchedulingPolicy | null;
  /** Real-time priority afterwards (0 for SCHED_OTHER). */
  rtPriority: number | null;
  nice: number | null;
  /** CPUs the thread may run on afterwards, as the kernel lists them ("0-3", "3"). */
  cpus: string | null;
  /** SCHED_FIFO at the requested priority is in force. */
  realtime: boolean;
  /** The thread runs on the requested CPU only. */
  pinned: boolean;
  /** What did not work, one sentence each, for the log. Empty when everything requested took. */
  problems: string[];
}

/** How the function reaches the system (tests replace it). */
export interface RealtimeSystem {
  /** Root of procfs. */
  procRoot: string;
  /** Runs a command to completion: ok, or a one-line reason. */
  run(command: string, args: readonly string[]): { ok: true } | { ok: false; reason: string };
  /** setpriority(PRIO_PROCESS, tid, nice): on Linux a thread id names one thread. */
  setNice(tid: number, nice: number): void;
}

export const linuxSystem: RealtimeSystem = {
  procRoot: "/proc",
  run(command, args) {
    const result = spawnSync(command, [...args], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], timeout: 5000 });
    if (result.error) {
      const code = (result.error as NodeJS.ErrnoException).code;
      return { ok: false, reason: code === "ENOENT" ? `${command} not found (Debian package util-linux)` : result.error.message };
    }
    if (result.status === 0) return { ok: true };
    return { ok: false, reason: result.stderr.trim().split("\n")[0] || `${command} exited with ${result.signal ?? `code ${result.status}`}` };
  },
  setNice: (tid, nice) => setPriority(tid, nice),
};

const POLICY_NAMES: readonly SchedulingPolicy[] = ["SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_IDLE", "SCHED_DEADLINE"];

interface ThreadState {
  policy: SchedulingPolicy | null;
  rtPriority: number | null;
  nice: number | null;
  cpus: string | null;
}

/** Parses /proc/…/stat (fields after the parenthesised name: nice is field 19, rt_priority 40, policy 41). */
export function parseThreadStat(stat: string): Pick<ThreadState, "policy" | "rtPriority" | "nice"> {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state).
  const field = (n: number) => Number(fields[n - 3]);
  const policy = field(41);
  return {
    policy: Number.isInteger(policy) ? (POLICY_NAMES[policy] ?? null) : null,
    rtPriority: Number.isInteger(field(40)) ? field(40) : null,
    nice: Number.isInteger(field(19)) ? field(19) : null,
  };
}

/** "Cpus_allowed_list:\t0-3" from /proc/…/status. */
export function parseCpusAllowed(status: string): string | null {
  return /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status)?.[1] ?? null;
}

function readThreadState(dir: string): ThreadState {
  let state: ThreadState = { policy: null, rtPriority: null, nice: null, cpus: null };
  try {
    state = { ...state, ...parseThreadStat(readFileSync(`${dir}/stat`, "utf8")) };
  } catch {
    // Reported as unknown (null).
  }
  try {
    state.cpus = parseCpusAllowed(readFileSync(`${dir}/status`, "utf8"));
  } catch {
    // Reported as unknown (null).
  }
  return state;
}

/** The calling thread's kernel id, from the /proc/thread-self link ("PID/task/TID"). */
export function ownThreadId(system: Pick<RealtimeSystem, "procRoot"> = linuxSystem): number | null {
  try {
    const match = /(?:^|\/)task\/(\d+)$/.exec(readlinkSync(`${system.procRoot}/thread-self`));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Kernel ids of this process's threads (/proc/self/task). Listing them before and after opening
 * the audio stream finds the threads the audio library started (PortAudio's callback thread),
 * which applyThreadPriority can raise too. Empty where there is no /proc.
 */
export function threadIds(system: Pick<RealtimeSystem, "procRoot"> = linuxSystem): number[] {
  try {
    return readdirSync(`${system.procRoot}/self/task`).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/**
 * Gives the calling thread SCHED_FIFO at `priority` and pins it to `cpu`, as far as the system
 * allows. Call it once from the audio worker's thread before the stream starts (it runs two
 * short child processes). Never throws.
 */
export function applyAudioThreadPriority(request: AudioThreadPriorityRequest, system: RealtimeSystem = linuxSystem): AudioThreadPriorityResult {
  const tid = ownThreadId(system);
  if (tid === null) {
    return {
      tid: null, policy: null, rtPriority: null, nice: null, cpus: null, realtime: false, pinned: false,
      problems: [`no ${system.procRoot}/thread-self (not Linux?): audio thread priority left as it is`],
    };
  }
  return applyThreadPriority(tid, request, system);
}

/** The same for thread `tid` of this process (e.g. one from threadIds()). Never throws. */
export function applyThreadPriority(tid: number, request: AudioThreadPriorityRequest, system: RealtimeSystem = linuxSystem): AudioThreadPriorityResult {
  const problems: string[] = [];
  const { priority, cpu } = request;
  const fallbackNice = request.fallbackNice === undefined ? -10 : request.fallbackNice;

  if (priority !== null) {
    if (!Number.isInteger(priority) || priority < 1 || priority > 99) {
      problems.push(`real-time priority ${priority} is not an integer from 1 to 99: left as it is`);
    } else {
      const result = system.run("chrt", ["-f", "-p", String(priority), String(tid)]);
      if (!result.ok) {
        problems.push(
          `SCHED_FIFO ${priority} refused (${result.reason}): the process needs RLIMIT_RTPRIO ≥ ${priority} ` +
            "(the unit's LimitRTPRIO=, or rtprio in /etc/security/limits.d for the user)",
        );
        if (fallbackNice !== null) {
          try {
            system.setNice(tid, fallbackNice);
          } catch (error) {
            problems.push(`nice ${fallbackNice} refused too (${(error as Error).message}): the unit's LimitNICE= allows it`);
          }
        }
      }
    }
  }

  if (cpu !== null) {
    if (!Number.isInteger(cpu) || cpu < 0) {
      problems.push(`audio CPU ${cpu} is not a CPU number: affinity left as it is`);
    } else {
      const result = system.run("taskset", ["-p", "-c", String(cpu), String(tid)]);
      if (!result.ok) problems.push(`pinning to CPU ${cpu} failed (${result.reason})`);
    }
  }

  const state = readThreadState(`${system.procRoot}/self/task/${tid}`);
  return {
    tid,
    ...state,
    realtime: priority !== null && state.policy === "SCHED_FIFO" && state.rtPriority === priority,
    pinned: cpu !== null && state.cpus === String(cpu),
    problems,
  };
}

/** One log line for a result. */
export function describeAudioThreadPriority(result: AudioThreadPriorityResult, label = "audio thread"): string {
  if (result.tid === null) return `${label}: ${result.problems.join("; ")}`;
  const scheduling = result.policy === null ? "scheduling unknown"
    : result.policy === "SCHED_FIFO" || result.policy === "SCHED_RR" ? `${result.policy} ${result.rtPriority}`
    : `${result.policy} nice ${result.nice}`;
  const text = `${label} ${result.tid}: ${scheduling}, CPUs ${result.cpus ?? "unknown"}`;
  return result.problems.length === 0 ? text : `${text}; ${result.problems.join("; ")}`;
}
