// presets.json, version 1: presets (model + slim width + IR + every chain setting), banks (an
// ordered list of presets each), setlists (another order, across banks) and where the player is.
// One TypeBox schema validates and documents the file; checkPresetReferences adds what a schema
// cannot say (ids unique, references resolve). migratePresetsV0 reads the prototype's format.

import { Type, type Static } from "@sinclair/typebox";
import { ChainParamsSchema, defaultChainParams } from "../engine/params.js";
import type { FieldProblem } from "./versioned-file.js";

export const PRESETS_FILE_VERSION = 1;

const IdSchema = Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$", description: "letters, digits, - and _" });
const NameSchema = Type.String({ minLength: 1, maxLength: 64 });

export const PresetSchema = Type.Object(
  {
    id: IdSchema,
    name: NameSchema,
    /** Model library id; null = no amp model (the dry input through the rest of the chain). */
    modelId: Type.Union([IdSchema, Type.Null()]),
    /** Width a slimmable model runs at, 0..1; null = full width. */
    slim: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
    /** IR library id; null = no cabinet IR. */
    irId: Type.Union([IdSchema, Type.Null()]),
    params: ChainParamsSchema,
  },
  { additionalProperties: false },
);

const OrderedPresetsSchema = Type.Object(
  { id: IdSchema, name: NameSchema, presetIds: Type.Array(IdSchema, { maxItems: 128 }) },
  { additionalProperties: false },
);

export const PresetsFileSchema = Type.Object(
  {
    version: Type.Literal(PRESETS_FILE_VERSION),
    presets: Type.Array(PresetSchema, { maxItems: 1000 }),
    banks: Type.Array(OrderedPresetsSchema, { maxItems: 128 }),
    setlists: Type.Optional(Type.Array(OrderedPresetsSchema, { maxItems: 128 })),
    /** The preset playing; restored on boot. */
    activePresetId: Type.Union([IdSchema, Type.Null()]),
    /** The bank the footswitches step through (null: the first bank holding the active preset). */
    activeBankId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
    /** A setlist the footswitches step through instead of the bank, or null. */
    activeSetlistId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  },
  { additionalProperties: false },
);

export type Preset = Static<typeof PresetSchema>;
export type Bank = Static<typeof OrderedPresetsSchema>;
export type Setlist = Bank;
export type PresetsDocument = Static<typeof PresetsFileSchema>;

export function emptyPresetsDocument(): PresetsDocument {
  return { version: PRESETS_FILE_VERSION, presets: [], banks: [], setlists: [], activePresetId: null, activeBankId: null, activeSetlistId: null };
}

/** Ids unique per kind, and every reference pointing at something that exists. */
export function checkPresetReferences(document: PresetsDocument): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const presetIds = new Set<string>();
  document.presets.forEach((preset, i) => {
    if (presetIds.has(preset.id)) problems.push({ path: `/presets/${i}/id`, message: `duplicate preset id "${preset.id}"` });
    presetIds.add(preset.id);
  });
  const checkLists = (kind: "banks" | "setlists", lists: Bank[]) => {
    const ids = new Set<string>();
    lists.forEach((list, i) => {
      if (ids.has(list.id)) problems.push({ path: `/${kind}/${i}/id`, message: `duplicate id "${list.id}"` });
      ids.add(list.id);
      list.presetIds.forEach((presetId, j) => {
        if (!presetIds.has(presetId)) problems.push({ path: `/${kind}/${i}/presetIds/${j}`, message: `no preset with id "${presetId}"` });
      });
    });
    return ids;
  };
  const bankIds = checkLists("banks", document.banks);
  const setlistIds = checkLists("setlists", document.setlists ?? []);
  if (document.activePresetId !== null && !presetIds.has(document.activePresetId)) {
    problems.push({ path: "/activePresetId", message: `no preset with id "${document.activePresetId}"` });
  }
  if (document.activeBankId != null && !bankIds.has(document.activeBankId)) {
    problems.push({ path: "/activeBankId", message: `no bank with id "${document.activeBankId}"` });
  }
  if (document.activeSetlistId != null && !setlistIds.has(document.activeSetlistId)) {
    problems.push({ path: "/activeSetlistId", message: `no setlist with id "${document.activeSetlistId}"` });
  }
  return problems;
}

/**
 * Version 0, the prototype's unversioned file: flat settings per preset, banks listing presets by
 * position, the active preset by position.
 *   { "presets": [{ "name", "model": id, "ir": id | null, "gain": dB, "level": dB,
 *                   "gate": thresholdDb | null, "bass", "mid", "treble": 0..10, "normalize": bool }],
 *     "banks": [{ "name", "presets": [index, …] }], "current": index | null }
 * Presets get ids p1, p2… and banks b1, b2… by position; missing fields take the defaults.
 */
export function migratePresetsV0(v0: Record<string, unknown>): Record<string, unknown> {
  const defaults = defaultChainParams();
  const presets = Array.isArray(v0.presets) ? (v0.presets as Record<string, unknown>[]) : [];
  const banks = Array.isArray(v0.banks) ? (v0.banks as Record<string, unknown>[]) : [];
  const number = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
  const idOf = (index: unknown) => (typeof index === "number" && Number.isInteger(index) ? `p${index + 1}` : `p${String(index)}`);
  return {
    version: 1,
    presets: presets.map((old, i) => ({
      id: `p${i + 1}`,
      name: old.name,
      modelId: old.model ?? null,
      slim: null,
      irId: old.ir ?? null,
      params: {
        ...defaults,
        inputTrimDb: number(old.gain, defaults.inputTrimDb),
        outputLevelDb: number(old.level, defaults.outputLevelDb),
        normalizeLoudness: typeof old.normalize === "boolean" ? old.normalize : defaults.normalizeLoudness,
        gate: typeof old.gate === "number" ? { ...defaults.gate, enabled: true, thresholdDb: old.gate } : { ...defaults.gate, enabled: false },
        eq: { ...defaults.eq, bass: number(old.bass, 5), mid: number(old.mid, 5), treble: number(old.treble, 5) },
      },
    })),
    banks: banks.map((old, i) => ({
      id: `b${i + 1}`,
      name: old.name,
      presetIds: Array.isArray(old.presets) ? old.presets.map(idOf) : old.presets,
    })),
    setlists: [],
    activePresetId: v0.current === null || v0.current === undefined ? null : idOf(v0.current),
    activeBankId: null,
    activeSetlistId: null,
  };
}
