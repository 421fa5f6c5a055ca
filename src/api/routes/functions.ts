// Management routes: deploy, list, get, delete; versions, deployments, rollback and aliases. The admin token, or a
// scoped token: `deploy` for names under its prefix, `read` for GETs (src/api/permissions.ts). Each parses the
// request, calls the deploy service (src/services/deploy-service.ts) and answers.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { registryStub } from "../../registry/index.ts";
import { outboundPolicy } from "../../runtime/index.ts";
import {
  deleteFunction,
  deployFunction,
  describeFunction,
  listDeployments,
  listVersions,
  rollbackFunction,
  routeFunction,
  secretNamesByFunction,
  setAlias,
} from "../../services/index.ts";
import { DEPLOY_SETTINGS, readDeployRequest } from "../deploy-request.ts";
import { aliasBody, assertAliasName, deploymentBody, parseWith, readJsonBody, rollbackBody, versionsQuery } from "../deployment-request.ts";
import { functionView } from "../function-view.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertAllowedHosts, assertFunctionName, parseManifest } from "../manifest.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import {
  Binary,
  Deployment,
  DeploymentBody,
  DeployManifest,
  FunctionView,
  NameParam,
  RollbackBody,
  RouteBody,
  VersionShare,
  VersionSummary,
} from "../openapi/schemas.ts";
import { canSee, functionPermission, requirePermission } from "../permissions.ts";
import { type CallerLocation, regionConfig, regionHere } from "../regions.ts";

const DeploySettingsQuery = z.object(
  Object.fromEntries(DEPLOY_SETTINGS.map((s) => [s.query, z.string().optional().openapi({ description: `manifest field ${s.field} (or header ${s.header})` })])),
);

const AliasParams = NameParam.extend({ alias: z.string().openapi({ param: { name: "alias", in: "path" }, example: "canary" }) });
const guard = requirePermission(functionPermission);

const DeployAnswer = z.object({
  function: FunctionView,
  previousVersion: z.number().int().nullable(),
  created: z.boolean().openapi({ description: "false: identical bytes and settings were deployed before; that version is answered, none is minted" }),
  deployment: Deployment,
});

const deploy = ownBody(
  createRoute({
    method: "put",
    path: "/v1/functions/{name}",
    summary: "Deploy (or redeploy) a function",
    description: "Raw `application/wasm` with settings in the query or `x-helios-*` headers, or `multipart/form-data` with a `manifest` (JSON) and a `module` part. An identical redeploy answers 200 with the existing version. Admin, or a deploy token whose prefix covers the name.",
    security: TOKEN,
    middleware: guard,
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
      200: { description: "redeployed: a new version, or the existing one for an identical redeploy", content: { "application/json": { schema: DeployAnswer } } },
      201: { description: "first deploy", content: { "application/json": { schema: DeployAnswer } } },
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
  summary: "Current version, version history and current deployment",
  security: TOKEN,
  middleware: guard,
  request: { params: NameParam },
  responses: {
    200: {
      description: "the function",
      content: { "application/json": { schema: z.object({ function: FunctionView, history: z.array(VersionSummary), deployment: Deployment }) } },
    },
    ...ERRORS,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/functions/{name}",
  summary: "Remove a function from every region (its secrets too)",
  security: TOKEN,
  middleware: guard,
  request: { params: NameParam },
  responses: {
    200: { description: "deleted", content: { "application/json": { schema: z.object({ deleted: z.string(), lastVersion: z.number().int() }) } } },
    ...ERRORS,
  },
});

const versions = createRoute({
  method: "get",
  path: "/v1/functions/{name}/versions",
  summary: "Versions, newest first, each with all its settings",
  security: TOKEN,
  middleware: guard,
  request: {
    params: NameParam,
    query: z.object({
      limit: z.string().optional().openapi({ description: "1 to 100 (default 50)" }),
      before: z.string().optional().openapi({ description: "only versions below this number (the previous page's nextBefore)" }),
    }),
  },
  responses: {
    200: {
      description: "one page of versions",
      content: {
        "application/json": {
          schema: z.object({ versions: z.array(FunctionView), deployment: Deployment, nextBefore: z.number().int().nullable() }),
        },
      },
    },
    ...ERRORS,
  },
});

const deployments = createRoute({
  method: "get",
  path: "/v1/functions/{name}/deployments",
  summary: "Deployments, newest first",
  security: TOKEN,
  middleware: guard,
  request: { params: NameParam, query: z.object({ limit: z.string().optional().openapi({ description: "1 to 100 (default 50)" }) }) },
  responses: {
    200: { description: "the deployments", content: { "application/json": { schema: z.object({ deployments: z.array(Deployment) }) } } },
    ...ERRORS,
  },
});

const route = ownBody(
  createRoute({
    method: "post",
    path: "/v1/functions/{name}/deployments",
    summary: "A new default route: one version, or a percentage split, optionally in named regions",
    security: TOKEN,
    middleware: guard,
    request: { params: NameParam, body: { required: true, content: { "application/json": { schema: DeploymentBody } } } },
    responses: {
      201: { description: "the new deployment", content: { "application/json": { schema: z.object({ deployment: Deployment }) } } },
      ...ERRORS,
    },
  }),
);

const rollback = ownBody(
  createRoute({
    method: "post",
    path: "/v1/functions/{name}/rollback",
    summary: "Back to the previous version (no body) or to a named one: a new deployment, nothing uploaded",
    security: TOKEN,
    middleware: guard,
    request: { params: NameParam, body: { required: false, content: { "application/json": { schema: RollbackBody } } } },
    responses: {
      200: {
        description: "the version now deployed and the deployment",
        content: { "application/json": { schema: z.object({ function: FunctionView, deployment: Deployment }) } },
      },
      ...ERRORS,
    },
  }),
);

const aliases = createRoute({
  method: "get",
  path: "/v1/functions/{name}/aliases",
  summary: "The function's aliases and the deployment they belong to",
  security: TOKEN,
  middleware: guard,
  request: { params: NameParam },
  responses: {
    200: {
      description: "alias -> route",
      content: { "application/json": { schema: z.object({ aliases: z.record(z.array(VersionShare)), deployment: z.number().int() }) } },
    },
    ...ERRORS,
  },
});

const putAlias = ownBody(
  createRoute({
    method: "put",
    path: "/v1/functions/{name}/aliases/{alias}",
    summary: "Point an alias (invoke name@alias) at one version or a split: a new deployment",
    security: TOKEN,
    middleware: guard,
    request: { params: AliasParams, body: { required: true, content: { "application/json": { schema: RouteBody } } } },
    responses: {
      200: {
        description: "the alias's route and the deployment",
        content: { "application/json": { schema: z.object({ alias: z.string(), route: z.array(VersionShare), deployment: Deployment }) } },
      },
      ...ERRORS,
    },
  }),
);

const deleteAlias = createRoute({
  method: "delete",
  path: "/v1/functions/{name}/aliases/{alias}",
  summary: "Remove an alias: a new deployment",
  security: TOKEN,
  middleware: guard,
  request: { params: AliasParams },
  responses: {
    200: { description: "removed", content: { "application/json": { schema: z.object({ deleted: z.string(), deployment: Deployment }) } } },
    ...ERRORS,
  },
});

/** The :name parameter, checked. */
function checkedName(name: string): string {
  assertFunctionName(name);
  return name;
}

export const functionRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(deploy, async (c) => {
    const name = checkedName(c.req.param("name"));
    const input = await readDeployRequest(c.req.raw);
    // Secrets travel apart from the version's settings: sealed, stored per function, never in a version document.
    const config = regionConfig(c.env);
    const { secrets, ...settings } = parseManifest(input.manifest, config.regions);
    assertAllowedHosts(settings.allowedHosts, outboundPolicy(c.env, input.selfHost === undefined ? [] : [input.selfHost]));
    const warmRegion = regionHere(config, c.req.raw.cf as CallerLocation | undefined);
    const outcome = await deployFunction(c.env, name, settings, input.module, secrets, { warmRegion });
    const body = {
      function: functionView(outcome.version, outcome.secretNames),
      previousVersion: outcome.previous?.version ?? null,
      // false: identical bytes and settings were deployed before; that version is answered, none is minted.
      created: outcome.created,
      deployment: outcome.deployment,
    };
    return outcome.previous === null && outcome.created ? c.json(body, 201) : c.json(body, 200);
  })
  .openapi(list, async (c) => {
    const [versions, secrets] = await Promise.all([registryStub(c.env).listFunctions(), secretNamesByFunction(c.env)]);
    const visible = versions.filter((version) => canSee(c.var.principal, version.name));
    return c.json({ functions: visible.map((version) => functionView(version, secrets[version.name] ?? [])) }, 200);
  })
  .openapi(get, async (c) => {
    const name = checkedName(c.req.param("name"));
    const [details, secrets] = await Promise.all([describeFunction(c.env, name), registryStub(c.env).secretInfo(name)]);
    return c.json(
      { function: functionView(details.current, secrets.map((s) => s.name)), history: details.history, deployment: details.deployment },
      200,
    );
  })
  .openapi(remove, async (c) => {
    const name = checkedName(c.req.param("name"));
    const { last } = await deleteFunction(c.env, name);
    return c.json({ deleted: name, lastVersion: last.version }, 200);
  })
  .openapi(versions, async (c) => {
    const name = checkedName(c.req.param("name"));
    const query = parseWith(versionsQuery, c.req.query());
    const [{ versions, deployment }, secrets] = await Promise.all([
      listVersions(c.env, name, query.limit, query.before),
      registryStub(c.env).secretInfo(name),
    ]);
    const secretNames = secrets.map((s) => s.name);
    const last = versions.at(-1);
    return c.json(
      {
        versions: versions.map((version) => functionView(version, secretNames)),
        deployment,
        nextBefore: versions.length === query.limit && last !== undefined && last.version > 1 ? last.version : null,
      },
      200,
    );
  })
  .openapi(deployments, async (c) => {
    const name = checkedName(c.req.param("name"));
    const query = parseWith(versionsQuery.pick({ limit: true }), c.req.query());
    return c.json({ deployments: await listDeployments(c.env, name, query.limit) }, 200);
  })
  .openapi(route, async (c) => {
    const name = checkedName(c.req.param("name"));
    const { route, regions } = parseWith(deploymentBody(regionConfig(c.env).regions), await readJsonBody(c.req.raw));
    return c.json({ deployment: await routeFunction(c.env, name, route, regions) }, 201);
  })
  .openapi(rollback, async (c) => {
    const name = checkedName(c.req.param("name"));
    const body = parseWith(rollbackBody, await readJsonBody(c.req.raw));
    const [{ deployment, version }, secrets] = await Promise.all([
      rollbackFunction(c.env, name, body.version),
      registryStub(c.env).secretInfo(name),
    ]);
    return c.json({ function: functionView(version, secrets.map((s) => s.name)), deployment }, 200);
  })
  .openapi(aliases, async (c) => {
    const { deployment } = await describeFunction(c.env, checkedName(c.req.param("name")));
    return c.json({ aliases: deployment.routes?.aliases ?? {}, deployment: deployment.seq }, 200);
  })
  .openapi(putAlias, async (c) => {
    const name = checkedName(c.req.param("name"));
    const alias = c.req.param("alias");
    assertAliasName(alias);
    const route = parseWith(aliasBody, await readJsonBody(c.req.raw));
    const deployment = await setAlias(c.env, name, alias, route);
    return c.json({ alias, route: deployment.routes!.aliases[alias]!, deployment }, 200);
  })
  .openapi(deleteAlias, async (c) => {
    const name = checkedName(c.req.param("name"));
    const alias = c.req.param("alias");
    assertAliasName(alias);
    const deployment = await setAlias(c.env, name, alias, null);
    return c.json({ deleted: alias, deployment }, 200);
  });
