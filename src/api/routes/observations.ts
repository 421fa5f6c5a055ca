// Logs and metrics: GET /v1/functions/:name/logs, .../logs/tail (server-sent events), .../metrics, .../metrics/series
// (minute by minute), and every
// function's metrics as Prometheus text at GET /metrics. Reading needs `read` on the function (`read_any` for
// /metrics); the stores are per function and region (src/observe), so these routes ask each configured region.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { registryStub } from "../../registry/index.ts";
import { UnknownFunctionError } from "../../runtime/index.ts";
import { openTail, prometheusText, readLogs, readMetrics, readMetricsSeries } from "../../services/index.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { LOGS_QUERY, METRICS_QUERY, parseQuery, regionsOf, TAIL_QUERY } from "../observation-request.ts";
import { ERRORS, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { NameParam } from "../openapi/schemas.ts";
import { requirePermission } from "../permissions.ts";
import { regionConfig } from "../regions.ts";

const readFunction = requirePermission((c) => ({ action: "read", functionName: c.req.param("name") ?? "" }));

// Query parameters are parsed by observation-request.ts (its own errors); declared here as strings for the document.
const RegionQuery = { region: z.string().optional() };
const Line = z.record(z.unknown()).openapi("LogLine", { description: "one stored log line (time, level, message, region, requestId, version); see README" });
const Metrics = z.record(z.unknown()).openapi("FunctionMetrics", { description: "counts, errors by code, fuel and duration percentiles, bytes, host calls; see README" });

const logs = createRoute({
  method: "get", path: "/v1/functions/{name}/logs", summary: "Stored log lines of every invocation", security: TOKEN, middleware: readFunction,
  request: { params: NameParam, query: z.object({ ...RegionQuery, since: z.string().optional(), limit: z.string().optional(), level: z.string().optional() }) },
  responses: { 200: { description: "the lines", content: { "application/json": { schema: z.object({ function: z.string(), regions: z.array(z.string()), lines: z.array(Line) }) } } }, ...ERRORS },
});
const tail = createRoute({
  method: "get", path: "/v1/functions/{name}/logs/tail", summary: "Live log lines as server-sent events", security: TOKEN, middleware: readFunction,
  request: { params: NameParam, query: z.object({ ...RegionQuery, level: z.string().optional() }) },
  responses: { 200: { description: "an event stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...ERRORS },
});
const metrics = createRoute({
  method: "get", path: "/v1/functions/{name}/metrics", summary: "Metrics over recent windows", security: TOKEN, middleware: readFunction,
  request: { params: NameParam, query: z.object({ ...RegionQuery, window: z.string().optional() }) },
  responses: { 200: { description: "the metrics", content: { "application/json": { schema: Metrics } } }, ...ERRORS },
});
const Minute = z.record(z.unknown()).openapi("MetricsMinute", { description: "one minute's summary (as in .../metrics) and `at`, its start in epoch ms" });
const series = createRoute({
  method: "get", path: "/v1/functions/{name}/metrics/series", summary: "Metrics minute by minute", security: TOKEN, middleware: readFunction,
  request: { params: NameParam, query: z.object({ ...RegionQuery, window: z.string().optional() }) },
  responses: { 200: { description: "every minute of the window, oldest first", content: { "application/json": { schema: z.object({ function: z.string(), windowMinutes: z.number(), minutes: z.array(Minute) }) } } }, ...ERRORS },
});
const prometheus = createRoute({
  method: "get", path: "/metrics", summary: "Every function's metrics as Prometheus text", security: TOKEN,
  middleware: requirePermission(() => ({ action: "read_any" })),
  request: { query: z.object({ ...RegionQuery, window: z.string().optional() }) },
  responses: { 200: { description: "Prometheus exposition format", content: { "text/plain": { schema: z.string() } } }, ...ERRORS },
});

/** The function's name, once it is known to exist (a deleted function's stored logs stay readable until it is redeployed). */
async function knownFunction(c: Context<HonoEnv>): Promise<string> {
  const name = c.req.param("name")!;
  assertFunctionName(name);
  if ((await registryStub(c.env).getFunction(name)) === null) throw new UnknownFunctionError(name);
  return name;
}

export const observationRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
.openapi(logs, async (c) => {
  const query = parseQuery(LOGS_QUERY, c.req.query());
  const name = await knownFunction(c);
  const regions = regionsOf(regionConfig(c.env), query.region);
  const lines = await readLogs(c.env, name, regions, { limit: query.limit, ...(query.since !== undefined ? { since: query.since } : {}), ...(query.level !== undefined ? { level: query.level } : {}) });
  return c.json({ function: name, regions, lines }, 200);
})
.openapi(tail, async (c) => {
  const query = parseQuery(TAIL_QUERY, c.req.query());
  const name = await knownFunction(c);
  return openTail(c.env, name, regionsOf(regionConfig(c.env), query.region), query.level);
})
.openapi(metrics, async (c) => {
  const query = parseQuery(METRICS_QUERY, c.req.query());
  const name = await knownFunction(c);
  // FunctionMetrics (an interface, no index signature) is the documented open object.
  const result = (await readMetrics(c.env, name, regionsOf(regionConfig(c.env), query.region), query.window)) as unknown as Record<string, unknown>;
  return c.json(result, 200) as never;
})
.openapi(series, async (c) => {
  const query = parseQuery(METRICS_QUERY, c.req.query());
  const name = await knownFunction(c);
  const result = await readMetricsSeries(c.env, name, regionsOf(regionConfig(c.env), query.region), query.window);
  return c.json(result as unknown as { function: string; windowMinutes: number; minutes: Record<string, unknown>[] }, 200);
})
.openapi(prometheus, async (c) => {
  const query = parseQuery(METRICS_QUERY, c.req.query());
  const config = regionConfig(c.env);
  const functions = await registryStub(c.env).listFunctions();
  // Each function where it is deployed (or the one region asked for): one store call per function and region.
  const all = await Promise.all(functions.map((fn) => {
    const regions = query.region !== undefined ? regionsOf(config, query.region) : fn.regions.filter((r) => config.regions.includes(r));
    return readMetrics(c.env, fn.name, regions, query.window);
  }));
  return c.text(prometheusText(all), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});
