// What a statement answers (admin SQL, the row API and the db host calls share the shape), what a refused or failed
// one answers, and running one checked statement into that shape under the result caps.

import { MAX_DB_PARAMS, MAX_DB_RESULT_BYTES, MAX_DB_RESULT_ROWS, serializeError } from "../sandbox/index.ts";
import { checkUserSql, type SqlRefusalReason } from "./sql-statement.ts";

export interface SqlResult {
  columns: string[];
  /** Values as JSON has them; a BLOB comes back as its bytes in lower-case hex. */
  rows: unknown[][];
  rowsRead: number;
  rowsWritten: number;
  lastRowId: number | null;
}

/**
 * Why a statement did not run or was undone. `sql_refused`: the check refused it (`reason` says which rule);
 * `sql_error`: SQLite failed it; `read_only`: a query wrote (rolled back); `result_too_large`: over the row or byte
 * cap (rolled back); `trigger_rejected`: a BEFORE trigger rejected the write (`trigger`, `table`; rolled back,
 * with everything else in its transaction); `transaction_timeout`: past the wall-clock limit (rolled back).
 */
export type SqlFailureCode = "sql_refused" | "sql_error" | "read_only" | "result_too_large" | "trigger_rejected" | "transaction_timeout";

export interface SqlFailure {
  ok: false;
  code: SqlFailureCode;
  reason?: SqlRefusalReason | "bad_params";
  message: string;
  /** trigger_rejected: the trigger that rejected, and the table the write touched. */
  trigger?: string;
  table?: string;
  /** trigger_rejected and transaction_timeout: the catalogued error, ready for errorFromSerialized(). */
  error?: PlainError;
}

/** A serialized error whose details are plain scalars (what an RPC return type can promise). */
export interface PlainError {
  code: string;
  message: string;
  details: Record<string, string | number | boolean | null>;
}

export function plainError(error: unknown, fallbackCode: string): PlainError {
  return serializeError(error, fallbackCode) as PlainError;
}

export type SqlOutcome = { ok: true; value: SqlResult } | SqlFailure;

/** Largest number of bound parameters (sql.exec's own limit). */
export const MAX_SQL_PARAMS = MAX_DB_PARAMS;

/** Thrown inside a savepoint to undo it; never escapes this layer. */
export class RollbackSignal extends Error {
  constructor(readonly outcome: SqlFailure) {
    super(outcome.message);
  }
}

/** The check every statement passes, plus the parameters' shape: a refusal, or null when it may run. */
export function refusalOf(text: string, params: unknown): SqlFailure | null {
  const check = checkUserSql(text);
  if (!check.ok) return { ok: false, code: "sql_refused", reason: check.reason, message: check.message! };
  if (!Array.isArray(params) || params.length > MAX_SQL_PARAMS) {
    return { ok: false, code: "sql_refused", reason: "bad_params", message: `params must be a JSON array of at most ${MAX_SQL_PARAMS} values` };
  }
  return null;
}

export function sqlError(error: unknown): SqlFailure {
  return { ok: false, code: "sql_error", message: error instanceof Error ? error.message : String(error) };
}

export const TOO_MANY_ROWS: SqlFailure = {
  ok: false,
  code: "result_too_large",
  message: `the result has more than ${MAX_DB_RESULT_ROWS} rows; add a LIMIT`,
};

/**
 * Runs one statement and reads its rows, at most MAX_DB_RESULT_ROWS of them (the cursor is not drained past the
 * cap). Throws SQLite's error; answers TOO_MANY_ROWS past the cap. Callers run it inside a savepoint, so a partial
 * statement is undone.
 */
export function runStatement(sql: SqlStorage, text: string, params: readonly unknown[]): SqlResult | SqlFailure {
  const cursor = sql.exec(text, ...(params as SqlStorageValue[]));
  const rows: unknown[][] = [];
  for (const row of cursor.raw()) {
    if (rows.length >= MAX_DB_RESULT_ROWS) return TOO_MANY_ROWS;
    rows.push(row.map(jsonValue));
  }
  const rowsWritten = cursor.rowsWritten;
  const lastRowId = rowsWritten > 0 ? Number(sql.exec<{ id: number }>("SELECT last_insert_rowid() AS id").one().id) : null;
  return { columns: cursor.columnNames, rows, rowsRead: cursor.rowsRead, rowsWritten, lastRowId };
}

function jsonValue(value: SqlStorageValue): unknown {
  if (value instanceof ArrayBuffer) return [...new Uint8Array(value)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return value;
}

/** The result as the JSON a guest receives, or null when it is over MAX_DB_RESULT_BYTES. */
export function encodeResult(result: SqlResult): Uint8Array | null {
  const bytes = new TextEncoder().encode(JSON.stringify(result));
  return bytes.byteLength <= MAX_DB_RESULT_BYTES ? bytes : null;
}

export const RESULT_TOO_LARGE: SqlFailure = {
  ok: false,
  code: "result_too_large",
  message: `the result is larger than ${MAX_DB_RESULT_BYTES} bytes`,
};
