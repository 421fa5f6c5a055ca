// Function secrets (admin token, or a scoped token: `read` lists names, `deploy` under its prefix sets): write-only values, set and deleted one by one; GET shows names and
// update times only. The values reach the guest through heliosdb_config_get.

import { Hono } from "hono";
import * as secrets from "../../services/index.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { functionPermission, requirePermission } from "../permissions.ts";
import { assertSecretName, readSecretValue } from "../secret-request.ts";

export const secretRoutes = new Hono<HonoEnv>();

const BASE = "/v1/functions/:name/secrets";

for (const path of [BASE, `${BASE}/*`]) {
  secretRoutes.use(path, requirePermission(functionPermission));
}

secretRoutes.get(BASE, async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  return c.json({ secrets: await secrets.listSecrets(c.env, name) });
});

secretRoutes.put(`${BASE}/:secret`, async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const secret = assertSecretName(c.req.param("secret"));
  const value = await readSecretValue(c.req.raw);
  const { created, secret: info } = await secrets.setSecret(c.env, name, secret, value);
  return c.json({ secret: info }, created ? 201 : 200);
});

secretRoutes.delete(`${BASE}/:secret`, async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const secret = assertSecretName(c.req.param("secret"));
  await secrets.deleteSecret(c.env, name, secret);
  return c.json({ deleted: secret });
});
