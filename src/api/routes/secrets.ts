// Function secrets (admin token, or a scoped token: `read` lists names, `deploy` under its prefix sets): write-only
// values, set and deleted one by one; GET shows names and update times only. The values reach the guest through
// heliosdb_config_get.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as secrets from "../../services/index.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { NameParam, SecretBody, SecretInfo } from "../openapi/schemas.ts";
import { functionPermission, requirePermission } from "../permissions.ts";
import { assertSecretName, readSecretValue } from "../secret-request.ts";

const SecretParams = NameParam.extend({ secret: z.string().openapi({ param: { name: "secret", in: "path" }, example: "API_KEY" }) });
const guard = requirePermission(functionPermission);

const list = createRoute({
  method: "get",
  path: "/v1/functions/{name}/secrets",
  summary: "Secret names and update times (never values)",
  security: TOKEN,
  middleware: guard,
  request: { params: NameParam },
  responses: { 200: { description: "the secrets", content: { "application/json": { schema: z.object({ secrets: z.array(SecretInfo) }) } } }, ...ERRORS },
});

const put = ownBody(
  createRoute({
    method: "put",
    path: "/v1/functions/{name}/secrets/{secret}",
    summary: "Set a secret (write-only)",
    security: TOKEN,
    middleware: guard,
    request: { params: SecretParams, body: { required: true, content: { "application/json": { schema: SecretBody } } } },
    responses: {
      200: { description: "replaced", content: { "application/json": { schema: z.object({ secret: SecretInfo }) } } },
      201: { description: "created", content: { "application/json": { schema: z.object({ secret: SecretInfo }) } } },
      ...ERRORS,
    },
  }),
);

const remove = createRoute({
  method: "delete",
  path: "/v1/functions/{name}/secrets/{secret}",
  summary: "Remove a secret",
  security: TOKEN,
  middleware: guard,
  request: { params: SecretParams },
  responses: { 200: { description: "removed", content: { "application/json": { schema: z.object({ deleted: z.string() }) } } }, ...ERRORS },
});

export const secretRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(list, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    return c.json({ secrets: await secrets.listSecrets(c.env, name) }, 200);
  })
  .openapi(put, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    const secret = assertSecretName(c.req.param("secret"));
    const value = await readSecretValue(c.req.raw);
    const { created, secret: info } = await secrets.setSecret(c.env, name, secret, value);
    return created ? c.json({ secret: info }, 201) : c.json({ secret: info }, 200);
  })
  .openapi(remove, async (c) => {
    const name = c.req.param("name");
    assertFunctionName(name);
    const secret = assertSecretName(c.req.param("secret"));
    await secrets.deleteSecret(c.env, name, secret);
    return c.json({ deleted: secret }, 200);
  });
