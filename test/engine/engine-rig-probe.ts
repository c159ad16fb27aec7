// Test helper, run as a child process by engine-rig.test.ts: the probe that plays a stimulus into
// the pedal under test and records what the pedal plays, on the rig's namstomp_probe device
// (scripts/ci-jack-rig.sh). A separate process because naudiodon loads once per process, and the
// pedal's process already has it in its audio worker; a naudiodon stream (not a bare JACK client)
// so no extra package is needed and the probe's timing is the same kind as the pedal's.
//
// The device has two channels each way: channel 1 plays into the pedal's input and hears its
// output; channel 0 is looped straight back to the probe, so the same stream also records the
// stimulus after the probe's own round trip (which the test subtracts to get the pedal's) and
// shows any audio the probe's own side dropped or repeated.
// Thread: this process's main thread owns naudiodon.

import type { AudioBackendConfig } from "../../firmware/engine/backends/backend.js";
import { NaudiodonBackend } from "../../firmware/engine/backends/naudiodon-backend.js";

export interface ProbeRequest {
  device: string;
  sampleRateHz: number;
  periodFrames: number;
  /** Stream time before the stimulus starts, so the device's start-up is over (ms). */
  settleMs: number;
  stimulus: Float32Array;
  /** Frames recorded from the stimulus's first frame on (stimulus plus room for the round trip). */
  recordFrames: number;
}

export interface ProbeResult {
  /** Channel 1 (the pedal's output), frame k heard while stimulus frame k was played. */
  pedal: Float32Array;
  /** Channel 0 (the probe's self loop), same frames. */
  selfLoop: Float32Array;
  device: string;
  /** Xruns PortAudio reported while the stimulus played (and before, during the settle time). */
  xrunsDuringTake: number;
  xrunsBeforeTake: number;
  restarts: number;
  realtimePriority: number;
}

async function run(request: ProbeRequest): Promise<ProbeResult> {
  const { sampleRateHz, periodFrames, stimulus, recordFrames } = request;
  const config: AudioBackendConfig = { sampleRateHz, periodFrames, deviceName: request.device, inputChannel: 1, outputChannels: 2 };
  const backend = new NaudiodonBackend(config);
  // The backend hands the callback only its input channel (1); the self loop is channel 0.
  const interleaved = backend.interleavedCapture;
  const pedal = new Float32Array(recordFrames);
  const selfLoop = new Float32Array(recordFrames);
  const settleFrames = Math.ceil((request.settleMs / 1000) * sampleRateHz / periodFrames) * periodFrames;
  let frame = 0;
  let xrunsBeforeTake = -1;
  let finish: (() => void) | null = null;
  const recorded = new Promise<void>((resolve) => (finish = resolve));

  const onPeriod = (input: Float32Array, output: Float32Array): void => {
    // Frame k of the take is played and heard in the same callback, so both channels and the
    // stimulus share one clock: stimulus frame k goes out while recording frame k comes in.
    const take = frame - settleFrames;
    if (take === 0) xrunsBeforeTake = backend.xruns();
    const frames = output.length;
    for (let i = 0; i < frames; i++) {
      const k = take + i;
      output[i] = k >= 0 && k < stimulus.length ? stimulus[k]! : 0;
      if (k >= 0 && k < recordFrames) {
        pedal[k] = input[i]!;
        selfLoop[k] = interleaved[2 * i]!;
      }
    }
    frame += frames;
    if (take + frames >= recordFrames) finish?.();
  };

  await backend.start(onPeriod);
  await recorded;
  finish = null;
  const xruns = backend.xruns();
  const diagnostics = backend.diagnostics();
  const device = backend.status().device;
  await backend.stop();
  return {
    pedal,
    selfLoop,
    device,
    xrunsBeforeTake,
    xrunsDuringTake: xruns - xrunsBeforeTake,
    restarts: diagnostics.restarts,
    realtimePriority: diagnostics.realtimePriority,
  };
}

process.once("message", (request: ProbeRequest) => {
  run(request).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
  );
});
