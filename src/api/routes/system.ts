// Public service routes: health, regions, and the no-sandbox baseline the HTTP benchmark compares against.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { LIMIT_CEILINGS } from "../../runtime/index.ts";
import { PayloadTooLargeError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { Binary, Region } from "../openapi/schemas.ts";
import { ERRORS, ownBody, PUBLIC, validationHook } from "../openapi/route-kit.ts";
import { readBodyCapped } from "../read-body.ts";
import { REGION_LOCATIONS } from "../region-locations.ts";
import { regionConfig, regionHere, type CallerLocation } from "../regions.ts";

const health = createRoute({
  method: "get",
  path: "/healthz",
  summary: "Liveness",
  security: PUBLIC,
  responses: { 200: { description: "up", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } }, ...ERRORS },
});

const regions = createRoute({
  method: "get",
  path: "/v1/regions",
  summary: "Configured regions, the default, and the one nearest to the caller",
  security: PUBLIC,
  responses: {
    200: {
      description: "the regions",
      content: { "application/json": { schema: z.object({ regions: z.array(Region), default: z.string(), nearest: z.string() }) } },
    },
    ...ERRORS,
  },
});

const baseline = ownBody(
  createRoute({
    method: "post",
    path: "/v1/_baseline/echo",
    summary: "Answers the request body with no sandbox (the HTTP benchmark's baseline)",
    security: PUBLIC,
    request: { body: { content: { "application/octet-stream": { schema: Binary } } } },
    responses: { 200: { description: "the request body", content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }, ...ERRORS },
  }),
);

export const systemRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(health, (c) => c.json({ status: "ok" as const }, 200))
  .openapi(regions, (c) => {
    const config = regionConfig(c.env);
    const { regions, defaultRegion } = config;
    return c.json(
      {
        regions: regions.map((name) => {
          const location = REGION_LOCATIONS[name];
          return {
            name,
            default: name === defaultRegion,
            location: location ? { latitude: location.latitude, longitude: location.longitude } : null,
          };
        }),
        default: defaultRegion,
        nearest: regionHere(config, c.req.raw.cf as CallerLocation | undefined),
      },
      200,
    );
  })
  /** Same request handling as an invocation (same Worker, same body reading) minus the sandbox: answers with the
   *  request body. `npm run bench` measures invocations against it. */
  .openapi(baseline, async (c) => {
    const ceiling = LIMIT_CEILINGS.maxPayloadBytes;
    const body = await readBodyCapped(c.req.raw, ceiling, () => new PayloadTooLargeError(ceiling));
    return new Response(body, { headers: { "content-type": "application/octet-stream" } });
  });
