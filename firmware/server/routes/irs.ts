// /api/irs: upload (WAV, checked), list, inspect, rename, delete, download, and select into the
// live sound.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { IrInfoSchema, IrListSchema, LibraryIdParams, LiveChangeSchema, RenameBody } from "../../api-contract/index.js";
import type { AppDeps } from "../app.js";
import { errorResponses, NoContent } from "./schemas.js";
import { readUpload, refuseDeleteInUse, sendStoredFile } from "./uploads.js";

export const irRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { irs, view, hub, engine } = deps;

  app.get("/", { schema: { response: { 200: IrListSchema, ...errorResponses() } } }, async () => {
    const document = deps.presets.document();
    return { irs: irs.list().map((entry) => view.irInfo(entry, document)) };
  });

  app.post(
    "/",
    { schema: { consumes: ["multipart/form-data"], response: { 201: IrInfoSchema, ...errorResponses(400, 406, 413, 422) } } },
    async (request, reply) => {
      const upload = await readUpload(request, deps.uploadLimits.irBytes, "impulse response (.wav file)");
      const entry = await irs.add(upload.bytes, upload.fileName);
      request.log.info(`irs: stored "${entry.name}" (${entry.summary.durationMs.toFixed(0)} ms at ${entry.summary.sampleRateHz} Hz) as ${entry.id}`);
      hub.publishLibrary("irs");
      return reply.code(201).send(view.irInfo(entry));
    },
  );

  app.get("/:id", { schema: { params: LibraryIdParams, response: { 200: IrInfoSchema, ...errorResponses(400, 404) } } }, async (request) =>
    view.irInfo(irs.get(request.params.id)));

  app.patch(
    "/:id",
    { schema: { params: LibraryIdParams, body: RenameBody, response: { 200: IrInfoSchema, ...errorResponses(400, 404) } } },
    async (request) => {
      const entry = await irs.rename(request.params.id, request.body.name);
      hub.publishLibrary("irs");
      return view.irInfo(entry);
    },
  );

  app.delete(
    "/:id",
    { schema: { params: LibraryIdParams, response: { 204: NoContent, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      const info = view.irInfo(irs.get(request.params.id));
      refuseDeleteInUse(info, "IR");
      await irs.remove(info.id);
      hub.publishLibrary("irs");
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/:id/file",
    { schema: { params: LibraryIdParams, response: { 200: Type.String({ description: "the WAV file as uploaded" }), ...errorResponses(400, 404) } } },
    async (request, reply) => {
      const entry = irs.get(request.params.id);
      return sendStoredFile(reply, irs.filePath(entry.id), entry.originalFileName, "audio/wav");
    },
  );

  app.post(
    "/:id/select",
    { schema: { params: LibraryIdParams, response: { 200: LiveChangeSchema, ...errorResponses(400, 404, 422) } } },
    async (request) => {
      await engine.loadIr(await irs.loadRequest(request.params.id));
      return { live: view.live(), message: null };
    },
  );
};
