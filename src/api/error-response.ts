// The one place errors become HTTP responses: `{ "error": { "code", "message", ...fields } }` with the status the
// error catalogue (src/errors/catalogue.ts) assigns to the code. Errors from every layer carry a stable `code`;
// their public fields become extra members of the error object. Anything without a known code is an internal
// error and its message is not exposed.

import { ERROR_CATALOGUE, ERROR_CODES, isErrorCode, type ErrorCode } from "../errors/index.ts";

/** Status per code, derived from the catalogue. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.fromEntries(
  ERROR_CODES.map((code) => [code, ERROR_CATALOGUE[code].status]),
) as Record<ErrorCode, number>;

const HIDDEN_FIELDS = new Set(["name", "message", "stack", "code", "cause"]);

export interface ErrorBody {
  error: { code: string; message: string; [field: string]: unknown };
}

export function errorResponse(error: unknown): Response {
  const code = knownCode(error);
  if (code === null) {
    console.error("unhandled error", error);
    return json({ error: { code: "internal", message: "internal error" } }, STATUS_BY_CODE.internal);
  }
  const err = error as Error & Record<string, unknown>;
  const body: ErrorBody = { error: { code, message: err.message } };
  for (const [field, value] of Object.entries(err)) {
    if (!HIDDEN_FIELDS.has(field) && value !== undefined) body.error[field] = plain(value);
  }
  return json(body, STATUS_BY_CODE[code]);
}

function knownCode(error: unknown): ErrorCode | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return isErrorCode(code) && code !== "internal" ? code : null;
}

/** JSON has no BigInt (fuel budgets are i64). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
}

function json(body: ErrorBody, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}
