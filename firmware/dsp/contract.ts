// The public face of the DSP core for the rest of the firmware (engine, CLI, bench).
// Everything here runs on the thread that owns the DSP instance; `process*` never allocates.

export type TanhMode = "exact" | "fast";

export type SimdVariant = "simd" | "relaxed-simd";

export interface NamDspOptions {
  /** "fast" is the official plugin's rational tanh (the pedal's default); "exact" matches the core's tools. */
  tanh: TanhMode;
  /** Largest block `reset()` prewarms with, like the core's maxBufferSize. `process` accepts any length. */
  maxBlockFrames: number;
  /** Run the core's prewarm (zeros through the model) on reset. Default true. */
  prewarm: boolean;
  /**
   * Slim ratio 0–1 for slimmable WaveNets and SlimmableContainers (the plugin's "Slim" knob);
   * null runs the core's default (full width, the last submodel). Ignored by other models.
   */
  slim: number | null;
}

/** One loaded model inside one WASM instance. Owned by one thread. */
export interface NamModelRunner {
  readonly options: NamDspOptions;
  /** Clears all state like the core's Reset, then prewarms when options.prewarm. Allocates nothing. */
  reset(): void;
  /** Runs `input` through the model into `output` (same length, any length ≥ 0). No allocation. */
  process(input: Float32Array, output: Float32Array): void;
  /** Frees the model's WASM memory. The runner must not be used afterwards. */
  dispose(): void;
}
