// applyAudioThreadPriority: against a fake /proc and command runner (each outcome), and for real
// in a worker thread, checked from outside through /proc/self/task/TID.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import {
  applyAudioThreadPriority,
  applyThreadPriority,
  describeAudioThreadPriority,
  ownThreadId,
  threadIds,
  parseCpusAllowed,
  parseThreadStat,
  type AudioThreadPriorityResult,
  type RealtimeSystem,
} from "../../firmware/system/realtime.js";
import { repoRoot } from "../helpers/paths.js";

/** A /proc/PID/stat line with the given nice (19), rt_priority (40) and policy (41). */
function statLine(comm: string, nice: number, rtPriority: number, policy: number): string {
  const fields = Array.from({ length: 52 }, (_, i) => String(i + 1));
  fields[0] = "4321";
  fields[1] = `(${comm})`;
  fields[2] = "S";
  fields[18] = String(nice);
  fields[39] = String(rtPriority);
  fields[40] = String(policy);
  return `${fields.join(" ")}\n`;
}

describe("thread state parsing", () => {
  it("reads policy, priority and nice after a name holding spaces and parentheses", () => {
    assert.deepEqual(parseThreadStat(statLine("audio (worker) 1", 0, 70, 1)), { policy: "SCHED_FIFO", rtPriority: 70, nice: 0 });
    assert.deepEqual(parseThreadStat(statLine("node", -10, 0, 0)), { policy: "SCHED_OTHER", rtPriority: 0, nice: -10 });
  });

  it("reads the allowed CPUs from status", () => {
    assert.equal(parseCpusAllowed("Name:\tnode\nCpus_allowed:\t8\nCpus_allowed_list:\t3\nMems_allowed:\t1\n"), "3");
    assert.equal(parseCpusAllowed("Name:\tnode\n"), null);
  });
});

describe("applyAudioThreadPriority with a fake system", () => {
  let proc: string;
  before(async () => {
    proc = await mkdtemp(join(tmpdir(), "namstomp-proc-"));
    await mkdir(join(proc, "4321", "task", "4322"), { recursive: true });
    await mkdir(join(proc, "4321", "task", "4330"), { recursive: true });
    await symlink("4321/task/4322", join(proc, "thread-self"));
    await symlink("4321", join(proc, "self"));
  });
  after(async () => {
    await rm(proc, { recursive: true, force: true });
  });

  async function threadState(policy: number, rtPriority: number, nice: number, cpus: string): Promise<void> {
    const dir = join(proc, "4321", "task", "4322");
    await writeFile(join(dir, "stat"), statLine("node", nice, rtPriority, policy));
    await writeFile(join(dir, "status"), `Name:\tnode\nCpus_allowed_list:\t${cpus}\n`);
  }

  function fakeSystem(outcomes: Record<string, string | null>): RealtimeSystem & { calls: string[]; niced: [number, number][] } {
    const calls: string[] = [];
    const niced: [number, number][] = [];
    return {
      procRoot: proc,
      calls,
      niced,
      run(command, args) {
        calls.push([command, ...args].join(" "));
        const reason = outcomes[command] ?? null;
        return reason === null ? { ok: true } : { ok: false, reason };
      },
      setNice(tid, nice) {
        niced.push([tid, nice]);
      },
    };
  }

  it("runs chrt and taskset on its own thread id and reports what took", async () => {
    await threadState(1, 70, 0, "3");
    const system = fakeSystem({});
    const result = applyAudioThreadPriority({ priority: 70, cpu: 3 }, system);
    assert.deepEqual(system.calls, ["chrt -f -p 70 4322", "taskset -p -c 3 4322"]);
    assert.deepEqual(result, {
      tid: 4322, policy: "SCHED_FIFO", rtPriority: 70, nice: 0, cpus: "3", realtime: true, pinned: true, problems: [],
    });
    assert.equal(describeAudioThreadPriority(result), "audio thread 4322: SCHED_FIFO 70, CPUs 3");
  });

  it("falls back to nice when SCHED_FIFO is refused, and says why", async () => {
    await threadState(0, 0, -10, "0-3");
    const system = fakeSystem({ chrt: "chrt: failed to set pid 4322's policy: Operation not permitted" });
    const result = applyAudioThreadPriority({ priority: 70, cpu: null }, system);
    assert.deepEqual(system.calls, ["chrt -f -p 70 4322"]);
    assert.deepEqual(system.niced, [[4322, -10]]);
    assert.equal(result.realtime, false);
    assert.equal(result.pinned, false);
    assert.equal(result.policy, "SCHED_OTHER");
    assert.equal(result.nice, -10);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0]!, /SCHED_FIFO 70 refused \(chrt: .*Operation not permitted\): .*RLIMIT_RTPRIO ≥ 70.*LimitRTPRIO=/);
    assert.match(describeAudioThreadPriority(result), /^audio thread 4322: SCHED_OTHER nice -10, CPUs 0-3; SCHED_FIFO 70 refused/);
  });

  it("reports a failed nice fallback and a failed pinning", async () => {
    await threadState(0, 0, 0, "0-3");
    const system = fakeSystem({ chrt: "not permitted", taskset: "taskset: failed to set pid 4322's affinity: Invalid argument" });
    system.setNice = () => {
      throw new Error("EACCES");
    };
    const result = applyAudioThreadPriority({ priority: 80, cpu: 7, fallbackNice: -5 }, system);
    assert.deepEqual(result.problems.map((p) => p.split(" (")[0]), ["SCHED_FIFO 80 refused", "nice -5 refused too", "pinning to CPU 7 failed"]);
    assert.match(result.problems[1]!, /LimitNICE=/);
  });

  it("leaves what is not asked for alone and rejects out-of-range values without running anything", async () => {
    await threadState(0, 0, 0, "0-3");
    const none = fakeSystem({});
    assert.deepEqual(applyAudioThreadPriority({ priority: null, cpu: null }, none).problems, []);
    assert.deepEqual(none.calls, []);
    const bad = fakeSystem({});
    const result = applyAudioThreadPriority({ priority: 100, cpu: -1 }, bad);
    assert.deepEqual(bad.calls, []);
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]!, /100 is not an integer from 1 to 99/);
  });

  it("lists the process's threads and raises another one by its id", async () => {
    await threadState(0, 0, 0, "0-3");
    await writeFile(join(proc, "4321", "task", "4330", "stat"), statLine("node", 0, 72, 1));
    assert.deepEqual(threadIds({ procRoot: proc }), [4322, 4330]);
    assert.deepEqual(threadIds({ procRoot: join(proc, "missing") }), []);
    assert.equal(ownThreadId({ procRoot: proc }), 4322);
    const system = fakeSystem({});
    const result = applyThreadPriority(4330, { priority: 72, cpu: null }, system);
    assert.deepEqual(system.calls, ["chrt -f -p 72 4330"]);
    assert.equal(result.realtime, true);
    assert.equal(describeAudioThreadPriority(result, "PortAudio thread"), "PortAudio thread 4330: SCHED_FIFO 72, CPUs unknown");
  });

  it("says so where there is no /proc/thread-self", () => {
    const system = { ...fakeSystem({}), procRoot: join(proc, "missing") };
    const result = applyAudioThreadPriority({ priority: 70, cpu: 0 }, system);
    assert.equal(result.tid, null);
    assert.deepEqual(system.calls, []);
    assert.match(describeAudioThreadPriority(result), /not Linux\?/);
  });
});

const onLinux = existsSync("/proc/thread-self");

describe("applyAudioThreadPriority in a real worker thread", { skip: onLinux ? false : "needs Linux /proc" }, () => {
  it("changes the worker's thread only, and its result matches /proc seen from outside", async () => {
    const moduleUrl = pathToFileURL(join(repoRoot, "dist", "firmware", "system", "realtime.js")).href;
    // The worker applies the priority, reports, and waits until the main thread has looked.
    const worker = new Worker(
      `const { parentPort } = require("node:worker_threads");
       import(${JSON.stringify(moduleUrl)}).then(({ applyAudioThreadPriority }) => {
         parentPort.postMessage(applyAudioThreadPriority({ priority: 10, cpu: 0 }));
         parentPort.once("message", () => process.exit(0));
       });`,
      { eval: true },
    );
    try {
      const result = await new Promise<AudioThreadPriorityResult>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      assert.ok(result.tid !== null && result.tid !== process.pid, "a thread id of its own, not the process id");
      assert.ok(threadIds().includes(result.tid) && threadIds().includes(process.pid));
      const seen = parseThreadStat(readFileSync(`/proc/self/task/${result.tid}/stat`, "utf8"));
      const cpus = parseCpusAllowed(readFileSync(`/proc/self/task/${result.tid}/status`, "utf8"));
      assert.equal(result.policy, seen.policy);
      assert.equal(result.rtPriority, seen.rtPriority);
      assert.equal(result.cpus, cpus);
      if (result.realtime) {
        assert.deepEqual([seen.policy, seen.rtPriority], ["SCHED_FIFO", 10]);
      } else {
        // No CAP_SYS_NICE and RLIMIT_RTPRIO 0 here: refused, and the result says so.
        assert.ok(result.problems.some((p) => p.startsWith("SCHED_FIFO 10 refused")), result.problems.join("; "));
      }
      assert.equal(result.pinned, cpus === "0");
      // The main thread is untouched.
      const main = parseThreadStat(readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8"));
      assert.equal(main.policy, "SCHED_OTHER");
    } finally {
      worker.postMessage("done");
      await new Promise((resolve) => worker.once("exit", resolve));
    }
  });
});
