// The auth part of the HTTP contract (bodies and answers of /api/auth/*), kept next to the plugin
// and re-exported by firmware/api-contract so the phone page can import it: no Node imports here.

import { Type, type Static } from "@sinclair/typebox";

/** A PIN's length in characters (the page can check it before sending). */
export const PIN_MIN_LENGTH = 6;
export const PIN_MAX_LENGTH = 64;

/** Why `pin` cannot be a PIN, or null; the page checks before sending, the server again. */
export function pinProblem(pin: string): string | null {
  const length = [...pin].length;
  if (length < PIN_MIN_LENGTH) return `the PIN must have at least ${PIN_MIN_LENGTH} characters`;
  if (length > PIN_MAX_LENGTH) return `the PIN must have at most ${PIN_MAX_LENGTH} characters`;
  // Control characters cannot be typed on a phone keyboard; refusing them avoids unusable PINs.
  if (/\p{Cc}/u.test(pin)) return "the PIN must not contain control characters";
  return null;
}

// Lengths in code units are checked loosely here (4 per character); pinProblem() counts characters.
const PinField = Type.String({ minLength: 1, maxLength: PIN_MAX_LENGTH * 4, description: "the admin PIN" });

/** POST /api/auth/setup (first use only) and POST /api/auth/login. */
export const PinBody = Type.Object({ pin: PinField }, { additionalProperties: false });
export type PinRequest = Static<typeof PinBody>;

/** PUT /api/auth/pin (logged in): the current PIN again, and the new one. */
export const ChangePinBody = Type.Object({ currentPin: PinField, newPin: PinField }, { additionalProperties: false });
export type ChangePinRequest = Static<typeof ChangePinBody>;

/** GET /api/auth/status, and the answer of every other auth route. */
export const AuthStatusSchema = Type.Object({
  /** An admin PIN exists; false: POST /api/auth/setup chooses one (nothing can be changed before). */
  pinSet: Type.Boolean(),
  loggedIn: Type.Boolean(),
  /** config: set in the config file (not changeable from the web); setup: chosen on first use. */
  pinSource: Type.Union([Type.Literal("config"), Type.Literal("setup"), Type.Null()]),
  /** The stored PIN cannot be read: nobody can log in until auth.json is fixed or deleted. */
  locked: Type.Boolean(),
});
export type AuthStatus = Static<typeof AuthStatusSchema>;
