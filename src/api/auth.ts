// Who is calling: no token, the admin token (HELIOS_TOKEN), or a scoped token (src/services/token-service.ts). A
// presented token that is neither is refused on every route, public ones included (authenticate, in app.ts).
//
// The admin token is compared with the binding in constant time and costs no storage read. Both sides are hashed to
// fixed-length digests first, so the comparison takes the same time whatever the presented token's length or content.

import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";
import type { TokenInfo } from "../registry/index.ts";
import { verifyScopedToken } from "../services/index.ts";
import { UnauthorizedError } from "./errors.ts";
import type { HonoEnv } from "./hono-env.ts";

const BEARER = /^Bearer ([\x21-\x7e]+)$/;

export type Principal = { kind: "anonymous" } | { kind: "admin" } | { kind: "token"; token: TokenInfo };

const ANONYMOUS: Principal = { kind: "anonymous" };
const ADMIN: Principal = { kind: "admin" };

/** The caller, or UnauthorizedError for a presented token that is wrong (malformed, unknown, revoked). */
export async function resolvePrincipal(authorization: string | undefined, env: Env): Promise<Principal> {
  if (authorization === undefined || authorization === "") return ANONYMOUS;
  const match = BEARER.exec(authorization);
  if (match === null) throw new UnauthorizedError();
  // An unset or empty admin token fails closed: nothing can authenticate as admin against it.
  if (env.HELIOS_TOKEN && (await constantTimeEqual(match[1], env.HELIOS_TOKEN))) return ADMIN;
  const token = await verifyScopedToken(env, match[1]);
  if (token === null) throw new UnauthorizedError();
  return { kind: "token", token };
}

/** Resolves the caller once per request, before any route, into `c.var.principal`. */
export const authenticate: MiddlewareHandler<HonoEnv> = async (c, next) => {
  c.set("principal", await resolvePrincipal(c.req.header("authorization"), c.env));
  await next();
};

async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}
