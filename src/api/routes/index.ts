// The API's route groups, chained in matching order into one app whose type gives the typed client (src/api/client.ts):
// public service routes, invocation (hot path, and /fn/:name), management (token), databases, the change stream, secrets, tokens, logs and metrics.

import { OpenAPIHono } from "@hono/zod-openapi";
import type { HonoEnv } from "../hono-env.ts";
import { changeRoutes } from "./changes.ts";
import { databaseRoutes } from "./databases.ts";
import { fnRoutes } from "./fn.ts";
import { functionRoutes } from "./functions.ts";
import { invocationRoutes } from "./invocations.ts";
import { invokeRoutes } from "./invoke.ts";
import { observationRoutes } from "./observations.ts";
import { secretRoutes } from "./secrets.ts";
import { subscriptionRoutes } from "./subscriptions.ts";
import { systemRoutes } from "./system.ts";
import { tokenRoutes } from "./tokens.ts";

export { invocationRoutes, changeRoutes, databaseRoutes, subscriptionRoutes, fnRoutes, functionRoutes, invokeRoutes, observationRoutes, secretRoutes, systemRoutes, tokenRoutes };

export const apiRoutes = new OpenAPIHono<HonoEnv>()
  .route("/", systemRoutes)
  .route("/", invokeRoutes)
  .route("/", fnRoutes)
  .route("/", functionRoutes)
  .route("/", databaseRoutes)
  .route("/", changeRoutes)
  .route("/", subscriptionRoutes)
  .route("/", secretRoutes)
  .route("/", tokenRoutes)
  .route("/", observationRoutes)
  .route("/", invocationRoutes);

export type ApiRoutes = typeof apiRoutes;
