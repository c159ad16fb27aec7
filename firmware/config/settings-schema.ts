// Every setting of the daemon, in one TypeBox schema: it gives the defaults, the validation and
// the documentation. config.json (in the data directory, or --config FILE) holds any subset of it;
// what is missing takes the default; an unknown or invalid setting stops the start.
// Sections: server, audio, ir, budget, controls; the footswitch part is the controls' own schema.

import { Type, type Static, type TLiteral, type TUnion } from "@sinclair/typebox";
import { FootswitchConfigSchema } from "../controls/footswitch-config.js";

/** Bump when a setting is renamed or its meaning changes, and add a step to SETTINGS_MIGRATIONS. */
export const SETTINGS_VERSION = 1;

/** Where the data lives when neither --data, NAMSTOMP_DATA_DIR nor the config file says (the Pi's unit sets /var/lib/namstomp). */
export const DEFAULT_DATA_DIR = "./data";

function oneOf<const Values extends readonly (string | number)[]>(values: Values, defaultValue: Values[number], description: string) {
  const literals = values.map((value) => Type.Literal(value));
  return Type.Union(literals, { default: defaultValue, description }) as unknown as TUnion<TLiteral<Values[number]>[]>;
}

export const AUDIO_BACKEND_CHOICES = ["auto", "naudiodon", "virtual"] as const;

export const ServerSettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: "0.0.0.0", description: "address to listen on (0.0.0.0: every interface, e.g. the Pi's Wi-Fi)" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: "HTTP and WebSocket port (0: any free port)" }),
    logLevel: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info", "pino log level"),
    maxModelUploadMiB: Type.Integer({ minimum: 1, maximum: 64, default: 64, description: "largest .nam upload accepted, MiB" }),
    maxIrUploadMiB: Type.Integer({ minimum: 1, maximum: 32, default: 32, description: "largest IR WAV upload accepted, MiB" }),
  },
  { additionalProperties: false, default: {} },
);

export const AudioSettingsSchema = Type.Object(
  {
    backend: oneOf(AUDIO_BACKEND_CHOICES, "auto", "auto: the sound card through naudiodon when one is found, else the virtual device"),
    sampleRateHz: oneOf([44100, 48000, 96000], 48000, "device sample rate, Hz"),
    periodFrames: oneOf([64, 128, 256], 128, "frames per audio period (callback)"),
    deviceName: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "sound card to open (substring of its name, case-insensitive); null: the system default",
    }),
    inputChannel: Type.Integer({ minimum: 0, maximum: 31, default: 0, description: "0-based capture channel carrying the guitar" }),
    outputChannels: oneOf([1, 2], 2, "1: mono out; 2: the mono result on both channels"),
    tanh: oneOf(["fast", "exact"], "fast", "tanh flavour of the models: fast (the NAM plugin's) or exact"),
    virtualInputWav: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "virtual device only: a WAV at the device rate (a DI recording) played in a loop as the guitar; null: silence",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const IrSettingsSchema = Type.Object(
  {
    maxLengthMs: Type.Number({ minimum: 10, maximum: 2000, default: 500, description: "longer IRs are cut (with a short fade), ms" }),
    stereo: oneOf(["mix", "left"], "mix", "stereo IR files: mix both channels or take the left"),
  },
  { additionalProperties: false, default: {} },
);

export const BudgetSettingsSchema = Type.Object(
  {
    maxModelLoadPercent: Type.Number({
      minimum: 1,
      maximum: 95,
      default: 60,
      description: "share of the audio period one model may use; the rest is for the IR, gate, EQ and the system, %",
    }),
    calibrationMsPerShape: Type.Integer({
      minimum: 10,
      maximum: 5000,
      default: 200,
      description: "measured time per reference model shape when the pedal calibrates its DSP speed, ms",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ControlsSettingsSchema = Type.Object(
  {
    footswitches: { ...FootswitchConfigSchema, default: {} },
    keyboard: Type.Boolean({ default: true, description: "in a terminal, keys 1–9 press the footswitches (development)" }),
  },
  { additionalProperties: false, default: {} },
);

export const SecuritySettingsSchema = Type.Object(
  {
    pinHash: Type.Union([Type.String({ minLength: 1, maxLength: 512 }), Type.Null()], {
      default: null,
      description: "admin PIN as a salted scrypt hash (`namstomp hash-pin`); null: chosen in the web UI on first use and kept in <data>/auth.json",
    }),
    hostnames: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      default: [],
      maxItems: 16,
      description: "names the pedal answers to besides IP addresses, localhost and *.local (e.g. a router's DNS name); others get 421",
    }),
  },
  { additionalProperties: false, default: {} },
);

export const SettingsSchema = Type.Object(
  {
    version: Type.Literal(SETTINGS_VERSION, { default: SETTINGS_VERSION }),
    dataDir: Type.String({ minLength: 1, default: DEFAULT_DATA_DIR, description: "models/, irs/, presets.json, calibration cache" }),
    server: ServerSettingsSchema,
    audio: AudioSettingsSchema,
    ir: IrSettingsSchema,
    budget: BudgetSettingsSchema,
    controls: ControlsSettingsSchema,
    security: SecuritySettingsSchema,
  },
  { additionalProperties: false },
);

export type Settings = Static<typeof SettingsSchema>;
export type AudioBackendChoice = Settings["audio"]["backend"];
