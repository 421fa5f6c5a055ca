// The one mapping from a database object's SqlOutcome (results and failures as data) to a result or a catalogued
// error, shared by admin SQL and the row API, so a write refused by a BEFORE trigger answers the same whichever
// route made it.

import type { SqlOutcome, SqlResult } from "../database/database-object.ts";
import { valueToJson } from "../database/sql-values.ts";
import { errorFromSerialized } from "../runtime/index.ts";
import type { SerializedError } from "../sandbox/index.ts";
import { ConstraintViolationError, SqlError, SqlRefusedError, SqlResultTooLargeError } from "./errors.ts";

/**
 * A failure as the write path reports it. Failures the engine raises as catalogued errors (a BEFORE trigger's
 * rejection, a transaction past its wall-clock limit) carry that error serialized in `error`, rebuilt here; the
 * statement's own failures are codes with SQLite's message.
 */
interface Failure {
  code: string;
  reason?: string;
  message: string;
  error?: SerializedError;
}

/** SQLite's messages for SQLITE_CONSTRAINT ("UNIQUE constraint failed: t.id", "NOT NULL constraint failed: ..."). */
const CONSTRAINT_FAILED = /\b(UNIQUE|NOT NULL|CHECK|FOREIGN KEY|PRIMARY KEY) constraint failed\b/i;

export function unwrapSql(outcome: SqlOutcome): SqlResult {
  if (outcome.ok) return outcome.value;
  const failure: Failure = outcome;
  if (failure.error !== undefined) throw errorFromSerialized(failure.error);
  switch (failure.code) {
    case "sql_refused":
      throw new SqlRefusedError(failure.message, failure.reason ?? "refused_statement");
    case "result_too_large":
      throw new SqlResultTooLargeError(failure.message);
    default:
      if (CONSTRAINT_FAILED.test(failure.message)) throw new ConstraintViolationError(failure.message);
      throw new SqlError(failure.message);
  }
}

/** A result as JSON (blobs as lower-case hex text, as db_query gives them to guests). */
export function resultJson(result: SqlResult): SqlResult {
  return { ...result, rows: result.rows.map((row) => row.map(valueToJson)) };
}

/** Each result row as an object keyed by column name (values JSON-ready). */
export function rowObjects(result: SqlResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, valueToJson(row[i])])));
}
