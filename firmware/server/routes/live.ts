// The live sound: GET/PATCH /api/params (chain settings, bypass, tuner, slim width — applied at
// once) and DELETE /api/live/model|ir (play without a model or a cabinet).

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { LiveChangeSchema, LivePatchBody, LiveSoundSchema } from "../../api-contract/index.js";
import type { ChainParams, ModelLoadRequest } from "../../engine/api.js";
import type { AppDeps } from "../app.js";
import { conflict, HttpError } from "../errors.js";
import { errorResponses } from "./schemas.js";

export const liveRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { engine, models, view, budget } = deps;

  app.get("/params", { schema: { response: { 200: LiveSoundSchema, ...errorResponses() } } }, async () => view.live());

  app.patch(
    "/params",
    { schema: { body: LivePatchBody, response: { 200: LiveChangeSchema, ...errorResponses(400, 404, 409, 422) } } },
    async (request) => {
      const { chain, bypass, tuner, slim } = request.body;
      // The width is checked against the budget first, so a refused change changes nothing.
      let reload: ModelLoadRequest | null = null;
      if (slim !== undefined) {
        const playing = engine.status().model;
        if (playing === null) throw conflict("no model is playing, so there is no width to set");
        const entry = models.get(playing.id);
        if (entry.summary.slimWidths === undefined) throw new HttpError(422, "not-slimmable", `"${entry.name}" (${entry.summary.label}) cannot be slimmed`);
        reload = await models.loadRequest(playing.id, slim);
      }
      // Nested groups are merged field by field (mergeChainParams), so a partial group is enough.
      if (chain !== undefined) engine.setParams(chain as Partial<ChainParams>);
      if (bypass !== undefined) engine.setBypass(bypass);
      if (tuner !== undefined) engine.setTuner(tuner);
      if (reload === null) return { live: view.live(), message: null };
      await engine.loadModel(reload);
      return { live: view.live(), message: budget.estimate(models.get(reload.id).summary, reload.slim).message };
    },
  );

  app.delete("/live/model", { schema: { response: { 200: LiveChangeSchema, ...errorResponses() } } }, async () => {
    await engine.unloadModel();
    return { live: view.live(), message: null };
  });

  app.delete("/live/ir", { schema: { response: { 200: LiveChangeSchema, ...errorResponses() } } }, async () => {
    await engine.unloadIr();
    return { live: view.live(), message: null };
  });
};
