// Public service routes: health, regions, and the no-sandbox baseline the HTTP benchmark compares against.

import { Hono } from "hono";
import { LIMIT_CEILINGS } from "../../runtime/index.ts";
import { PayloadTooLargeError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { readBodyCapped } from "../read-body.ts";
import { REGION_LOCATIONS } from "../region-locations.ts";
import { nearestRegion, regionConfig, type CallerLocation } from "../regions.ts";

export const systemRoutes = new Hono<HonoEnv>();

systemRoutes.get("/healthz", (c) => c.json({ status: "ok" }));

systemRoutes.get("/v1/regions", (c) => {
  const { regions, defaultRegion } = regionConfig(c.env);
  return c.json({
    regions: regions.map((name) => {
      const location = REGION_LOCATIONS[name];
      return {
        name,
        default: name === defaultRegion,
        location: location ? { latitude: location.latitude, longitude: location.longitude } : null,
      };
    }),
    default: defaultRegion,
    nearest: nearestRegion(regions, c.req.raw.cf as CallerLocation | undefined) ?? defaultRegion,
  });
});

/** Same request handling as an invocation (same Worker, same body reading) minus the sandbox:
 *  answers with the request body. `npm run bench` measures invocations against it. */
systemRoutes.post("/v1/_baseline/echo", async (c) => {
  const ceiling = LIMIT_CEILINGS.maxPayloadBytes;
  const body = await readBodyCapped(c.req.raw, ceiling, () => new PayloadTooLargeError(ceiling));
  return new Response(body, { headers: { "content-type": "application/octet-stream" } });
});
