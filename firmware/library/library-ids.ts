// How uploads are named: the id the library generates and the length of a player's name for an
// entry. Shared with the API contract (no Node imports here: the phone page bundles it).

/** 16 hex digits (64 random bits); the stored files are <id>.nam / <id>.wav and <id>.json. */
export const LIBRARY_ID_PATTERN = "^[0-9a-f]{16}$";
export const LIBRARY_NAME_MAX_LENGTH = 80;
