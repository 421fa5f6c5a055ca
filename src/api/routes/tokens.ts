// Scoped tokens (admin token only): create (the token is in this one answer and nowhere else), list, revoke.

import { Hono } from "hono";
import * as tokens from "../../services/index.ts";
import { readJsonBody } from "../database-request.ts";
import type { HonoEnv } from "../hono-env.ts";
import { requirePermission } from "../permissions.ts";
import { assertTokenId, parseTokenRequest } from "../token-request.ts";

export const tokenRoutes = new Hono<HonoEnv>();

for (const path of ["/v1/tokens", "/v1/tokens/*"]) tokenRoutes.use(path, requirePermission(() => ({ action: "admin" })));

tokenRoutes.post("/v1/tokens", async (c) => {
  const spec = parseTokenRequest(await readJsonBody(c.req.raw));
  const { token, info } = await tokens.createToken(c.env, spec);
  return c.json({ token, info }, 201);
});

tokenRoutes.get("/v1/tokens", async (c) => c.json({ tokens: await tokens.listTokens(c.env) }));

tokenRoutes.delete("/v1/tokens/:id", async (c) => {
  const id = assertTokenId(c.req.param("id"));
  await tokens.revokeToken(c.env, id);
  return c.json({ revoked: id });
});
