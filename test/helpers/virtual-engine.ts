// The real audio engine on the virtual device (48 kHz, 128 frames, mono), playing `input` looped
// and recording its last second: the one stand-in for a sound card in tests.

import type { ChainParams } from "../../firmware/engine/api.js";
import { AudioEngine, defaultEngineOptions } from "../../firmware/engine/engine.js";

export const VIRTUAL_RATE_HZ = 48000;
export const VIRTUAL_PERIOD_FRAMES = 128;

export function createVirtualEngine(input: Float32Array, params: ChainParams): AudioEngine {
  return new AudioEngine({
    ...defaultEngineOptions,
    params,
    backend: "virtual",
    device: { sampleRateHz: VIRTUAL_RATE_HZ, periodFrames: VIRTUAL_PERIOD_FRAMES, deviceName: null, inputChannel: 0, outputChannels: 1 },
    virtual: { inputSamples: input, recordFrames: VIRTUAL_RATE_HZ },
  });
}
