// The Hono application: routes plus the single error mapping.

import { Hono } from "hono";
import { authenticate } from "./auth.ts";
import { errorResponse } from "./error-response.ts";
import { OUTBOUND_MARKER_HEADER } from "../runtime/index.ts";
import { drainUnreadBody } from "./drain-request.ts";
import { LoopDetectedError, NotFoundError } from "./errors.ts";
import type { HonoEnv } from "./hono-env.ts";
import { databaseRoutes, fnRoutes, functionRoutes, invokeRoutes, observationRoutes, secretRoutes, systemRoutes, tokenRoutes } from "./routes/index.ts";

export function createApp(): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  // First, so it sees every answer: one sent while the client is still uploading keeps the connection usable.
  app.use(drainUnreadBody);
  // Before any route: a request sent by our own outbound gateway is a function calling the runtime through some
  // name of it; refused, so a chain cannot restart itself outside its depth limit, shared fuel and quotas.
  app.use(async (c, next) => {
    if (c.req.header(OUTBOUND_MARKER_HEADER) !== undefined) throw new LoopDetectedError(OUTBOUND_MARKER_HEADER);
    await next();
  });
  // Every route, public ones and unknown paths included: a presented token that is wrong is refused here.
  app.use(authenticate);
  app.route("/", systemRoutes);
  app.route("/", invokeRoutes);
  app.route("/", fnRoutes);
  app.route("/", functionRoutes);
  app.route("/", databaseRoutes);
  app.route("/", secretRoutes);
  app.route("/", tokenRoutes);
  app.route("/", observationRoutes);
  app.notFound((c) => errorResponse(new NotFoundError(c.req.method, c.req.path)));
  app.onError((error) => errorResponse(error));
  return app;
}
