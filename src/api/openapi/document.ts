// GET /v1/openapi.json: the OpenAPI 3.0 document of every route, built once per app from the declarations.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { createRoute, z } from "@hono/zod-openapi";
import type { HonoEnv } from "../hono-env.ts";
import { extraDeclarations, PUBLIC } from "./route-kit.ts";

export const OPENAPI_PATH = "/v1/openapi.json";

const DOCUMENT_ROUTE = createRoute({
  method: "get",
  path: OPENAPI_PATH,
  summary: "This document",
  security: PUBLIC,
  responses: { 200: { description: "the OpenAPI 3.0 document", content: { "application/json": { schema: z.record(z.unknown()) } } } },
});

export function serveOpenApiDocument(app: OpenAPIHono<HonoEnv>): void {
  for (const route of [...extraDeclarations(), DOCUMENT_ROUTE]) app.openAPIRegistry.registerPath(route);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "the admin token (HELIOS_TOKEN) or a scoped token (POST /v1/tokens)",
  });
  let document: unknown;
  app.get(OPENAPI_PATH, (c) => {
    document ??= app.getOpenAPIDocument({
      openapi: "3.0.3",
      info: {
        title: "Helios Edge",
        version: "1",
        description: "Deploy untrusted WebAssembly over HTTP and invoke it per region. Errors: docs/errors.md.",
      },
    });
    return c.json(document as Record<string, unknown>);
  });
}
