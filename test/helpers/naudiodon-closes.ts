// Times the native close (naudiodon's abort: Pa_AbortStream, Pa_CloseStream, Pa_Terminate on a
// threadpool thread) of every stream opened in this process from now on, by wrapping the addon's
// AudioIO once. Used by the rig worker's stop test and scripts/naudiodon-stop-loop.ts. Thread: the
// one that owns naudiodon.

import { loadNaudiodon, type NaudiodonDuplex } from "../../firmware/engine/backends/naudiodon-addon.js";

export interface NativeClose {
  startedAtMs: number;
  /** null while the abort has not called back. */
  endedAtMs: number | null;
}

let closes: NativeClose[] | null = null;

/** The closes of every stream opened after the first call, oldest first (the same array on every call). */
export async function timeNativeCloses(): Promise<NativeClose[]> {
  if (closes !== null) return closes;
  const records: NativeClose[] = [];
  closes = records;
  const addon = await loadNaudiodon();
  const open = addon.AudioIO.bind(addon);
  addon.AudioIO = (options) => {
    const stream: NaudiodonDuplex = open(options);
    const abort = stream.abort.bind(stream);
    stream.abort = (callback) => {
      const record: NativeClose = { startedAtMs: performance.now(), endedAtMs: null };
      records.push(record);
      return abort(() => {
        record.endedAtMs = performance.now();
        callback?.();
      });
    };
    return stream;
  };
  return records;
}
