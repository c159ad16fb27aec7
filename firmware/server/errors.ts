// The one error handler: every failure becomes an ApiError body. Problems with what the client
// sent (invalid files, bodies, unknown ids, models over the budget) keep their message — it is
// written for the player; anything else is a 500 whose details go to the log only.

import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import type { ApiError } from "../api-contract/index.js";
import { OverBudgetError } from "../budget/model-budget.js";
import { IrFileError } from "../ir/prepare.js";
import { PresetStoreError } from "../library/presets.js";
import { LibraryError, type LibraryErrorCode } from "../library/upload-library.js";
import { NamFileError } from "../nam/index.js";
import { WavFileError } from "../util/wav.js";

/** A refusal a route decides itself (unknown id, conflict). */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(readonly statusCode: number, readonly code: string, message: string) {
    super(message);
  }
}

export const notFound = (message: string) => new HttpError(404, "not-found", message);
export const conflict = (message: string) => new HttpError(409, "conflict", message);

const LIBRARY_STATUS: Record<LibraryErrorCode, number> = { "not-found": 404, "invalid-file": 422, "invalid-name": 400, "in-use": 409 };

/** The response for `error`, or null for an internal error (500). */
export function clientErrorOf(error: unknown): Omit<ApiError, "error"> | null {
  if (error instanceof HttpError) return { statusCode: error.statusCode, code: error.code, message: error.message };
  if (error instanceof NamFileError) {
    return { statusCode: 422, code: `nam-${error.code}`, message: error.message, ...(error.field !== "" && { field: error.field }) };
  }
  if (error instanceof WavFileError) return { statusCode: 422, code: `wav-${error.code}`, message: error.message };
  if (error instanceof IrFileError) return { statusCode: 422, code: "invalid-ir", message: error.message };
  if (error instanceof OverBudgetError) return { statusCode: 422, code: "over-budget", message: error.message };
  if (error instanceof LibraryError) return { statusCode: LIBRARY_STATUS[error.code], code: error.code, message: error.message };
  if (error instanceof PresetStoreError) {
    // A preset that could not be loaded fails for its model's or IR's reason; keep the preset's message.
    const cause = error.cause === undefined ? null : clientErrorOf(error.cause);
    return cause === null ? { statusCode: 409, code: "preset-conflict", message: error.message } : { ...cause, message: error.message };
  }
  if (!(error instanceof Error)) return null;
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return { statusCode: 400, code: "invalid-request", message: fastifyError.message ?? "invalid request" };
  }
  // Fastify's and its plugins' own client errors (body too large, bad JSON, not multipart, file too large).
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { statusCode: fastifyError.statusCode, code: fastifyError.code ?? "bad-request", message: fastifyError.message ?? "bad request" };
  }
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const client = clientErrorOf(error);
    if (client === null) {
      request.log.error({ err: error }, "request failed");
      const body: ApiError = { statusCode: 500, error: STATUS_CODES[500]!, code: "internal", message: "internal error; the pedal's log has the details" };
      return reply.code(500).send(body);
    }
    request.log.info({ code: client.code, statusCode: client.statusCode }, client.message);
    const body: ApiError = { ...client, error: STATUS_CODES[client.statusCode] ?? "Error" };
    return reply.code(client.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ApiError = { statusCode: 404, error: STATUS_CODES[404]!, code: "no-route", message: `no route ${request.method} ${request.url.split("?")[0]}` };
    return reply.code(404).send(body);
  });
}
