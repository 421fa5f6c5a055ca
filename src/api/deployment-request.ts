// Request bodies of the deployment routes (rollback, default route, aliases) and the query of the versions listing,
// validated with zod into the service's types; an error names each offending field.

import { z } from "zod";
import { ALIAS_NAME, MAX_ROUTE_SHARES, routeProblem, type Route, singleRoute } from "../runtime/index.ts";
import { InvalidRequestError } from "./errors.ts";

const versionNumber = z.number({ invalid_type_error: "must be a number" }).int("must be an integer").positive("must be positive");

const share = z
  .object({
    version: versionNumber,
    percent: z.number({ required_error: "is required", invalid_type_error: "must be a number" }).positive("must be above 0").max(100, "must be at most 100"),
  })
  .strict();

/** `{ "version": N }` (100%) or `{ "versions": [{ "version", "percent" }, ...] }` adding up to 100. */
const routeFields = {
  version: versionNumber.optional(),
  versions: z.array(share).min(1, "must name at least one version").max(MAX_ROUTE_SHARES, `must split between at most ${MAX_ROUTE_SHARES} versions`).optional(),
};

function toRoute(body: { version?: number; versions?: Route }, ctx: z.RefinementCtx): Route {
  if ((body.version === undefined) === (body.versions === undefined)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["version"], message: 'give exactly one of "version" or "versions"' });
    return z.NEVER;
  }
  const route = body.versions ?? singleRoute(body.version!);
  const problem = routeProblem(route);
  if (problem !== null) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["versions"], message: problem });
    return z.NEVER;
  }
  return route;
}

export const aliasBody = z.object(routeFields).strict().transform(toRoute);

export function deploymentBody(configuredRegions: string[]) {
  return z
    .object({
      ...routeFields,
      regions: z
        .array(z.string().refine((r) => configuredRegions.includes(r), (r) => ({ message: `unknown region ${JSON.stringify(r)}; configured: ${configuredRegions.join(", ")}` })))
        .nonempty("must name at least one region")
        .refine((list) => new Set(list).size === list.length, "must not repeat a region")
        .optional(),
    })
    .strict()
    .transform((body, ctx) => ({ route: toRoute(body, ctx), regions: body.regions as string[] | undefined }));
}

export const rollbackBody = z.object({ version: versionNumber.optional() }).strict();

export const versionsQuery = z
  .object({
    limit: z.coerce.number().int("must be an integer").min(1, "must be at least 1").max(100, "must be at most 100").default(50),
    before: z.coerce.number().int("must be an integer").positive("must be positive").optional(),
  })
  .strict();

export function assertAliasName(alias: string): void {
  if (!ALIAS_NAME.test(alias)) throw InvalidRequestError.of("alias", "must start with a letter, then up to 62 characters of a-z, 0-9 and '-'");
}

/** Validates with `schema`, or throws invalid_request naming every bad field. */
export function parseWith<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidRequestError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : "body",
      message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
    })),
  );
}

/** The JSON body; an empty body is `{}` (a rollback needs none). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw InvalidRequestError.of("body", "is not valid JSON");
  }
}
