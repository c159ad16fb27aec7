// What the model and IR routes share: reading one uploaded file from a multipart body (field
// `file`, size-capped while it streams in), sending a stored file back under its original name,
// and refusing to delete a file that plays or that presets use.

import { createReadStream } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../errors.js";

export interface Upload {
  bytes: Buffer;
  fileName: string;
}

/** The one file of a multipart/form-data body in the field `file`; larger than `maxBytes` → 413 while streaming. */
export async function readUpload(request: FastifyRequest, maxBytes: number, noun: string): Promise<Upload> {
  const file = await request.file({ limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 1 } });
  const missing = () => new HttpError(400, "no-file", `send the ${noun} as multipart/form-data in the field "file"`);
  if (!file) throw missing();
  if (file.fieldname !== "file") {
    file.file.resume();
    throw missing();
  }
  return { bytes: await file.toBuffer(), fileName: file.filename };
}

/** Streams a stored file as a download named like the original upload. */
export function sendStoredFile(reply: FastifyReply, path: string, originalFileName: string, mediaType: string): FastifyReply {
  const asciiName = originalFileName.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return reply
    .type(mediaType)
    .header("content-disposition", `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(originalFileName)}`)
    .send(createReadStream(path));
}

/** 409 unless the stored file is free to delete: not playing and used by no preset. */
export function refuseDeleteInUse(info: { name: string; playing: boolean; usedBy: string[] }, noun: string): void {
  if (info.playing) throw new HttpError(409, "in-use", `"${info.name}" is playing: pick another ${noun} first`);
  if (info.usedBy.length > 0) {
    throw new HttpError(409, "in-use", `"${info.name}" is used by ${info.usedBy.map((name) => `"${name}"`).join(", ")}: change those presets first`);
  }
}
