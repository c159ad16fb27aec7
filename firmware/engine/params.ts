// The chain settings' schema: one TypeBox definition gives the defaults, the validation (presets,
// config, API bodies) and the ranges. Units are in the names; tone knobs are 0..10 like the plugin.

import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import type { ChainParams } from "./api.js";

const knob = (description: string) => Type.Number({ minimum: 0, maximum: 10, default: 5, description });

export const GateParamsSchema = Type.Object({
  enabled: Type.Boolean({ default: true }),
  thresholdDb: Type.Number({ minimum: -100, maximum: 0, default: -70, description: "RMS dBFS at which the gate opens" }),
  hysteresisDb: Type.Number({ minimum: 0, maximum: 30, default: 6, description: "closes this far below the threshold" }),
  attackMs: Type.Number({ minimum: 0.1, maximum: 100, default: 1 }),
  holdMs: Type.Number({ minimum: 0, maximum: 1000, default: 30 }),
  releaseMs: Type.Number({ minimum: 1, maximum: 2000, default: 120 }),
  rangeDb: Type.Number({ minimum: -100, maximum: 0, default: -80, description: "attenuation when closed" }),
}, { additionalProperties: false });

export const ChainParamsSchema = Type.Object({
  inputTrimDb: Type.Number({ minimum: -20, maximum: 20, default: 0 }),
  inputCalibration: Type.Object({
    enabled: Type.Boolean({ default: false }),
    interfaceInputDbu: Type.Number({ minimum: -60, maximum: 60, default: 12, description: "dBu of a 0 dBFS sine at the interface input" }),
  }, { additionalProperties: false }),
  gate: GateParamsSchema,
  eq: Type.Object({
    enabled: Type.Boolean({ default: true }),
    bass: knob("low shelf 150 Hz, ±10 dB"),
    mid: knob("peak 425 Hz, ±7.5 dB"),
    treble: knob("high shelf 1.8 kHz, ±5 dB"),
    presence: knob("high shelf above the treble band"),
  }, { additionalProperties: false }),
  irEnabled: Type.Boolean({ default: true }),
  outputLevelDb: Type.Number({ minimum: -40, maximum: 40, default: 0 }),
  normalizeLoudness: Type.Boolean({ default: true }),
  limiterCeilingDb: Type.Number({ minimum: -24, maximum: -0.1, default: -1 }),
}, { additionalProperties: false });

/** The defaults every field of the schema declares. */
export function defaultChainParams(): ChainParams {
  return Value.Create(ChainParamsSchema);
}

/** Merges a partial update (nested objects merged field by field) and validates the result. */
export function mergeChainParams(base: ChainParams, update: Partial<ChainParams>): ChainParams {
  const merged = {
    ...base,
    ...update,
    inputCalibration: { ...base.inputCalibration, ...update.inputCalibration },
    gate: { ...base.gate, ...update.gate },
    eq: { ...base.eq, ...update.eq },
  };
  const error = Value.Errors(ChainParamsSchema, merged).First();
  if (error) throw new RangeError(`chain parameter ${error.path.slice(1).replaceAll("/", ".")}: ${error.message}`);
  return merged;
}
