// POST /v1/functions/:name/invoke — the hot path. It reads no storage: the region object holds the active
// version in memory. The registry is consulted only when the region does not know the name.

import { Hono } from "hono";
import type { HonoEnv } from "../hono-env.ts";
import { httpRequestInfo, invocationResponse, invokeInRegion, readPayload, withRequestId } from "../invoke-function.ts";
import { assertFunctionName } from "../manifest.ts";
import { allows } from "../permissions.ts";
import { chooseRegion, regionConfig, type CallerLocation } from "../regions.ts";

export const invokeRoutes = new Hono<HonoEnv>();

invokeRoutes.post("/v1/functions/:name/invoke", (c) => withRequestId(c.req.raw, async (requestId) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const region = chooseRegion(
    regionConfig(c.env),
    c.req.query("region") ?? c.req.header("x-helios-region"),
    c.req.raw.cf as CallerLocation | undefined,
  );
  // A wrong token was refused before any route (authenticate); a private function needs one that may invoke it.
  const authorized = allows(c.var.principal, { action: "invoke", functionName: name });

  const payload = await readPayload(c.req.raw);
  // A version-2 or WASI guest sees this as a POST to its root, with the query string as sent.
  const search = new URL(c.req.url).search;
  const http = httpRequestInfo(c.req.raw, "/", search.slice(1));
  const result = await invokeInRegion(c.env, region, name, payload, authorized, http, requestId);
  return invocationResponse(result, "POST", payload.byteLength);
}));
