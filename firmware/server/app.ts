// The pedal's HTTP app as one fastify plugin (the server shell and the tests register the same
// thing): multipart uploads, the WebSocket, the JSON API under /api, the phone page as static
// files, and one error handler. Every route's input and every status code's output has a schema
// from the shared contract (firmware/api-contract). Main thread.

import { existsSync } from "node:fs";
import fastifyMultipart from "@fastify/multipart";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import fastifyWebsocket from "@fastify/websocket";
import { Type } from "@sinclair/typebox";
import type { DspBudget } from "../budget/model-budget.js";
import type { FootswitchAction } from "../controls/actions.js";
import type { AudioEngine } from "../engine/engine.js";
import type { IrLibrary } from "../library/irs.js";
import type { ModelLibrary } from "../library/models.js";
import type { PresetStore } from "../library/presets.js";
import { security, type SecurityPluginOptions } from "../security/auth-plugin.js";
import { installErrorHandling } from "./errors.js";
import type { LiveHub } from "./live-hub.js";
import { irRoutes } from "./routes/irs.js";
import { liveRoutes } from "./routes/live.js";
import { modelRoutes } from "./routes/models.js";
import { bankRoutes, presetRoutes } from "./routes/presets.js";
import { stageRoutes } from "./routes/stage.js";
import type { StageView } from "./stage-view.js";

export interface AppDeps {
  engine: AudioEngine;
  models: ModelLibrary;
  irs: IrLibrary;
  presets: PresetStore;
  budget: DspBudget;
  view: StageView;
  hub: LiveHub;
  /** What a footswitch action does (StageActions): the page's buttons run the same code. */
  stageActions: { run(action: FootswitchAction): Promise<void> };
  /** The virtual footswitch: a press goes through the same gestures and mapping as the hardware's. */
  footswitches: { readonly switchCount: number; virtualPress(switchNumber: number, gesture: "short" | "long"): void };
  uploadLimits: { modelBytes: number; irBytes: number };
  /** The built phone page (dist/web-ui). */
  webUiDirectory: string;
  /** The admin PIN, Host and Origin checks (firmware/security). */
  security: SecurityPluginOptions;
}

/** Inbound WebSocket messages are not used (the page sends commands over HTTP): keep frames tiny. */
const WEBSOCKET_MAX_PAYLOAD_BYTES = 1024;

export const app: FastifyPluginAsyncTypebox<AppDeps> = async (instance, deps) => {
  installErrorHandling(instance);
  await instance.register(fastifyMultipart, {
    limits: { fileSize: Math.max(deps.uploadLimits.modelBytes, deps.uploadLimits.irBytes), files: 1, fields: 0, parts: 1 },
  });
  await instance.register(fastifyWebsocket, { options: { maxPayload: WEBSOCKET_MAX_PAYLOAD_BYTES } });

  // Everything a page or a program can call, in one scope: the place for the auth hook (PIN,
  // CSRF token) when it comes — an onRequest hook here covers every API route and the WebSocket,
  // while the page's static files stay reachable.
  await instance.register(async (api) => {
    await api.register(security, deps.security);
    await api.register(modelRoutes, { ...deps, prefix: "/api/models" });
    await api.register(irRoutes, { ...deps, prefix: "/api/irs" });
    await api.register(presetRoutes, { ...deps, prefix: "/api/presets" });
    await api.register(bankRoutes, { ...deps, prefix: "/api/banks" });
    await api.register(liveRoutes, { ...deps, prefix: "/api" });
    await api.register(stageRoutes, { ...deps, prefix: "/api" });
    api.get("/ws", { websocket: true }, (socket) => deps.hub.attach(socket));
  });

  if (existsSync(deps.webUiDirectory)) {
    await instance.register(fastifyStatic, { root: deps.webUiDirectory, prefix: "/" });
  } else {
    instance.get("/", { schema: { response: { 200: Type.String() } } }, async (_request, reply) =>
      reply.type("text/plain; charset=utf-8").send(`the web UI is not built (${deps.webUiDirectory} is missing): run npm run build`));
  }
};
