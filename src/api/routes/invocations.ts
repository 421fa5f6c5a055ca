// Asynchronous invocations: GET /v1/invocations/:id (status, result or error, attempts, next retry), a function's
// invocations by status (the dead-letter list), replay and discard of a dead letter. Queued by
// POST /v1/functions/:name/invoke?mode=async (invoke.ts). A private function's invocations need a token that may
// invoke it; a public one's id is its own capability (128 random bits).

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { listInvocations, queueStub, readInvocation, parseInvocationId, shardCount, type InvocationView } from "../../invocations/index.ts";
import { UnknownInvocationError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERRORS, PUBLIC, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { authorize, requirePermission } from "../permissions.ts";
import { regionConfig } from "../regions.ts";
import { MAX_LIST } from "../../invocations/async-limits.ts";
import type { Context } from "hono";

export const InvocationSchema = z
  .object({
    id: z.string().openapi({ example: "inv_wnam_3_9f86d081884c7d659a2feaa0c55ad015" }),
    function: z.string(),
    status: z.enum(["queued", "running", "succeeded", "dead_letter"]),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    requestId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable().openapi({ description: "when the next attempt starts (queued only)" }),
    expiresAt: z.string().nullable().openapi({ description: "when the record is dropped (succeeded and dead letters)" }),
    result: z
      .object({
        output: z.string().openapi({ description: "the output, base64" }),
        text: z.string().optional().openapi({ description: "the output as text, when it is UTF-8" }),
        outputBytes: z.number().int(),
        outputTruncated: z.boolean(),
        status: z.number().int(),
        headers: z.array(z.array(z.string())),
        usage: z.object({ fuelUsed: z.number(), memoryPages: z.number(), durationMs: z.number(), leakedBlocks: z.number(), sandboxRuns: z.number(), hostCalls: z.record(z.number()) }),
        region: z.string(),
        version: z.number().int(),
        sha256: z.string(),
        deployment: z.number().int().optional(),
      })
      .nullable(),
    error: z.object({ code: z.string(), message: z.string(), status: z.number().int().optional() }).nullable().openapi({ description: "the last attempt's failure" }),
    private: z.boolean(),
  })
  .openapi("Invocation");

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "inv_wnam_3_9f86d081884c7d659a2feaa0c55ad015" }) });

const get = createRoute({
  method: "get",
  path: "/v1/invocations/{id}",
  summary: "An asynchronous invocation: queued, running, succeeded (with the result) or dead_letter (with the error)",
  description: "Public for a public function (the id is unguessable); a private function's need a token that may invoke it. Unknown, malformed and expired ids are 404.",
  security: PUBLIC,
  request: { params: IdParam },
  responses: { 200: { description: "the invocation", content: { "application/json": { schema: InvocationSchema } } }, ...ERRORS },
});

const list = createRoute({
  method: "get",
  path: "/v1/functions/{name}/invocations",
  summary: "A function's asynchronous invocations in one status (default dead_letter: the dead-letter list), over every shard",
  security: TOKEN,
  middleware: requirePermission((c) => ({ action: "read", functionName: c.req.param("name") ?? "" })),
  request: {
    params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "hello" }) }),
    query: z.object({
      status: z.enum(["queued", "running", "succeeded", "dead_letter"]).optional(),
      region: z.string().optional().openapi({ description: "one configured region (default: all)" }),
      limit: z.coerce.number().int().min(1).max(MAX_LIST).optional(),
    }),
  },
  responses: { 200: { description: "oldest first", content: { "application/json": { schema: z.object({ invocations: z.array(InvocationSchema) }) } } }, ...ERRORS },
});

const replay = createRoute({
  method: "post",
  path: "/v1/invocations/{id}/replay",
  summary: "Queue a dead letter again, with a fresh attempt count (a token that may invoke the function)",
  security: TOKEN,
  request: { params: IdParam },
  responses: { 200: { description: "queued again", content: { "application/json": { schema: z.object({ id: z.string(), status: z.literal("queued") }) } } }, ...ERRORS },
});

const discard = createRoute({
  method: "delete",
  path: "/v1/invocations/{id}",
  summary: "Drop a dead letter (a token that may deploy the function)",
  security: TOKEN,
  request: { params: IdParam },
  responses: { 200: { description: "dropped", content: { "application/json": { schema: z.object({ discarded: z.string() }) } } }, ...ERRORS },
});

/** The invocation if the caller may see it; 404 (never 500) for anything unknown. */
async function visible(c: Context<HonoEnv>, id: string): Promise<InvocationView> {
  const view = await readInvocation(c.env, regionConfig(c.env).regions, id);
  if (view === null) throw new UnknownInvocationError(id);
  if (view.private) authorize(c.var.principal, { action: "invoke", functionName: view.function });
  return view;
}

function stubOf(c: Context<HonoEnv>, id: string) {
  const address = parseInvocationId(id, regionConfig(c.env).regions, shardCount(c.env.HELIOS_ASYNC_SHARDS));
  if (address === null) throw new UnknownInvocationError(id);
  return queueStub(c.env, address);
}

export const invocationRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(get, async (c) => c.json(await visible(c, c.req.valid("param").id), 200))
  .openapi(list, async (c) => {
    const query = c.req.valid("query");
    const config = regionConfig(c.env);
    if (query.region !== undefined && !config.regions.includes(query.region)) return c.json({ invocations: [] }, 200);
    const regions = query.region !== undefined ? [query.region] : config.regions;
    const invocations = await listInvocations(c.env, regions, c.req.valid("param").name, query.status ?? "dead_letter", query.limit ?? MAX_LIST);
    return c.json({ invocations }, 200);
  })
  .openapi(replay, async (c) => {
    const { id } = c.req.valid("param");
    const view = await visible(c, id);
    authorize(c.var.principal, { action: "invoke", functionName: view.function });
    if (!(await stubOf(c, id).replay(id))) throw new UnknownInvocationError(id);
    return c.json({ id, status: "queued" as const }, 200);
  })
  .openapi(discard, async (c) => {
    const { id } = c.req.valid("param");
    const view = await visible(c, id);
    authorize(c.var.principal, { action: "deploy", functionName: view.function });
    if (!(await stubOf(c, id).discard(id))) throw new UnknownInvocationError(id);
    return c.json({ discarded: id }, 200);
  });
