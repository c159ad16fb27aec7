// The one interface every audio device implementation meets (naudiodon on the Pi, the virtual
// real-time device on laptops and CI, offline rendering). Runs in the audio worker only.

export type BackendName = "naudiodon" | "virtual" | "offline";

export interface AudioBackendConfig {
  /** Device sample rate: 44100, 48000 or 96000. */
  sampleRateHz: number;
  /** Frames per period (callback): 64, 128 or 256. */
  periodFrames: number;
  /** Device name to open (substring match, case-insensitive); null = the system default. */
  deviceName: string | null;
  /** 0-based capture channel carrying the guitar. */
  inputChannel: number;
  /** 1 = mono out, 2 = the mono result duplicated to both channels. */
  outputChannels: 1 | 2;
}

/**
 * Called once per period on the audio worker thread with `periodFrames` mono input samples in
 * [-1, 1]; must fill `output` (same length, mono). Must not allocate, await or throw.
 */
export type PeriodCallback = (input: Float32Array, output: Float32Array) => void;

export interface BackendStatus {
  /** Human-readable device description, e.g. "hw:CARD=USB,DEV=0 via ALSA". */
  device: string;
  sampleRateHz: number;
  periodFrames: number;
  /** Input + output buffering the device adds, in milliseconds, as the backend knows it. */
  latencyMs: number;
  /** Underruns/overruns the device reported (or the backend detected) since start. */
  xruns: number;
}

export interface AudioBackend {
  readonly name: BackendName;
  /** Opens the device and starts calling `onPeriod`. Resolves once audio is flowing. */
  start(onPeriod: PeriodCallback): Promise<void>;
  /** Stops calling `onPeriod` and releases the device. Idempotent. */
  stop(): Promise<void>;
  status(): BackendStatus;
  /** Underruns/overruns since start, without allocating (read on the audio thread). */
  xruns(): number;
}
