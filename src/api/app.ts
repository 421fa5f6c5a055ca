// The Hono application: the declared routes (src/api/routes, with their zod schemas), the OpenAPI document built from
// them, and the single error mapping.

import { OpenAPIHono } from "@hono/zod-openapi";
import { authenticate } from "./auth.ts";
import { serveDashboard } from "./dashboard.ts";
import { errorResponse } from "./error-response.ts";
import { OUTBOUND_MARKER_HEADER } from "../runtime/index.ts";
import { drainUnreadBody } from "./drain-request.ts";
import { LoopDetectedError, NotFoundError } from "./errors.ts";
import type { HonoEnv } from "./hono-env.ts";
import { serveOpenApiDocument } from "./openapi/document.ts";
import { apiRoutes } from "./routes/index.ts";

export function createApp(): OpenAPIHono<HonoEnv> {
  const app = new OpenAPIHono<HonoEnv>();
  // First, so it sees every answer: one sent while the client is still uploading keeps the connection usable.
  app.use(drainUnreadBody);
  // Before any route: a request sent by our own outbound gateway is a function calling the runtime through some
  // name of it; refused, so a chain cannot restart itself outside its depth limit, shared fuel and quotas.
  app.use(async (c, next) => {
    if (c.req.header(OUTBOUND_MARKER_HEADER) !== undefined) throw new LoopDetectedError(OUTBOUND_MARKER_HEADER);
    await next();
  });
  // The dashboard's files, public as static assets are: before authentication, so a stale token cannot lock a
  // browser out of the page that signs in.
  app.use(serveDashboard);
  // Every route, public ones and unknown paths included: a presented token that is wrong is refused here.
  app.use(authenticate);
  app.route("/", apiRoutes);
  serveOpenApiDocument(app);
  app.notFound((c) => errorResponse(new NotFoundError(c.req.method, c.req.path)));
  app.onError((error) => errorResponse(error));
  return app;
}
