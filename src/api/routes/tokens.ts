// Scoped tokens (admin token only): create (the token is in this one answer and nowhere else), list, revoke.

import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as tokens from "../../services/index.ts";
import { readJsonBody } from "../database-request.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { TokenBody, TokenInfo } from "../openapi/schemas.ts";
import { requirePermission } from "../permissions.ts";
import { assertTokenId, parseTokenRequest } from "../token-request.ts";

const adminOnly = requirePermission(() => ({ action: "admin" }));

const create = ownBody(
  createRoute({
    method: "post",
    path: "/v1/tokens",
    summary: "Create a scoped token (admin only); the token is shown in this answer only",
    security: TOKEN,
    middleware: adminOnly,
    request: { body: { required: true, content: { "application/json": { schema: TokenBody } } } },
    responses: {
      201: { description: "created", content: { "application/json": { schema: z.object({ token: z.string(), info: TokenInfo }) } } },
      ...ERRORS,
    },
  }),
);

const list = createRoute({
  method: "get",
  path: "/v1/tokens",
  summary: "Scoped tokens (never the tokens themselves)",
  security: TOKEN,
  middleware: adminOnly,
  responses: { 200: { description: "the tokens", content: { "application/json": { schema: z.object({ tokens: z.array(TokenInfo) }) } } }, ...ERRORS },
});

const revoke = createRoute({
  method: "delete",
  path: "/v1/tokens/{id}",
  summary: "Revoke a scoped token",
  security: TOKEN,
  middleware: adminOnly,
  request: { params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "tok_0123456789abcdef" }) }) },
  responses: { 200: { description: "revoked", content: { "application/json": { schema: z.object({ revoked: z.string() }) } } }, ...ERRORS },
});

export const tokenRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(create, async (c) => {
    const spec = parseTokenRequest(await readJsonBody(c.req.raw));
    const { token, info } = await tokens.createToken(c.env, spec);
    return c.json({ token, info }, 201);
  })
  .openapi(list, async (c) => c.json({ tokens: await tokens.listTokens(c.env) }, 200))
  .openapi(revoke, async (c) => {
    const id = assertTokenId(c.req.param("id"));
    await tokens.revokeToken(c.env, id);
    return c.json({ revoked: id }, 200);
  });
