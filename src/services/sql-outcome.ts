// The one mapping from a database object's SqlOutcome (results and failures as data) to a result or a catalogued
// error, shared by admin SQL and the row API, so a write refused by a BEFORE trigger answers the same whichever
// route made it.

import type { SqlOutcome, SqlResult } from "../database/index.ts";
import { valueToJson } from "../database/index.ts";
import { ConstraintViolationError, SqlError, SqlRefusedError, TriggerRejectedError } from "./errors.ts";

/** SqlOutcome's failure, with the trigger fields the write path adds when a BEFORE trigger says no. */
type Failure = Extract<SqlOutcome, { ok: false }> | { ok: false; code: "trigger_rejected"; trigger?: string; triggerName?: string; reason?: string; message: string };

/** SQLite's messages for SQLITE_CONSTRAINT ("UNIQUE constraint failed: t.id", "NOT NULL constraint failed: ..."). */
const CONSTRAINT_FAILED = /\b(UNIQUE|NOT NULL|CHECK|FOREIGN KEY|PRIMARY KEY) constraint failed\b/i;

export function unwrapSql(outcome: SqlOutcome): SqlResult {
  if (outcome.ok) return outcome.value;
  const failure = outcome as Failure;
  switch (failure.code) {
    case "sql_refused":
      throw new SqlRefusedError(failure.message, failure.reason ?? "refused_statement");
    case "trigger_rejected":
      throw new TriggerRejectedError(failure.trigger ?? failure.triggerName ?? "", failure.reason ?? failure.message);
    default:
      if (CONSTRAINT_FAILED.test(failure.message)) throw new ConstraintViolationError(failure.message);
      throw new SqlError(failure.message);
  }
}

/** A result as JSON: blobs become {"$base64"}. */
export function resultJson(result: SqlResult): SqlResult {
  return { ...result, rows: result.rows.map((row) => row.map(valueToJson)) };
}

/** Each result row as an object keyed by column name (values JSON-ready). */
export function rowObjects(result: SqlResult): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, valueToJson(row[i])])));
}
