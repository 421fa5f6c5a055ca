// What every declared route shares: the error responses (from the catalogue), the security requirement, the
// validation hook, and the rule for request bodies.
//
// Bodies: a route's body schema is part of its declaration (the OpenAPI document and the typed client see it), but
// the body is read by the runtime's own parsers: under a size cap before anything is parsed, with the catalogue's
// errors naming each field, never echoing a value (secrets). So `ownBody` takes the body out of what
// @hono/zod-openapi validates at run time and keeps the full declaration for the document (registerOwnBodyRoutes).

import type { RouteConfig, z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import { InvalidRequestError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERROR_RESPONSES } from "./error-schemas.ts";

/** Spread into a route's responses: every error status with its codes' schemas. */
export const ERRORS = ERROR_RESPONSES;

/** Routes that need a token (admin or scoped; the route's description says which scope). */
export const TOKEN: Record<string, string[]>[] = [{ bearerAuth: [] }];
/** Public routes: no token needed (a presented token must still be valid). */
export const PUBLIC: Record<string, string[]>[] = [{}, { bearerAuth: [] }];

/** A schema's refusal as invalid_request naming each field (the part of the request itself when the issue has no path). */
function invalidRequest(issues: readonly z.ZodIssue[], target: string): InvalidRequestError {
  return new InvalidRequestError(issues.map((issue) => ({ field: issue.path.length > 0 ? issue.path.join(".") : target, message: issue.message })));
}

/** Path and query validation failures become invalid_request naming the field, like every other refusal. */
export const validationHook: Hook<unknown, HonoEnv, string, void> = (result) => {
  if (!result.success) throw invalidRequest(result.error.issues, result.target);
};

/**
 * A query string checked against its declared schema in one synchronous parse, failing exactly as the validators
 * @hono/zod-openapi installs would (invalid_request naming the field; a repeated name arrives as a list). For hot
 * routes registered by hand (documentOnly): each installed validator is an async middleware with an async parse,
 * a few microseconds per request that the invocation path should not pay.
 */
export function parseQuery<S extends z.ZodTypeAny>(schema: S, params: URLSearchParams): z.output<S> {
  const raw: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    raw[name] = values.length === 1 ? values[0]! : values;
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw invalidRequest(result.error.issues, "query");
  return result.data;
}

/** Distinct query strings a QueryParser remembers the parse of (first in, first out). */
export const QUERY_CACHE_ENTRIES = 64;

/**
 * parseQuery for one schema, remembering the answers for the query strings it has seen. A parse is a pure function
 * of the string, and the clients of a hot route send the same few query strings again and again (every invocation
 * of one function with its region, say), so a repeated one costs a map lookup instead of a URLSearchParams and a zod
 * parse (a few microseconds a request). Answers are frozen: every request with that query shares one object.
 * Refusals are not remembered (each throws a new error).
 */
export class QueryParser<S extends z.ZodTypeAny> {
  private readonly answers = new Map<string, Readonly<z.output<S>>>();

  constructor(private readonly schema: S) {}

  /** `search`: the query string without its "?" ("" for none), as the URL has it. */
  parse(search: string): Readonly<z.output<S>> {
    const known = this.answers.get(search);
    if (known !== undefined) return known;
    const parsed = Object.freeze(parseQuery(this.schema, new URLSearchParams(search))) as Readonly<z.output<S>>;
    if (this.answers.size >= QUERY_CACHE_ENTRIES) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(search, parsed);
    return parsed;
  }
}

/** The query string of an absolute URL without its "?" ("" for none): what `new URL(url).search.slice(1)` gives for
 *  a URL the runtime already serialized (request.url), without parsing the whole URL again. */
export function searchOf(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const end = url.indexOf("#", start);
  return end === -1 ? url.slice(start + 1) : url.slice(start + 1, end);
}

const ownBodyRoutes: RouteConfig[] = [];

/**
 * The route as declared (its type keeps the body, for the typed client), registered at run time without the body
 * validator and hidden from the sub-app's document; the full declaration goes to the app's document instead.
 */
export function ownBody<R extends RouteConfig>(route: R): R {
  ownBodyRoutes.push(route);
  const { body: _body, ...request } = route.request ?? {};
  return { ...route, request, hide: true } as R;
}

/** Declarations documented but registered by hand (routes @hono/zod-openapi cannot express, like ANY /fn/:name/*). */
const documentedOnly: RouteConfig[] = [];

export function documentOnly(route: RouteConfig): void {
  documentedOnly.push(route);
}

/** Every full declaration the sub-apps kept out of their own registries. */
export function extraDeclarations(): readonly RouteConfig[] {
  return [...ownBodyRoutes, ...documentedOnly];
}
