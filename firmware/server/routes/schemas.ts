// Response schemas every route repeats: the error body for each client status it can answer,
// plus 500 (every route can fail internally).

import { Type } from "@sinclair/typebox";
import { ErrorSchema } from "../../api-contract/index.js";

export function errorResponses<const Codes extends readonly number[]>(...codes: Codes) {
  const responses: Record<number, typeof ErrorSchema> = { 500: ErrorSchema };
  for (const code of codes) responses[code] = ErrorSchema;
  return responses as { [K in Codes[number] | 500]: typeof ErrorSchema };
}

export const NoContent = Type.Null({ description: "no body" });
