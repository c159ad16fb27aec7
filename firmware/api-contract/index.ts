// The one HTTP/WebSocket contract between the daemon and the phone page: TypeBox schemas (the
// server validates every input and serialises every output with them) and their static types
// (the page imports them, and nothing else from firmware/). The chain settings and presets reuse
// the schemas that define them on disk, so the API cannot drift from what is stored.

import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { simpleActions, type SimpleAction } from "../controls/actions.js";
import type { ChainParams } from "../engine/api.js";
import { ChainParamsSchema } from "../engine/params.js";
import { LIBRARY_ID_PATTERN, LIBRARY_NAME_MAX_LENGTH } from "../library/library-ids.js";
import { PresetSchema, PresetsFileSchema } from "../library/presets-schema.js";

export { ChainParamsSchema, LIBRARY_NAME_MAX_LENGTH, PresetSchema };
export type { ChainParams };
export * from "../security/auth-contract.js";

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// ── common ──────────────────────────────────────────────────────────────────────────────────

/** Every error response: `code` is stable for programs, `message` is for people; never internals. */
export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  code: Type.String(),
  /** For invalid files and bodies: the JSON path of the offending value, e.g. `config.layers[1].dilations`. */
  field: Type.Optional(Type.String()),
});
export type ApiError = Static<typeof ErrorSchema>;

/** Ids the library generates for uploads. */
export const LibraryIdSchema = Type.String({ pattern: LIBRARY_ID_PATTERN });
export const LibraryIdParams = Type.Object({ id: LibraryIdSchema });
export const PresetIdSchema = PresetSchema.properties.id;
export const PresetIdParams = Type.Object({ id: PresetIdSchema });

export const RenameBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: LIBRARY_NAME_MAX_LENGTH, pattern: "\\S" }) },
  { additionalProperties: false },
);
export type RenameRequest = Static<typeof RenameBody>;

// ── models ──────────────────────────────────────────────────────────────────────────────────

/** The family badge the picker shows. */
export const MODEL_BADGES = ["Nano", "Feather", "Lite", "Standard", "A2", "LSTM", "Custom"] as const;
export const ModelBadgeSchema = Type.Union(MODEL_BADGES.map((badge) => Type.Literal(badge)));
export type ModelBadge = Static<typeof ModelBadgeSchema>;

export const WidthCostSchema = Type.Object({
  /** Slim ratio that selects this width; null = full width. */
  slim: Nullable(Type.Number()),
  /** Channels per layer array at this width; null for models that cannot be slimmed. */
  channels: Nullable(Type.Array(Type.Integer())),
  multiplyAddsPerSample: Type.Number(),
  nsPerSample: Type.Number(),
  /** Share of every audio period the model takes on this device, %. */
  loadPercent: Type.Number(),
  fits: Type.Boolean(),
});
export type WidthCost = Static<typeof WidthCostSchema>;

export const ModelCostSchema = Type.Object({
  family: Type.Union([Type.Literal("wavenet-a1"), Type.Literal("wavenet-a2"), Type.Literal("lstm")]),
  /** No calibrated shape resembles the model: the figure is an A1-based guess. */
  approximate: Type.Boolean(),
  /** Share of the period a model may use, %. */
  budgetPercent: Type.Number(),
  /** Smallest first. */
  widths: Type.Array(WidthCostSchema),
  /** The width the pedal runs it at; null when it does not fit at all. */
  chosen: Nullable(WidthCostSchema),
  slimmed: Type.Boolean(),
  /** One sentence: the cost, the slimming, or why it does not fit and what would. */
  message: Type.String(),
});
export type ModelCost = Static<typeof ModelCostSchema>;

const NullableString = Nullable(Type.String());
const NullableNumber = Nullable(Type.Number());

export const ModelMetadataSchema = Type.Object({
  name: NullableString, modeledBy: NullableString, gearType: NullableString, gearMake: NullableString,
  gearModel: NullableString, toneType: NullableString, loudnessDb: NullableNumber, gain: NullableNumber,
  inputLevelDbu: NullableNumber, outputLevelDbu: NullableNumber, validationEsr: NullableNumber, date: NullableString,
});

export const ModelInfoSchema = Type.Object({
  id: LibraryIdSchema,
  name: Type.String(),
  originalFileName: Type.String(),
  sizeBytes: Type.Integer(),
  uploadedAt: Type.String(),
  architecture: Type.String(),
  /** describeModel's class, e.g. "a1-lite", "a2", "lstm-standard", "custom-wavenet". */
  modelClass: Type.String(),
  badge: ModelBadgeSchema,
  /** e.g. "A1 Lite", "A2 slimmable (3 sizes)", "LSTM 1×24". */
  label: Type.String(),
  weights: Type.Integer(),
  multiplyAddsPerSample: Type.Number(),
  sampleRateHz: NullableNumber,
  metadata: ModelMetadataSchema,
  cost: ModelCostSchema,
  /** Names of the presets that use it. */
  usedBy: Type.Array(Type.String()),
  playing: Type.Boolean(),
});
export type ModelInfo = Static<typeof ModelInfoSchema>;

export const ModelListSchema = Type.Object({ models: Type.Array(ModelInfoSchema) });
export type ModelList = Static<typeof ModelListSchema>;

export const SelectModelBody = Type.Object(
  {
    /** A particular width of a slimmable model (0..1); absent or null: the widest that fits. */
    slim: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  },
  { additionalProperties: false },
);
export type SelectModelRequest = Static<typeof SelectModelBody>;

// ── IRs ─────────────────────────────────────────────────────────────────────────────────────

export const IrInfoSchema = Type.Object({
  id: LibraryIdSchema,
  name: Type.String(),
  originalFileName: Type.String(),
  sizeBytes: Type.Integer(),
  uploadedAt: Type.String(),
  sampleRateHz: Type.Integer(),
  frames: Type.Integer(),
  durationMs: Type.Number(),
  usedBy: Type.Array(Type.String()),
  playing: Type.Boolean(),
});
export type IrInfo = Static<typeof IrInfoSchema>;

export const IrListSchema = Type.Object({ irs: Type.Array(IrInfoSchema) });
export type IrList = Static<typeof IrListSchema>;

// ── the live sound ──────────────────────────────────────────────────────────────────────────

/** What plays now: it starts as the active preset and changes with every edit until saved or switched. */
export const LiveSoundSchema = Type.Object({
  modelId: Nullable(Type.String()),
  /** Slim ratio the model runs at; null = full width. */
  slim: NullableNumber,
  irId: Nullable(Type.String()),
  params: ChainParamsSchema,
  bypass: Type.Boolean(),
  tuner: Type.Boolean(),
});
export type LiveSound = Static<typeof LiveSoundSchema>;

/** A chain-settings change: any subset, nested groups (gate, eq, inputCalibration) field by field. */
export type ChainParamsPatch = { [K in keyof ChainParams]?: ChainParams[K] extends object ? Partial<ChainParams[K]> : ChainParams[K] };

function patchOf(schema: typeof ChainParamsSchema) {
  // Every field optional, nested groups too; no defaults (a patch must not reset what it omits).
  const withoutDefault = (field: TSchema): TSchema => {
    const { default: _default, ...rest } = field;
    return rest as TSchema;
  };
  const properties: Record<string, TSchema> = {};
  for (const [key, field] of Object.entries(schema.properties) as [string, TSchema][]) {
    const nested = field.properties as Record<string, TSchema> | undefined;
    properties[key] = Type.Optional(nested === undefined
      ? withoutDefault(field)
      : Type.Object(Object.fromEntries(Object.entries(nested).map(([name, value]) => [name, Type.Optional(withoutDefault(value))])), { additionalProperties: false }));
  }
  return Type.Unsafe<ChainParamsPatch>(Type.Object(properties, { additionalProperties: false }));
}

export const ChainParamsPatchSchema = patchOf(ChainParamsSchema);

/** PATCH /api/params: chain settings, bypass, tuner and the slim width, each applied at once. */
export const LivePatchBody = Type.Object(
  {
    chain: Type.Optional(ChainParamsPatchSchema),
    bypass: Type.Optional(Type.Boolean()),
    tuner: Type.Optional(Type.Boolean()),
    /** Width of the playing slimmable model (0..1); null: the widest that fits. */
    slim: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  },
  { additionalProperties: false },
);
export type LivePatchRequest = Static<typeof LivePatchBody>;

/** Answer to a change of the live sound; `message` is for the player (e.g. "slimmed to 3 channels to fit…"). */
export const LiveChangeSchema = Type.Object({ live: LiveSoundSchema, message: NullableString });
export type LiveChange = Static<typeof LiveChangeSchema>;

// ── presets and banks ───────────────────────────────────────────────────────────────────────

export type Preset = Static<typeof PresetSchema>;
export const BankSchema = PresetsFileSchema.properties.banks.items;
export type Bank = Static<typeof BankSchema>;

export const PresetsOverviewSchema = Type.Object({
  presets: Type.Array(PresetSchema),
  banks: Type.Array(BankSchema),
  activePresetId: Nullable(PresetIdSchema),
  /** The bank the footswitches step through; null: none chosen. */
  activeBankId: Nullable(PresetIdSchema),
});
export type PresetsOverview = Static<typeof PresetsOverviewSchema>;

const PresetNameSchema = PresetSchema.properties.name;

export const PresetCreateBody = Type.Object(
  {
    name: PresetNameSchema,
    modelId: Type.Optional(Nullable(LibraryIdSchema)),
    slim: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
    irId: Type.Optional(Nullable(LibraryIdSchema)),
    /** Missing settings take the defaults. */
    params: Type.Optional(ChainParamsPatchSchema),
    /** Also appended to this bank. */
    bankId: Type.Optional(PresetIdSchema),
  },
  { additionalProperties: false },
);
export type PresetCreateRequest = Static<typeof PresetCreateBody>;

export const PresetUpdateBody = Type.Object(
  {
    name: Type.Optional(PresetNameSchema),
    modelId: Type.Optional(Nullable(LibraryIdSchema)),
    slim: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
    irId: Type.Optional(Nullable(LibraryIdSchema)),
    params: Type.Optional(ChainParamsPatchSchema),
  },
  { additionalProperties: false },
);
export type PresetUpdateRequest = Static<typeof PresetUpdateBody>;

export const ActivateBody = Type.Object(
  { bankId: Type.Optional(PresetIdSchema) },
  { additionalProperties: false },
);

export const BankCreateBody = Type.Object(
  { name: BankSchema.properties.name, presetIds: Type.Optional(BankSchema.properties.presetIds) },
  { additionalProperties: false },
);
export type BankCreateRequest = Static<typeof BankCreateBody>;

/** Rename, or a new order / membership of the bank's presets. */
export const BankUpdateBody = Type.Object(
  { name: Type.Optional(BankSchema.properties.name), presetIds: Type.Optional(BankSchema.properties.presetIds) },
  { additionalProperties: false },
);
export type BankUpdateRequest = Static<typeof BankUpdateBody>;

export const BankOrderBody = Type.Object(
  { bankIds: Type.Array(PresetIdSchema, { maxItems: 128 }) },
  { additionalProperties: false },
);
export type BankOrderRequest = Static<typeof BankOrderBody>;

export const BankListSchema = Type.Object({ banks: Type.Array(BankSchema) });

// ── stage actions and footswitches ──────────────────────────────────────────────────────────

/** The footswitch actions, callable from the page (the same code path as a footswitch). */
export const StageActionParams = Type.Object({ action: Type.Union(simpleActions.map((action) => Type.Literal(action))) });
export type StageAction = SimpleAction;

export const FootswitchPressParams = Type.Object({ number: Type.Integer({ minimum: 1, maximum: 8, description: "switch number, from 1" }) });
export const FootswitchPressBody = Type.Object(
  { gesture: Type.Union([Type.Literal("short"), Type.Literal("long")]) },
  { additionalProperties: false },
);
export type FootswitchPressRequest = Static<typeof FootswitchPressBody>;

export const AcceptedSchema = Type.Object({ accepted: Type.Literal(true) });

// ── status ──────────────────────────────────────────────────────────────────────────────────

export const DspLoadSchema = Type.Object({
  /** % of the period spent in the DSP over the last second. */
  mean: Type.Number(),
  p99: Type.Number(),
  max: Type.Number(),
});

export const StatusSchema = Type.Object({
  audio: Type.Object({
    backend: Type.String(),
    device: Type.String(),
    sampleRate: Type.Integer(),
    periodFrames: Type.Integer(),
    running: Type.Boolean(),
    xruns: Type.Integer(),
    deadlineMisses: Type.Integer(),
    latencyMs: Type.Number(),
    dspLoad: DspLoadSchema,
    bypass: Type.Boolean(),
    tuner: Type.Boolean(),
    /** The last fault the engine recovered from (worker restart, device loss), or null. */
    lastError: NullableString,
  }),
  preset: Nullable(Type.Object({
    id: PresetIdSchema,
    name: Type.String(),
    bankId: NullableString,
    bankName: NullableString,
    /** 1-based place in what the footswitches step through, and its length. */
    position: Nullable(Type.Integer()),
    count: Type.Integer(),
  })),
  model: Nullable(Type.Object({
    id: Type.String(),
    name: Type.String(),
    slim: NullableNumber,
    badge: Nullable(ModelBadgeSchema),
    label: NullableString,
    /** Predicted share of the period at the width it runs, %. */
    predictedLoadPercent: NullableNumber,
  })),
  ir: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  system: Type.Object({
    board: Type.String(),
    cpuTempC: NullableNumber,
    /** Any throttling (under-voltage, frequency cap, thermal) now; null where the board cannot tell. */
    throttled: Nullable(Type.Boolean()),
    /** What the firmware reports, now and since boot, in words. */
    throttleFlags: Type.Array(Type.String()),
    /** Resident memory of the daemon, MB. */
    memoryMB: Type.Number(),
    uptimeS: Type.Number(),
    version: Type.String(),
  }),
  budget: Type.Object({
    maxModelLoadPercent: Type.Number(),
    machine: Type.String(),
    calibratedAt: Type.String(),
    references: Type.Array(Type.Object({
      id: Type.String(), label: Type.String(), nsPerSample: Type.Number(), loadPercent: Type.Number(), fits: Type.Boolean(),
    })),
  }),
});
export type Status = Static<typeof StatusSchema>;

// ── WebSocket /ws (server → page only) ──────────────────────────────────────────────────────

export const MetersSchema = Type.Object({
  /** dBFS, floored at -120. */
  inputPeakDb: Type.Number(),
  outputPeakDb: Type.Number(),
  gateOpen: Type.Boolean(),
  tuner: Type.Object({
    active: Type.Boolean(),
    note: NullableString,
    cents: NullableNumber,
    frequencyHz: NullableNumber,
  }),
  /** Mean DSP load of the last second, % of the period. */
  dspLoadPercent: Type.Number(),
  xruns: Type.Integer(),
});
export type Meters = Static<typeof MetersSchema>;

/** Which list changed; the page fetches it again. */
export const LibraryKindSchema = Type.Union([Type.Literal("models"), Type.Literal("irs"), Type.Literal("presets")]);
export type LibraryKind = Static<typeof LibraryKindSchema>;

export const ServerMessageSchema = Type.Union([
  /** On connect and after every change: everything the stage view shows. */
  Type.Object({ type: Type.Literal("state"), status: StatusSchema, live: LiveSoundSchema }),
  /** 25 times a second while someone listens. */
  Type.Object({ type: Type.Literal("meters"), meters: MetersSchema }),
  Type.Object({ type: Type.Literal("library"), library: LibraryKindSchema }),
  /** Something the player should read: a footswitch action that failed, an audio fault. */
  Type.Object({ type: Type.Literal("notice"), level: Type.Union([Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")]), message: Type.String() }),
]);
export type ServerMessage = Static<typeof ServerMessageSchema>;

export const METERS_INTERVAL_MS = 40;
