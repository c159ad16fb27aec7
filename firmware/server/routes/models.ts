// /api/models: upload (.nam, validated and admitted by the real-time budget), list, inspect,
// rename, delete, download, and select into the live sound.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  LibraryIdParams, LiveChangeSchema, ModelInfoSchema, ModelListSchema, RenameBody, SelectModelBody,
} from "../../api-contract/index.js";
import type { AppDeps } from "../app.js";
import { errorResponses, NoContent } from "./schemas.js";
import { readUpload, refuseDeleteInUse, sendStoredFile } from "./uploads.js";

export const modelRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { models, view, hub, budget, engine } = deps;

  app.get("/", { schema: { response: { 200: ModelListSchema, ...errorResponses() } } }, async () => {
    const document = deps.presets.document();
    return { models: models.list().map((entry) => view.modelInfo(entry, document)) };
  });

  app.post(
    "/",
    { schema: { consumes: ["multipart/form-data"], response: { 201: ModelInfoSchema, ...errorResponses(400, 406, 413, 422) } } },
    async (request, reply) => {
      const upload = await readUpload(request, deps.uploadLimits.modelBytes, "model (.nam file)");
      const validated = models.validateUpload(upload.bytes, upload.fileName);
      // Refused (OverBudgetError, with what would fit) before anything is stored.
      budget.admit(validated.summary, null);
      const info = view.modelInfo(await models.add(upload.bytes, upload.fileName, validated));
      request.log.info(`models: stored "${info.name}" (${info.label}) as ${info.id}: ${info.cost.message}`);
      hub.publishLibrary("models");
      return reply.code(201).send(info);
    },
  );

  app.get("/:id", { schema: { params: LibraryIdParams, response: { 200: ModelInfoSchema, ...errorResponses(400, 404) } } }, async (request) =>
    view.modelInfo(models.get(request.params.id)));

  app.patch(
    "/:id",
    { schema: { params: LibraryIdParams, body: RenameBody, response: { 200: ModelInfoSchema, ...errorResponses(400, 404) } } },
    async (request) => {
      const entry = await models.rename(request.params.id, request.body.name);
      hub.publishLibrary("models");
      return view.modelInfo(entry);
    },
  );

  app.delete(
    "/:id",
    { schema: { params: LibraryIdParams, response: { 204: NoContent, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      const info = view.modelInfo(models.get(request.params.id));
      refuseDeleteInUse(info, "model");
      await models.remove(info.id);
      hub.publishLibrary("models");
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/:id/file",
    { schema: { params: LibraryIdParams, response: { 200: Type.String({ description: "the .nam file as uploaded" }), ...errorResponses(400, 404) } } },
    async (request, reply) => {
      const entry = models.get(request.params.id);
      return sendStoredFile(reply, models.filePath(entry.id), entry.originalFileName, "application/json");
    },
  );

  app.post(
    "/:id/select",
    { schema: { params: LibraryIdParams, body: SelectModelBody, response: { 200: LiveChangeSchema, ...errorResponses(400, 404, 422) } } },
    async (request) => {
      const loadRequest = await models.loadRequest(request.params.id, request.body.slim ?? null);
      await engine.loadModel(loadRequest);
      return { live: view.live(), message: budget.estimate(models.get(loadRequest.id).summary, loadRequest.slim).message };
    },
  );
};
