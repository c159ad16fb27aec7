// The stage: GET /api/status, the footswitch actions from the page (POST /api/actions/:action,
// the same code path as a footswitch) and the virtual footswitch (POST
// /api/footswitches/:number/press, the same path as a physical press: gesture → mapped action).

import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  AcceptedSchema, FootswitchPressBody, FootswitchPressParams, LiveChangeSchema, StageActionParams, StatusSchema,
} from "../../api-contract/index.js";
import type { AppDeps } from "../app.js";
import { notFound } from "../errors.js";
import { errorResponses } from "./schemas.js";

export const stageRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  const { view, stageActions, footswitches } = deps;

  app.get("/status", { schema: { response: { 200: StatusSchema, ...errorResponses() } } }, async () => view.status());

  app.post(
    "/actions/:action",
    { schema: { params: StageActionParams, response: { 200: LiveChangeSchema, ...errorResponses(400, 409, 422) } } },
    async (request) => {
      await stageActions.run(request.params.action);
      return { live: view.live(), message: null };
    },
  );

  app.post(
    "/footswitches/:number/press",
    { schema: { params: FootswitchPressParams, body: FootswitchPressBody, response: { 202: AcceptedSchema, ...errorResponses(400, 404) } } },
    async (request, reply) => {
      const switchNumber = request.params.number;
      if (switchNumber > footswitches.switchCount) {
        throw notFound(`no footswitch ${switchNumber}: this pedal has ${footswitches.switchCount}`);
      }
      // Like the hardware: the press is queued and its action runs in order with the others.
      footswitches.virtualPress(switchNumber, request.body.gesture);
      return reply.code(202).send({ accepted: true });
    },
  );
};
