// The naudiodon native addon (PortAudio): loaded lazily, once per thread, and typed here with
// just what the backend uses, so this compiles and the virtual backend runs on machines where the
// optional dependency did not build (no portaudio19-dev, macOS, Windows).
//
// naudiodon is namstomp's build of 2.3.6 (patches/naudiodon-2.3.6-namstomp.patch): linked
// against the system PortAudio on every architecture, with getStreamInfo() and latencies as
// doubles. Load it in one worker per process only (the audio worker): its native AudioIO class
// keeps one constructor reference per process, so a second thread loading it breaks the first,
// and its segfault-handler dependency is not context-aware. Its async read/write calls park
// libuv threadpool threads (shared by every thread of the process), so the process must start
// with UV_THREADPOOL_SIZE >= NAUDIODON_MIN_THREADPOOL_SIZE in its environment: setting it from
// an ES module is too late, the loader has already started the pool.
// Thread: audio worker.

/** Threadpool size the daemon's environment must set (systemd Environment=UV_THREADPOOL_SIZE=8). */
export const NAUDIODON_MIN_THREADPOOL_SIZE = 8;

/** One PortAudio device as naudiodon's getDevices() reports it (latencies in seconds). */
export interface NaudiodonDevice {
  readonly id: number;
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly defaultLowInputLatency: number;
  readonly defaultLowOutputLatency: number;
  readonly hostAPIName: string;
}

export interface NaudiodonStreamOptions {
  deviceId: number;
  sampleRate: number;
  channelCount: number;
  /** 1 = float32, 8/16/24/32 = integer of that width. */
  sampleFormat: 1 | 8 | 16 | 24 | 32;
  framesPerBuffer: number;
  /** Bytes per read/write on the JS stream: must be framesPerBuffer × channelCount × bytes per sample. */
  highwaterMark: number;
  /** Blocks the native queue holds between the PortAudio callback and JS (each way). */
  maxQueue: number;
  closeOnError: boolean;
  /** SCHED_FIFO priority for PortAudio's callback thread, taken on its first callback if allowed; 0 = leave it. */
  realtimePriority: number;
}

/** PortAudio's PaStreamInfo for the open stream (seconds, Hz) and the xrun flags counted so far. */
export interface NaudiodonStreamInfo {
  readonly inputLatency: number;
  readonly outputLatency: number;
  readonly sampleRate: number;
  readonly inputUnderflows: number;
  readonly inputOverflows: number;
  readonly outputUnderflows: number;
  readonly outputOverflows: number;
  /** SCHED_FIFO priority the callback thread got; 0 if not real-time, -1 before the first callback. */
  readonly realtimePriority: number;
}

/** The full-duplex AudioIO stream (a Node Duplex with naudiodon's extra methods). */
export interface NaudiodonDuplex {
  start(): void;
  /** Stops the stream at once, dropping queued output, and closes it. */
  abort(callback?: () => void): void;
  getStreamInfo(): NaudiodonStreamInfo;
  write(chunk: Buffer): boolean;
  readonly writableLength: number;
  on(event: "data", listener: (chunk: Buffer) => void): this;
  on(event: "error", listener: (error: unknown) => void): this;
  on(event: "end" | "close", listener: () => void): this;
  removeAllListeners(event?: string): this;
}

export interface NaudiodonModule {
  readonly SampleFormatFloat32: 1;
  getDevices(): NaudiodonDevice[];
  getHostAPIs(): { defaultHostAPI: number; HostAPIs: { name: string; defaultInput: number; defaultOutput: number }[] };
  AudioIO(options: { inOptions: NaudiodonStreamOptions; outOptions: NaudiodonStreamOptions }): NaudiodonDuplex;
}

/** The addon could not be loaded: not installed, failed to build, or a broken system PortAudio. */
export class NaudiodonUnavailableError extends Error {
  override readonly name = "NaudiodonUnavailableError";
}

// A variable, so TypeScript does not try to resolve the optional package at compile time.
const PACKAGE = "naudiodon";
let loading: Promise<NaudiodonModule> | null = null;

/** Loads naudiodon once for this thread; later calls return the same module (or the same error). */
export function loadNaudiodon(): Promise<NaudiodonModule> {
  loading ??= import(PACKAGE).then(
    (namespace: { default?: NaudiodonModule } & NaudiodonModule) => namespace.default ?? namespace,
    (error: unknown) => {
      throw new NaudiodonUnavailableError(
        `the naudiodon audio addon is not available (${(error as Error).message}); on Debian/Raspberry Pi OS: ` +
          "apt-get install portaudio19-dev, then npm rebuild naudiodon (or npm ci)",
        { cause: error },
      );
    },
  );
  return loading;
}

/** "0 "USB Audio: - (hw:1,0)" (ALSA, 2 in / 2 out)", one device per entry. */
export function describeDevices(devices: readonly NaudiodonDevice[]): string {
  if (devices.length === 0) return "(PortAudio lists no devices)";
  return devices
    .map((d) => `${d.id} ${JSON.stringify(d.name)} (${d.hostAPIName}, ${d.maxInputChannels} in / ${d.maxOutputChannels} out)`)
    .join("; ");
}

/**
 * The device to open: the one whose name contains `wanted` (case-insensitive) with enough
 * channels — an exact name first, then ALSA devices (the Pi's host API), then PortAudio's order.
 * Throws with the device list when none fits.
 */
export function chooseDevice(
  devices: readonly NaudiodonDevice[],
  wanted: string,
  inputChannels: number,
  outputChannels: number,
): NaudiodonDevice {
  const needle = wanted.toLowerCase();
  const named = devices.filter((d) => d.name.toLowerCase().includes(needle));
  if (named.length === 0) {
    throw new Error(`no audio device matches "${wanted}"; devices: ${describeDevices(devices)}`);
  }
  const usable = named.filter((d) => d.maxInputChannels >= inputChannels && d.maxOutputChannels >= outputChannels);
  if (usable.length === 0) {
    throw new Error(
      `no device matching "${wanted}" has ${inputChannels} capture and ${outputChannels} playback channels; ` +
        `matching: ${describeDevices(named)}`,
    );
  }
  const rank = (d: NaudiodonDevice) => (d.name.toLowerCase() === needle ? 0 : 2) + (d.hostAPIName === "ALSA" ? 0 : 1);
  return usable.reduce((best, d) => (rank(d) < rank(best) ? d : best));
}
