// The OpenAPI error schemas, derived from the error catalogue (src/errors/catalogue.ts): one component per code
// (`{ "error": { "code", "message", ...its fields } }`), and per HTTP status the union of the codes answered with it.
// Every route lists every status a client can meet; host-call refusals (guestOnly) never reach HTTP and are left out.

import { z } from "@hono/zod-openapi";
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode, type ErrorField, type ErrorSpec } from "../../errors/index.ts";

const FIELD_SCHEMAS: Record<ErrorField["type"], () => z.ZodTypeAny> = {
  string: () => z.string(),
  number: () => z.number(),
  // JSON has no BigInt: sent as a decimal string (error-response.ts).
  bigint: () => z.string().regex(/^-?\d+$/),
  boolean: () => z.boolean(),
  "string[]": () => z.array(z.string()),
  "object[]": () => z.array(z.record(z.unknown())),
};

/** Fields an error response may carry beyond the catalogue's own: what the runtime attaches to invocation failures
 *  (usage and the guest's log lines, src/regions/region-object.ts). */
const INVOCATION_EXTRAS = {
  fuelUsed: z.number().optional(),
  memoryPages: z.number().optional(),
  logs: z.array(z.record(z.unknown())).optional(),
  leakedBlocks: z.number().optional(),
  leakedBytes: z.number().optional(),
};

function errorSchema(code: ErrorCode) {
  const spec: ErrorSpec = ERROR_CATALOGUE[code];
  const fields = Object.fromEntries(
    Object.entries(spec.fields).map(([name, field]) => {
      const schema = FIELD_SCHEMAS[field.type]();
      return [name, field.optional ? schema.optional() : schema];
    }),
  );
  return z
    .object({
      error: z
        .object({ code: z.literal(code), message: z.string(), ...INVOCATION_EXTRAS, ...fields })
        .strict()
        .openapi({ description: spec.when }),
    })
    .openapi(`Error_${code}`);
}

const HTTP_CODES = ERROR_CODES.filter((code) => !(ERROR_CATALOGUE[code] as ErrorSpec).guestOnly);

/** Error codes by status, in catalogue order. */
export const ERROR_CODES_BY_STATUS: ReadonlyMap<number, readonly ErrorCode[]> = (() => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of HTTP_CODES) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
})();

const SCHEMAS = new Map(HTTP_CODES.map((code) => [code, errorSchema(code)] as const));

function statusSchema(codes: readonly ErrorCode[]): z.ZodTypeAny {
  const schemas = codes.map((code) => SCHEMAS.get(code)!);
  return schemas.length === 1 ? schemas[0] : z.union(schemas as unknown as [z.ZodTypeAny, z.ZodTypeAny, ...z.ZodTypeAny[]]);
}

/** The `responses` entries of every error status (for spreading into a route's responses). Typed loosely on purpose:
 *  handlers throw errors (the one mapping in error-response.ts answers them), they never return these. */
export const ERROR_RESPONSES: Record<number, { description: string; content: { "application/json": { schema: object } } }> =
  Object.fromEntries(
    [...ERROR_CODES_BY_STATUS].map(([status, codes]) => [
      status,
      {
        description: `error: ${codes.map((code) => `\`${code}\``).join(", ")} (docs/errors.md)`,
        content: { "application/json": { schema: statusSchema(codes) } },
      },
    ]),
  );
