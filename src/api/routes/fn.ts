// ANY /fn/:name and ANY /fn/:name/* — a function as an HTTP handler: the whole request is forwarded (method, the
// path below the name, query string, headers minus the caller's Authorization, body) and the guest's status,
// headers and body come back. Public unless the function is private, exactly like invoke. The query string belongs
// to the function, so the region comes from `x-helios-region` or the caller's location, never from `?region=`.

import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HonoEnv } from "../hono-env.ts";
import { httpRequestInfo, invocationPlace, invocationResponse, invokeInRegion, readPayload, withRequestId } from "../invoke-function.ts";
import { functionTarget, ROUTING_KEY_HEADER } from "../function-target.ts";
import { documentOnly, ERRORS, PUBLIC } from "../openapi/route-kit.ts";
import { Binary, NameParam } from "../openapi/schemas.ts";
import { z } from "@hono/zod-openapi";
import { INVOCATION_HEADERS } from "./invoke.ts";
import { allows } from "../permissions.ts";

export const fnRoutes = new OpenAPIHono<HonoEnv>();

function serve(c: Context<HonoEnv>): Promise<Response> {
  return withRequestId(c.req.raw, (requestId) => serveAs(c, requestId));
}

async function serveAs(c: Context<HonoEnv>, requestId: string): Promise<Response> {
  // `name@alias`; a version is pinned with the x-helios-version header (the query string is the function's).
  const raw = c.req.param("name")!;
  const target = functionTarget(raw, c.req.header("x-helios-version"), c.req.header(ROUTING_KEY_HEADER));
  const place = invocationPlace(c.env, c.req.header("x-helios-region"), c.req.raw);
  // A wrong token was refused before any route (authenticate); a private function needs one that may invoke it.
  const authorized = allows(c.var.principal, { action: "invoke", functionName: target.name });

  // The raw pathname, so percent-encoding reaches the guest as sent; everything after the first segment (the name,
  // possibly with an encoded @alias) is the guest's.
  const url = new URL(c.req.url);
  const rest = url.pathname.slice("/fn/".length);
  const slash = rest.indexOf("/");
  const path = slash === -1 ? "/" : rest.slice(slash);
  const payload = await readPayload(c.req.raw);
  const http = () => httpRequestInfo(c.req.raw, path, url.search.slice(1));
  const result = await invokeInRegion(c.env, place, target, payload, authorized, http, requestId, (p) => c.executionCtx.waitUntil(p));
  return invocationResponse(result, c.req.method, payload.byteLength);
}

fnRoutes.all("/fn/:name", serve);
fnRoutes.all("/fn/:name/*", serve);

// OpenAPI has no "any method" and no path parameter spanning slashes: each method is declared for both paths, the
// rest of the path as {path} (it may hold slashes).
const PATH_PARAM = z.object({ path: z.string().openapi({ param: { name: "path", in: "path" }, description: "the rest of the path; may contain slashes" }) });
for (const method of ["get", "post", "put", "patch", "delete"] as const) {
  for (const [path, params] of [["/fn/{name}", NameParam], ["/fn/{name}/{path}", NameParam.merge(PATH_PARAM)]] as const) {
    documentOnly({
      method,
      path,
      summary: "A function as an HTTP handler: the whole request goes to it, its status, headers and body come back",
      description: "Public unless the function is private. Region from x-helios-region or the caller's location (the query string belongs to the function).",
      security: PUBLIC,
      request: { params, body: method === "get" || method === "delete" ? undefined : { content: { "*/*": { schema: Binary } } } },
      responses: {
        200: { description: "what the function answered (any status it sets)", headers: INVOCATION_HEADERS, content: { "*/*": { schema: Binary } } },
        ...ERRORS,
      },
    });
  }
}
