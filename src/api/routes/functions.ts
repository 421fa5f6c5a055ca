// Management routes (all need the bearer token): deploy, list, get, delete.

import { Hono } from "hono";
import { registryStub } from "../../registry/index.ts";
import { UnknownFunctionError } from "../../runtime/index.ts";
import { secretNamesByFunction } from "../../services/index.ts";
import { requireToken } from "../auth.ts";
import { deactivateEverywhere, deployFunction } from "../deploy-pipeline.ts";
import { readDeployRequest } from "../deploy-request.ts";
import { functionView } from "../function-view.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";

export const functionRoutes = new Hono<HonoEnv>();

functionRoutes.use("/v1/functions", async (c, next) => {
  await requireToken(c.req.header("authorization"), c.env.HELIOS_TOKEN);
  await next();
});
functionRoutes.use("/v1/functions/:name", async (c, next) => {
  await requireToken(c.req.header("authorization"), c.env.HELIOS_TOKEN);
  await next();
});

functionRoutes.put("/v1/functions/:name", async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const input = await readDeployRequest(c.req.raw);
  const { version, previous, secretNames } = await deployFunction(c.env, name, input);
  return c.json(
    { function: functionView(version, secretNames), previousVersion: previous?.version ?? null },
    previous === null ? 201 : 200,
  );
});

functionRoutes.get("/v1/functions", async (c) => {
  const [versions, secrets] = await Promise.all([registryStub(c.env).listFunctions(), secretNamesByFunction(c.env)]);
  return c.json({ functions: versions.map((version) => functionView(version, secrets[version.name] ?? [])) });
});

functionRoutes.get("/v1/functions/:name", async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const registry = registryStub(c.env);
  const [details, secrets] = await Promise.all([registry.getFunction(name), registry.secretInfo(name)]);
  if (details === null) throw new UnknownFunctionError(name);
  return c.json({ function: functionView(details.current, secrets.map((s) => s.name)), history: details.history });
});

functionRoutes.delete("/v1/functions/:name", async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const deleted = await registryStub(c.env).deleteFunction(name);
  if (deleted === null) throw new UnknownFunctionError(name);
  await deactivateEverywhere(c.env, deleted.last, deleted.tombstoneVersion);
  return c.json({ deleted: name, lastVersion: deleted.last.version });
});
