// Signal buffers: channel-major matrices (one row per channel, time along the row) that keep
// `historyFrames` past columns in front of the current chunk, for causal dilated convolutions.
// Layout of a descriptor (the control side writes it, the audio side reads and advances it):
//   +0  dataPtr         f32 rows × strideFrames
//   +4  strideFrames    columns per row (capacity)
//   +8  historyFrames   past columns a reader may reach (0 for scratch buffers)
//   +12 writeFrame      column where the current chunk starts
//   +16 rows            rows allocated (a multiple of 4)
//   +20 flags           SIGNAL_KEEP_ON_CLEAR: history survives programClear (the core's Linear)
// Linear buffers with an occasional copy-back instead of rings: every read window is contiguous,
// so the time-vectorised kernels use plain unaligned v128 loads.

export const SIGNAL_DESC_BYTES: i32 = 32;
export const SIGNAL_KEEP_ON_CLEAR: i32 = 1;

/** Frames per internal chunk; host blocks are split into chunks of at most this. */
export const CHUNK_FRAMES: i32 = 128;

// @ts-ignore: decorator
@inline export function sigData(desc: usize): usize { return load<u32>(desc); }
// @ts-ignore: decorator
@inline export function sigStrideBytes(desc: usize): usize { return (<usize>load<u32>(desc, 4)) << 2; }
// @ts-ignore: decorator
@inline export function sigHistory(desc: usize): i32 { return load<i32>(desc, 8); }
// @ts-ignore: decorator
@inline export function sigWriteFrame(desc: usize): i32 { return load<i32>(desc, 12); }
// @ts-ignore: decorator
@inline export function sigRows(desc: usize): i32 { return load<i32>(desc, 16); }

/** Address of (row, current chunk's first column). */
// @ts-ignore: decorator
@inline export function sigAt(desc: usize, row: i32): usize {
  return sigData(desc) + <usize>row * sigStrideBytes(desc) + ((<usize>sigWriteFrame(desc)) << 2);
}

/** Before a chunk: make room for CHUNK_FRAMES columns, copying the history to the front when needed. */
export function sigBeginChunk(desc: usize): void {
  const history = sigHistory(desc);
  if (history == 0) return;
  const stride = load<i32>(desc, 4);
  const write = sigWriteFrame(desc);
  if (write + CHUNK_FRAMES <= stride) return;
  const data = sigData(desc);
  const rows = sigRows(desc);
  const strideBytes = (<usize>stride) << 2;
  for (let r = 0; r < rows; r++) {
    const row = data + <usize>r * strideBytes;
    memory.copy(row, row + ((<usize>(write - history)) << 2), (<usize>history) << 2);
  }
  store<i32>(desc, history, 12);
}

/** After a chunk of `frames`: the chunk becomes history. */
export function sigEndChunk(desc: usize, frames: i32): void {
  if (sigHistory(desc) == 0) return;
  store<i32>(desc, sigWriteFrame(desc) + frames, 12);
}

/** Clears the whole buffer (history included): the core's Reset. */
export function sigClear(desc: usize): void {
  if ((load<i32>(desc, 20) & SIGNAL_KEEP_ON_CLEAR) != 0) return;
  memory.fill(sigData(desc), 0, <usize>sigRows(desc) * sigStrideBytes(desc));
  store<i32>(desc, sigHistory(desc), 12);
}
