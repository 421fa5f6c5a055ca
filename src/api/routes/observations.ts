// Logs and metrics: GET /v1/functions/:name/logs, .../logs/tail (server-sent events), .../metrics, and every
// function's metrics as Prometheus text at GET /metrics. Reading needs `read` on the function (`read_any` for
// /metrics); the stores are per function and region (src/observe), so these routes ask each configured region.

import { Hono } from "hono";
import type { Context } from "hono";
import { registryStub } from "../../registry/index.ts";
import { UnknownFunctionError } from "../../runtime/index.ts";
import { openTail, prometheusText, readLogs, readMetrics } from "../../services/index.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { LOGS_QUERY, METRICS_QUERY, parseQuery, regionsOf, TAIL_QUERY } from "../observation-request.ts";
import { requirePermission } from "../permissions.ts";
import { regionConfig } from "../regions.ts";

export const observationRoutes = new Hono<HonoEnv>();

const readFunction = requirePermission((c) => ({ action: "read", functionName: c.req.param("name") ?? "" }));
observationRoutes.use("/v1/functions/:name/logs", readFunction);
observationRoutes.use("/v1/functions/:name/logs/tail", readFunction);
observationRoutes.use("/v1/functions/:name/metrics", readFunction);
observationRoutes.use("/metrics", requirePermission(() => ({ action: "read_any" })));

/** The function's name, once it is known to exist (a deleted function's stored logs stay readable until it is redeployed). */
async function knownFunction(c: Context<HonoEnv>): Promise<string> {
  const name = c.req.param("name")!;
  assertFunctionName(name);
  if ((await registryStub(c.env).getFunction(name)) === null) throw new UnknownFunctionError(name);
  return name;
}

observationRoutes.get("/v1/functions/:name/logs", async (c) => {
  const query = parseQuery(LOGS_QUERY, c.req.query());
  const name = await knownFunction(c);
  const regions = regionsOf(regionConfig(c.env), query.region);
  const lines = await readLogs(c.env, name, regions, { limit: query.limit, ...(query.since !== undefined ? { since: query.since } : {}), ...(query.level !== undefined ? { level: query.level } : {}) });
  return c.json({ function: name, regions, lines });
});

observationRoutes.get("/v1/functions/:name/logs/tail", async (c) => {
  const query = parseQuery(TAIL_QUERY, c.req.query());
  const name = await knownFunction(c);
  return openTail(c.env, name, regionsOf(regionConfig(c.env), query.region), query.level);
});

observationRoutes.get("/v1/functions/:name/metrics", async (c) => {
  const query = parseQuery(METRICS_QUERY, c.req.query());
  const name = await knownFunction(c);
  return c.json(await readMetrics(c.env, name, regionsOf(regionConfig(c.env), query.region), query.window));
});

observationRoutes.get("/metrics", async (c) => {
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
