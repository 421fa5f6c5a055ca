// Management routes: deploy, list, get, delete. The admin token, or a scoped token: `deploy` for names under its
// prefix, `read` for GETs (src/api/permissions.ts).

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { registryStub } from "../../registry/index.ts";
import { UnknownFunctionError } from "../../runtime/index.ts";
import { secretNamesByFunction } from "../../services/index.ts";
import { deactivateEverywhere, deployFunction } from "../deploy-pipeline.ts";
import { DEPLOY_SETTINGS, readDeployRequest } from "../deploy-request.ts";
import { functionView } from "../function-view.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { Binary, DeployManifest, FunctionView, NameParam, VersionSummary } from "../openapi/schemas.ts";
import { canSee, functionPermission, requirePermission } from "../permissions.ts";

const DeploySettingsQuery = z.object(
  Object.fromEntries(DEPLOY_SETTINGS.map((s) => [s.query, z.string().optional().openapi({ description: `manifest field ${s.field} (or header ${s.header})` })])),
);

const deploy = ownBody(
  createRoute({
    method: "put",
    path: "/v1/functions/{name}",
    summary: "Deploy (or redeploy) a function",
    description: "Raw `application/wasm` with settings in the query or `x-helios-*` headers, or `multipart/form-data` with a `manifest` (JSON) and a `module` part. Admin, or a deploy token whose prefix covers the name.",
    security: TOKEN,
    middleware: [requirePermission(functionPermission)] as const,
    request: {
      params: NameParam,
      query: DeploySettingsQuery,
      body: {
        required: true,
        content: {
          "application/wasm": { schema: Binary },
          "multipart/form-data": { schema: z.object({ manifest: DeployManifest, module: Binary }) },
        },
      },
    },
    responses: {
      200: { description: "redeployed: a new version", content: { "application/json": { schema: z.object({ function: FunctionView, previousVersion: z.number().int().nullable() }) } } },
      201: { description: "first deploy", content: { "application/json": { schema: z.object({ function: FunctionView, previousVersion: z.number().int().nullable() }) } } },
      ...ERRORS,
    },
  }),
);

const list = createRoute({
  method: "get",
  path: "/v1/functions",
  summary: "Current version of every function the caller may read",
  security: TOKEN,
  middleware: [requirePermission(() => ({ action: "list" }))] as const,
  responses: { 200: { description: "the functions", content: { "application/json": { schema: z.object({ functions: z.array(FunctionView) }) } } }, ...ERRORS },
});

const get = createRoute({
  method: "get",
  path: "/v1/functions/{name}",
  summary: "Current version and version history",
  security: TOKEN,
  middleware: [requirePermission(functionPermission)] as const,
  request: { params: NameParam },
  responses: {
    200: { description: "the function", content: { "application/json": { schema: z.object({ function: FunctionView, history: z.array(VersionSummary) }) } } },
    ...ERRORS,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/functions/{name}",
  summary: "Remove a function from every region (its secrets too)",
  security: TOKEN,
  middleware: [requirePermission(functionPermission)] as const,
  request: { params: NameParam },
  responses: {
    200: { description: "deleted", content: { "application/json": { schema: z.object({ deleted: z.string(), lastVersion: z.number().int() }) } } },
    ...ERRORS,
  },
});

export const functionRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(deploy, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    const input = await readDeployRequest(c.req.raw);
    const { version, previous, secretNames } = await deployFunction(c.env, name, input);
    const body = { function: functionView(version, secretNames), previousVersion: previous?.version ?? null };
    return previous === null ? c.json(body, 201) : c.json(body, 200);
  })
  .openapi(list, async (c) => {
    const [versions, secrets] = await Promise.all([registryStub(c.env).listFunctions(), secretNamesByFunction(c.env)]);
    const visible = versions.filter((version) => canSee(c.var.principal, version.name));
    return c.json({ functions: visible.map((version) => functionView(version, secrets[version.name] ?? [])) }, 200);
  })
  .openapi(get, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    const registry = registryStub(c.env);
    const [details, secrets] = await Promise.all([registry.getFunction(name), registry.secretInfo(name)]);
    if (details === null) throw new UnknownFunctionError(name);
    return c.json({ function: functionView(details.current, secrets.map((s) => s.name)), history: details.history }, 200);
  })
  .openapi(remove, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    const deleted = await registryStub(c.env).deleteFunction(name);
    if (deleted === null) throw new UnknownFunctionError(name);
    await deactivateEverywhere(c.env, deleted.last, deleted.tombstoneVersion);
    return c.json({ deleted: name, lastVersion: deleted.last.version }, 200);
  });
