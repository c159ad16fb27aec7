// /api/presets and /api/banks: create, update, reorder, delete, activate. The preset store owns
// the file and the switching; these routes check the references first so an unknown id is a 404
// and a preset never points at a model or IR the library does not have.

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  ActivateBody, BankCreateBody, BankListSchema, BankOrderBody, BankSchema, BankUpdateBody, LiveChangeSchema, PresetCreateBody,
  PresetIdParams, PresetSchema, PresetsOverviewSchema, PresetUpdateBody, type PresetsOverview,
} from "../../api-contract/index.js";
import type { ChainParams } from "../../engine/api.js";
import type { AppDeps } from "../app.js";
import { notFound } from "../errors.js";
import { errorResponses, NoContent } from "./schemas.js";

export const presetRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { presets, models, irs, view } = deps;

  const overview = (): PresetsOverview => {
    const document = presets.document();
    return { presets: document.presets, banks: document.banks, activePresetId: document.activePresetId, activeBankId: document.activeBankId ?? null };
  };
  const requirePreset = (id: string) => {
    if (!presets.document().presets.some((preset) => preset.id === id)) throw notFound(`no preset with id "${id}"`);
  };
  const requireBank = (id: string) => {
    const bank = presets.document().banks.find((b) => b.id === id);
    if (!bank) throw notFound(`no bank with id "${id}"`);
    return bank;
  };
  /** The model and IR a preset names must be in the libraries (LibraryError "not-found" otherwise). */
  const requireSounds = (sound: { modelId?: string | null; irId?: string | null }) => {
    if (sound.modelId != null) models.get(sound.modelId);
    if (sound.irId != null) irs.get(sound.irId);
  };

  app.get("/", { schema: { response: { 200: PresetsOverviewSchema, ...errorResponses() } } }, async () => overview());

  app.post(
    "/",
    { schema: { body: PresetCreateBody, response: { 201: PresetSchema, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      const { bankId, params, ...sound } = request.body;
      requireSounds(sound);
      const bank = bankId === undefined ? null : requireBank(bankId);
      const preset = await presets.createPreset({ ...sound, ...(params && { params: params as Partial<ChainParams> }) });
      if (bank) await presets.updateBank(bank.id, { presetIds: [...bank.presetIds, preset.id] });
      return reply.code(201).send(preset);
    },
  );

  app.get("/:id", { schema: { params: PresetIdParams, response: { 200: PresetSchema, ...errorResponses(400, 404) } } }, async (request) => {
    requirePreset(request.params.id);
    return presets.preset(request.params.id);
  });

  app.patch(
    "/:id",
    { schema: { params: PresetIdParams, body: PresetUpdateBody, response: { 200: PresetSchema, ...errorResponses(400, 404, 409) } } },
    async (request) => {
      requirePreset(request.params.id);
      const { params, ...rest } = request.body;
      requireSounds(rest);
      return presets.updatePreset(request.params.id, { ...rest, ...(params && { params: params as Partial<ChainParams> }) });
    },
  );

  app.delete(
    "/:id",
    { schema: { params: PresetIdParams, response: { 204: NoContent, ...errorResponses(400, 404, 409) } } },
    async (request, reply) => {
      requirePreset(request.params.id);
      await presets.deletePreset(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/:id/activate",
    { schema: { params: PresetIdParams, body: ActivateBody, response: { 200: LiveChangeSchema, ...errorResponses(400, 404, 409, 422) } } },
    async (request) => {
      requirePreset(request.params.id);
      if (request.body.bankId !== undefined) requireBank(request.body.bankId);
      await presets.activate(request.params.id, request.body.bankId);
      return { live: view.live(), message: null };
    },
  );
};

export const bankRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { presets } = deps;
  const requireBank = (id: string) => {
    if (!presets.document().banks.some((bank) => bank.id === id)) throw notFound(`no bank with id "${id}"`);
  };

  app.get("/", { schema: { response: { 200: BankListSchema, ...errorResponses() } } }, async () => ({ banks: presets.document().banks }));

  app.post("/", { schema: { body: BankCreateBody, response: { 201: BankSchema, ...errorResponses(400, 409) } } }, async (request, reply) =>
    reply.code(201).send(await presets.createBank(request.body.name, request.body.presetIds)));

  app.put("/order", { schema: { body: BankOrderBody, response: { 200: BankListSchema, ...errorResponses(400, 409) } } }, async (request) => {
    await presets.reorderBanks(request.body.bankIds);
    return { banks: presets.document().banks };
  });

  app.patch(
    "/:id",
    { schema: { params: PresetIdParams, body: BankUpdateBody, response: { 200: BankSchema, ...errorResponses(400, 404, 409) } } },
    async (request) => {
      requireBank(request.params.id);
      return presets.updateBank(request.params.id, request.body);
    },
  );

  app.delete(
    "/:id",
    { schema: { params: PresetIdParams, response: { 204: NoContent, ...errorResponses(400, 404) } } },
    async (request, reply) => {
      requireBank(request.params.id);
      await presets.deleteBank(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
