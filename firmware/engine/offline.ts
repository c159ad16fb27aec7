// Renders the whole chain offline through the code the pedal runs: ChainRuntime on the offline
// backend, in the calling thread. Used by `namstomp render --ir/--chain` and by tests.

import { compileDsp, instantiateDsp } from "../dsp/abi.js";
import type { TanhMode } from "../dsp/contract.js";
import type { NamModel } from "../nam/model.js";
import { prepareIr, type IrOptions, type IrRecording } from "../ir/prepare.js";
import type { ChainParams } from "./api.js";
import { OfflineBackend } from "./backends/offline-backend.js";
import { ChainRuntime } from "./chain-runtime.js";
import { prepareModel } from "./prepare-model.js";

export interface OfflineRenderRequest {
  input: Float32Array;
  sampleRateHz: number;
  periodFrames: number;
  params: ChainParams;
  tanh: TanhMode;
  model: { model: NamModel; name: string; slim: number | null } | null;
  ir: { recording: IrRecording; name: string; options: Omit<IrOptions, "deviceRateHz"> } | null;
  bypass?: boolean;
}

export async function renderChainOffline(request: OfflineRenderRequest): Promise<Float32Array> {
  const dsp = instantiateDsp(await compileDsp());
  const device = { sampleRateHz: request.sampleRateHz, periodFrames: request.periodFrames };
  const runtime = new ChainRuntime(dsp, { sampleRateHz: request.sampleRateHz, maxFrames: request.periodFrames }, request.params);
  try {
    if (request.model) {
      const { model, name, slim } = request.model;
      runtime.loadModel(prepareModel({ id: name, name, model, slim }, device, request.tanh), () => {});
    }
    if (request.ir) {
      const samples = prepareIr(dsp, request.ir.recording, { ...request.ir.options, deviceRateHz: request.sampleRateHz }, request.ir.name);
      runtime.loadIr({ slot: { id: request.ir.name, name: request.ir.name, slim: null }, samples }, () => {});
    }
    runtime.settle();
    runtime.setBypass(request.bypass ?? false, true);
    const backend = new OfflineBackend(
      { sampleRateHz: request.sampleRateHz, periodFrames: request.periodFrames, deviceName: null, inputChannel: 0, outputChannels: 1 },
      request.input,
    );
    await backend.start((input, output) => runtime.process(input, output));
    return backend.output;
  } finally {
    runtime.dispose();
  }
}
