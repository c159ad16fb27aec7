// The footswitch section of config.json: one TypeBox schema gives the defaults, the validation and
// the documentation (firmware/controls/README.md shows the layouts). The config loader embeds the
// schema; resolveFootswitchConfig turns a validated section into what the service runs.

import { Type, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { PRESET_SELECT_PATTERN, simpleActions, type FootswitchAction } from "./actions.js";
import type { PressTiming } from "./press-classifier.js";

/** BCM numbers of the 40-pin header's GPIOs. 0/1 (HAT EEPROM) and 2/3 (I²C, audio HAT codecs) are left out. */
const GpioSchema = Type.Integer({ minimum: 4, maximum: 27, description: "BCM GPIO number (GPIO17 = 17), not the header pin" });

const ActionSchema = Type.Unsafe<FootswitchAction>(
  Type.String({
    pattern: `^(${simpleActions.join("|")})$|${PRESET_SELECT_PATTERN}`,
    description: `one of ${simpleActions.join(", ")} or preset-select:N (N-th preset of the bank, from 1)`,
  }),
);

const SwitchSchema = Type.Object(
  {
    gpio: GpioSchema,
    label: Type.Optional(Type.String({ maxLength: 40 })),
    short: Type.Optional(ActionSchema),
    long: Type.Optional(ActionSchema),
    repeatLong: Type.Optional(Type.Boolean({ description: "repeat the long action every repeatIntervalMs while held" })),
  },
  { additionalProperties: false },
);

const ChordSchema = Type.Object(
  {
    switches: Type.Tuple([Type.Integer({ minimum: 1, maximum: 8 }), Type.Integer({ minimum: 1, maximum: 8 })], {
      description: "two switch numbers (from 1) pressed together",
    }),
    action: ActionSchema,
  },
  { additionalProperties: false },
);

export const FootswitchConfigSchema = Type.Object(
  {
    backend: Type.Union([Type.Literal("auto"), Type.Literal("rpio"), Type.Literal("gpiod"), Type.Literal("mock")], {
      default: "auto",
      description: "auto: rpio on a Raspberry Pi 4 or older, gpiod on a Pi 5, mock elsewhere",
    }),
    layout: Type.Union([Type.Literal("2-switch"), Type.Literal("3-switch")], {
      default: "3-switch",
      description: "default mapping used when `switches` is not given",
    }),
    switches: Type.Optional(Type.Array(SwitchSchema, { maxItems: 8 })),
    chords: Type.Optional(Type.Array(ChordSchema, { maxItems: 8 })),
    debounceMs: Type.Number({ minimum: 1, maximum: 200, default: 20 }),
    longPressMs: Type.Number({ minimum: 150, maximum: 5000, default: 600 }),
    repeatIntervalMs: Type.Number({ minimum: 50, maximum: 2000, default: 200 }),
    leds: Type.Object(
      {
        active: Type.Union([GpioSchema, Type.Null()], { default: 23, description: "on = effect active, off = bypassed" }),
        tuner: Type.Union([GpioSchema, Type.Null()], { default: 24, description: "solid = in tune, fast blink = off pitch, slow blink = listening" }),
        bank: Type.Union([GpioSchema, Type.Null()], { default: null, description: "blinks on a bank change; null = the active LED blinks" }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type FootswitchConfig = Static<typeof FootswitchConfigSchema>;
export type SwitchBinding = Static<typeof SwitchSchema>;
export type ChordBinding = Static<typeof ChordSchema>;

export interface FootswitchLayout {
  switches: SwitchBinding[];
  chords: ChordBinding[];
}

/** The documented default layouts (README.md). GPIOs avoid I²S (18–21) and I²C (2–3) for audio HATs. */
export const defaultLayouts: Record<FootswitchConfig["layout"], FootswitchLayout> = {
  "2-switch": {
    switches: [
      { gpio: 17, label: "A", short: "preset-previous", long: "bypass-toggle" },
      { gpio: 27, label: "B", short: "preset-next", long: "tuner-toggle" },
    ],
    chords: [{ switches: [1, 2], action: "bank-next" }],
  },
  "3-switch": {
    switches: [
      { gpio: 17, label: "A", short: "preset-previous", long: "bank-previous", repeatLong: true },
      { gpio: 27, label: "B", short: "preset-next", long: "bank-next", repeatLong: true },
      { gpio: 22, label: "C", short: "bypass-toggle", long: "tuner-toggle" },
    ],
    chords: [],
  },
};

export interface ResolvedFootswitchConfig {
  backend: FootswitchConfig["backend"];
  layout: FootswitchLayout;
  debounceUs: number;
  timing: PressTiming;
  leds: { active: number | null; tuner: number | null; bank: number | null };
}

/** Thrown for an invalid footswitch section; the message names the field, e.g. `footswitches/switches/1/long`. */
export class FootswitchConfigError extends Error {
  override readonly name = "FootswitchConfigError";
}

/**
 * Validates a footswitch section (defaults filled in for what is missing) and resolves it:
 * the layout, times in µs, and cross-field checks (GPIOs used once, chords naming real switches).
 */
export function resolveFootswitchConfig(section: unknown, fieldPrefix = "footswitches"): ResolvedFootswitchConfig {
  const withDefaults = Value.Default(FootswitchConfigSchema, structuredClone(section ?? {}));
  const errors = [...Value.Errors(FootswitchConfigSchema, withDefaults)].slice(0, 5);
  if (errors.length > 0) {
    throw new FootswitchConfigError(errors.map((e) => `${fieldPrefix}${e.path}: ${e.message}`).join("; "));
  }
  const config = withDefaults as FootswitchConfig;
  const layout: FootswitchLayout = {
    switches: config.switches ?? defaultLayouts[config.layout].switches,
    chords: config.chords ?? (config.switches ? [] : defaultLayouts[config.layout].chords),
  };
  const owners = new Map<number, string>();
  const claim = (gpio: number | null, field: string) => {
    if (gpio === null) return;
    const owner = owners.get(gpio);
    if (owner !== undefined) throw new FootswitchConfigError(`${fieldPrefix}/${field}: GPIO${gpio} is already used by ${owner}`);
    owners.set(gpio, field);
  };
  layout.switches.forEach((binding, i) => claim(binding.gpio, `switches/${i}/gpio`));
  claim(config.leds.active, "leds/active");
  claim(config.leds.tuner, "leds/tuner");
  claim(config.leds.bank, "leds/bank");
  layout.chords.forEach((chord, i) => {
    const [first, second] = chord.switches;
    if (first === second || Math.max(first, second) > layout.switches.length) {
      throw new FootswitchConfigError(
        `${fieldPrefix}/chords/${i}/switches: needs two different switch numbers from 1 to ${layout.switches.length}, got ${first} and ${second}`,
      );
    }
  });
  return {
    backend: config.backend,
    layout,
    debounceUs: config.debounceMs * 1000,
    timing: { longPressUs: config.longPressMs * 1000, repeatIntervalUs: config.repeatIntervalMs * 1000 },
    leds: { active: config.leds.active, tuner: config.leds.tuner, bank: config.leds.bank },
  };
}
