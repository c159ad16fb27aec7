// The HTTP server shell: fastify with the daemon's logger, request limits and timeouts, the
// TypeBox validator, and the app plugin. Listening and closing belong to the daemon (main.ts).

import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import fastifyPlugin from "fastify-plugin";
import { app, type AppDeps } from "./app.js";

/** JSON bodies are small (settings, names, orders); files arrive as multipart streams with their own caps. */
const JSON_BODY_LIMIT_BYTES = 256 * 1024;
/** A 64 MiB model over a weak Wi-Fi link may take a minute or two. */
const REQUEST_TIMEOUT_MS = 180_000;

export async function buildServer(deps: AppDeps, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: logger,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // close() ends idle keep-alive connections at once and lets requests in flight (an upload) finish.
    forceCloseConnections: "idle",
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox's own compiler: no coercion of bodies, no defaults filled in, no extra keys removed — exactly the schema.
  server.setValidatorCompiler(TypeBoxValidatorCompiler);
  // Not encapsulated (fastify/demo's shape): the app's error handler and decorators (injectWS) are the server's.
  await server.register(fastifyPlugin(app), deps);
  return server;
}
