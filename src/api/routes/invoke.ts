// POST /v1/functions/:name/invoke — the hot path. It reads no storage and, unless the caller names another region,
// passes through no Durable Object: this Worker runs the sandbox from the deployment its isolate holds
// (src/regions/isolate-invoker.ts). The registry is consulted only when the region does not know the name (or alias,
// or pinned version). `:name` may be `name@alias`; `?version=N` pins a version; `x-helios-routing-key` makes a split
// sticky. Registered by hand (documented from the same declaration): its query is checked in one synchronous parse
// (route-kit.ts QueryParser, which remembers the parses of the query strings it has seen) instead of per-request
// validator middlewares.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { HonoEnv } from "../hono-env.ts";
import { type AsyncTarget, enqueueInvocation } from "../../invocations/index.ts";
import { httpRequestInfo, invocationPlace, invocationResponse, invokeInRegion, readPayload, withRequestId } from "../invoke-function.ts";
import { functionTarget, ROUTING_KEY_HEADER } from "../function-target.ts";
import { documentOnly, ERRORS, PUBLIC, QueryParser, searchOf } from "../openapi/route-kit.ts";
import { Binary } from "../openapi/schemas.ts";
import { allows } from "../permissions.ts";

/** The usage headers every successful invocation answers with (invoke-function.ts). */
export const INVOCATION_HEADERS = {
  "x-helios-request-id": { description: "the invocation's request id (also on its log lines)", schema: { type: "string" } },
  "x-helios-region": { description: "the region that ran it", schema: { type: "string" } },
  "x-helios-sha256": { description: "SHA-256 of the module as uploaded", schema: { type: "string" } },
  "x-helios-version": { description: "the version that ran", schema: { type: "integer" } },
  "x-helios-fuel-used": { description: "fuel used", schema: { type: "integer" } },
  "x-helios-memory-pages": { description: "memory pages at the end", schema: { type: "integer" } },
  "x-helios-duration-ms": { description: "wall time in the sandbox", schema: { type: "number" } },
  "x-helios-leaks": { description: "host-made blocks the guest never freed", schema: { type: "integer" } },
} as const;

const InvokeQuery = z.object({
  region: z.string().optional().openapi({ description: "one of the configured regions (or header x-helios-region)" }),
  version: z.string().optional().openapi({ description: "pin a version (a positive integer); not with an alias" }),
  mode: z.enum(["sync", "async"]).optional().openapi({ description: "async: answer 202 with an invocation id at once (GET /v1/invocations/{id})" }),
  maxAttempts: z.coerce.number().int().min(1).max(20).optional().openapi({ description: "async only: attempts in all (default 5)" }),
});

documentOnly(
  createRoute({
    method: "post",
    path: "/v1/functions/{name}/invoke",
    summary: "Invoke a function: the body is the payload, the answer its output",
    description: "Public unless the function is private (then the admin token, or a deploy or invoke token whose prefix covers the name). Header x-helios-routing-key makes a split sticky: the same key runs the same version of a given split.",
    security: PUBLIC,
    request: {
      params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "hello", description: "the function's name, or name@alias" }) }),
      query: InvokeQuery,
      body: { content: { "application/octet-stream": { schema: Binary } } },
    },
    responses: {
      200: {
        description: "the function's output (a version-2 guest may set another status and headers)",
        headers: INVOCATION_HEADERS,
        content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
      },
      202: { description: "queued (mode=async)", content: { "application/json": { schema: z.object({ id: z.string(), status: z.literal("queued"), location: z.string() }) } } },
      ...ERRORS,
    },
  }),
);

/** The query checked once per distinct query string (route-kit.ts QueryParser): clients repeat theirs. */
const invokeQuery = new QueryParser(InvokeQuery);

/** The query's types for the typed client (client.ts), as a validator would have given them. */
type InvokeInput = { in: { query: z.input<typeof InvokeQuery> }; out: { query: z.output<typeof InvokeQuery> } };

export const invokeRoutes = new OpenAPIHono<HonoEnv>().post("/v1/functions/:name/invoke", (c: Context<HonoEnv, "/v1/functions/:name/invoke", InvokeInput>) => withRequestId(c.req.raw, async (requestId) => {
  const search = searchOf(c.req.url);
  const query = invokeQuery.parse(search);
  const target = functionTarget(c.req.param("name"), query.version, c.req.header(ROUTING_KEY_HEADER));
  const place = invocationPlace(c.env, query.region ?? c.req.header("x-helios-region"), c.req.raw);
  const region = place.region;
  // A wrong token was refused before any route (authenticate); a private function needs one that may invoke it.
  const authorized = allows(c.var.principal, { action: "invoke", functionName: target.name });

  const payload = await readPayload(c.req.raw);
  if (query.mode === "async") {
    const asyncTarget: AsyncTarget = { point: target.point };
    if (target.alias !== undefined) asyncTarget.alias = target.alias;
    if (target.version !== undefined) asyncTarget.version = target.version;
    const id = await enqueueInvocation(c.env, {
      region, functionName: target.name, target: asyncTarget, payload, authorized, requestId,
      ...(query.maxAttempts !== undefined ? { maxAttempts: query.maxAttempts } : {}),
    });
    return c.json({ id, status: "queued" as const, location: `/v1/invocations/${id}` }, 202);
  }
  // A version-2 or WASI guest sees this as a POST to its root, with the query string as sent (made only for a guest
  // that can read it).
  const http = () => httpRequestInfo(c.req.raw, "/", search);
  const result = await invokeInRegion(c.env, place, target, payload, authorized, http, requestId, (p) => c.executionCtx.waitUntil(p));
  return invocationResponse(result, "POST", payload.byteLength);
}));
