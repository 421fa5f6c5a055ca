// Management routes: deploy, list, get, delete. The admin token, or a scoped token: `deploy` for names under its
// prefix, `read` for GETs (src/api/permissions.ts).

import { Hono } from "hono";
import { registryStub } from "../../registry/index.ts";
import { UnknownFunctionError } from "../../runtime/index.ts";
import { secretNamesByFunction } from "../../services/index.ts";
import { deactivateEverywhere, deployFunction } from "../deploy-pipeline.ts";
import { readDeployRequest } from "../deploy-request.ts";
import { functionView } from "../function-view.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { canSee, functionPermission, requirePermission } from "../permissions.ts";

export const functionRoutes = new Hono<HonoEnv>();

functionRoutes.use("/v1/functions", requirePermission(() => ({ action: "list" })));
functionRoutes.use("/v1/functions/:name", requirePermission(functionPermission));

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
  const visible = versions.filter((version) => canSee(c.var.principal, version.name));
  return c.json({ functions: visible.map((version) => functionView(version, secrets[version.name] ?? [])) });
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
