// Parsing the database API's requests: path names, JSON bodies (read under a cap, JSON content type), rows as
// JSON objects of SQLite values, admin SQL bodies, and page parameters. Every refusal names its field.

import { DATABASE_NAME, MAX_SQL_PARAMS, paramFromJson, BLOB_MEMBER, type SqlParam } from "../database/index.ts";
import { DEFAULT_ROW_PAGE, MAX_ROW_PAGE, type RowValues } from "../services/index.ts";
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./errors.ts";
import { readBodyCapped } from "./read-body.ts";

/** Largest JSON body of a database request: a 2 MB row with its JSON and base64 overhead fits. */
export const MAX_DATABASE_BODY_BYTES = 4 * 1024 * 1024;

/** Checks a :db or :name path segment. */
export function assertDatabaseName(value: string, field: "database" | "trigger" | "subscription"): string {
  if (!DATABASE_NAME.test(value)) throw InvalidRequestError.of(field, `must match [a-z0-9_-]{1,63}, got ${JSON.stringify(value)}`);
  return value;
}

/** The body as JSON (content-type application/json, or none). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "" && mediaType !== "application/json") throw new UnsupportedMediaTypeError(mediaType, ["application/json"]);
  const bytes = await readBodyCapped(request, MAX_DATABASE_BODY_BYTES, () => new PayloadTooLargeError(MAX_DATABASE_BODY_BYTES));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw InvalidRequestError.of("body", "is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw InvalidRequestError.of("body", `is not valid JSON: ${(error as Error).message}`);
  }
}

const VALUE_RULE = `a string, number, boolean, null or {"${BLOB_MEMBER}": "..."} for a blob`;

function sqlValue(value: unknown, field: string): SqlParam {
  const param = paramFromJson(value);
  if (param === undefined) throw InvalidRequestError.of(field, `must be ${VALUE_RULE}`);
  return param;
}

/** A row: a JSON object of column -> value. `nonEmpty` for PATCH (nothing to change is a mistake). */
export function parseRow(body: unknown, options: { nonEmpty: boolean }): RowValues {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw InvalidRequestError.of("body", "must be a JSON object of column names to values");
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (options.nonEmpty && entries.length === 0) throw InvalidRequestError.of("body", "must name at least one column to change");
  if (entries.length > MAX_SQL_PARAMS) throw InvalidRequestError.of("body", `must have at most ${MAX_SQL_PARAMS} columns`);
  return entries.map(([column, value]) => [column, sqlValue(value, column)]);
}

/** `{ "sql": "...", "params": [...] }` (params optional, at most MAX_SQL_PARAMS). */
export function parseSqlBody(body: unknown): { sql: string; params: SqlParam[] } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw InvalidRequestError.of("body", `must be a JSON object {"sql": "...", "params": [...]}`);
  }
  const { sql, params = [], ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw InvalidRequestError.of(extra[0], "is not a field of an SQL request (sql, params)");
  if (typeof sql !== "string") throw InvalidRequestError.of("sql", "must be a string");
  if (!Array.isArray(params)) throw InvalidRequestError.of("params", "must be a JSON array");
  if (params.length > MAX_SQL_PARAMS) throw InvalidRequestError.of("params", `must have at most ${MAX_SQL_PARAMS} values (has ${params.length})`);
  return { sql, params: params.map((value, i) => sqlValue(value, `params[${i}]`)) };
}

/** `?limit=` (1..MAX_ROW_PAGE, default DEFAULT_ROW_PAGE) and `?cursor=`. */
export function parsePage(limit: string | undefined, cursor: string | undefined): { limit: number; cursor: string | null } {
  let pageLimit = DEFAULT_ROW_PAGE;
  if (limit !== undefined) {
    if (!/^\d{1,7}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_ROW_PAGE) {
      throw InvalidRequestError.of("limit", `must be an integer from 1 to ${MAX_ROW_PAGE}`);
    }
    pageLimit = Number(limit);
  }
  return { limit: pageLimit, cursor: cursor === undefined || cursor === "" ? null : cursor };
}
