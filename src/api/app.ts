// The Hono application: routes plus the single error mapping.

import { Hono } from "hono";
import { errorResponse } from "./error-response.ts";
import { NotFoundError } from "./errors.ts";
import type { HonoEnv } from "./hono-env.ts";
import { functionRoutes, invokeRoutes, systemRoutes } from "./routes/index.ts";

export function createApp(): Hono<HonoEnv> {
  const app = new Hono<HonoEnv>();
  app.route("/", systemRoutes);
  app.route("/", invokeRoutes);
  app.route("/", functionRoutes);
  app.notFound((c) => errorResponse(new NotFoundError(c.req.method, c.req.path)));
  app.onError((error) => errorResponse(error));
  return app;
}
