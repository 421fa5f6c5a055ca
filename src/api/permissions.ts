// What each kind of caller may do, as data. Routes ask for a Permission (authorize); the admin token may do
// everything, no token only what public routes allow, and a scoped token what its scope's row below grants:
// "all", "prefix" (only functions whose name starts with the token's prefix), or nothing.

import type { Context, MiddlewareHandler } from "hono";
import type { TokenScope } from "../registry/index.ts";
import type { Principal } from "./auth.ts";
import { ForbiddenError, UnauthorizedError } from "./errors.ts";
import type { HonoEnv } from "./hono-env.ts";

/**
 * - `read`, `deploy`, `invoke`: on one function (deploy covers its secrets and deletion; invoke matters for private
 *   functions only, public ones need no token)
 * - `list`: the function list (answered filtered to what the caller may read)
 * - `read_any`: read-only routes that are not about one function (databases)
 * - `admin`: tokens, database writes and admin SQL
 */
export type Action = "read" | "deploy" | "invoke" | "list" | "read_any" | "admin";

export type Permission = { action: "read" | "deploy" | "invoke"; functionName: string } | { action: "list" | "read_any" | "admin" };

type Reach = "all" | "prefix" | "none";

export const SCOPE_GRANTS: Readonly<Record<TokenScope, Readonly<Record<Action, Reach>>>> = {
  deploy: { read: "prefix", deploy: "prefix", invoke: "prefix", list: "prefix", read_any: "none", admin: "none" },
  read: { read: "all", deploy: "none", invoke: "none", list: "all", read_any: "all", admin: "none" },
  invoke: { read: "none", deploy: "none", invoke: "prefix", list: "none", read_any: "none", admin: "none" },
};

export function allows(principal: Principal, permission: Permission): boolean {
  if (principal.kind === "admin") return true;
  if (principal.kind === "anonymous") return false;
  const reach = SCOPE_GRANTS[principal.token.scope][permission.action];
  if (reach === "prefix" && "functionName" in permission) return permission.functionName.startsWith(principal.token.prefix);
  return reach !== "none";
}

/** Whether the caller may see this function in a list (after `list` was allowed). */
export function canSee(principal: Principal, functionName: string): boolean {
  return allows(principal, { action: "read", functionName });
}

/** Throws unauthorized without a token, forbidden for a token whose scope does not cover the request. */
export function authorize(principal: Principal, permission: Permission): void {
  if (allows(principal, permission)) return;
  if (principal.kind !== "token") throw new UnauthorizedError();
  throw new ForbiddenError(principal.token.scope, permission.action, "functionName" in permission ? permission.functionName : undefined);
}

/** Middleware asking for the permission `pick` derives from the request. */
export function requirePermission(pick: (c: Context<HonoEnv>) => Permission): MiddlewareHandler<HonoEnv> {
  return async (c, next) => {
    authorize(c.var.principal, pick(c));
    await next();
  };
}

/** Reads of a function's routes need `read`, every other method `deploy`. */
export function functionPermission(c: Context<HonoEnv>): Permission {
  const functionName = c.req.param("name") ?? "";
  return isRead(c.req.method) ? { action: "read", functionName } : { action: "deploy", functionName };
}

export function isRead(method: string): boolean {
  return method === "GET" || method === "HEAD";
}
