// Runs one checked statement of user or guest SQL, each in a savepoint of its own (storage.transactionSync):
//   - query: read-only because the engine says so, not because a keyword looked harmless. The statement runs in a
//     savepoint that is always rolled back, and a statement SQLite reports as having written rows is refused
//     (read_only). Nested inside a procedure's async transaction it sees the procedure's own writes: workerd's
//     transactionSync issues `SAVEPOINT _cf_sync_savepoint_<depth>` on the same connection, inside the outer
//     `_cf_savepoint_<depth>` (src/workerd/api/actor-state.c++, DurableObjectStorage::transactionSync).
//   - execute: the statement, atomically; a result over the caps undoes it. A schema statement (CREATE / ALTER /
//     DROP) re-makes the change-log capture triggers and appends its 'schema' entry inside the same savepoint.
// Results are capped (MAX_DB_RESULT_ROWS rows, MAX_DB_RESULT_BYTES of JSON) before anything leaves the object.

import { type DbCallOutcome, HostStatus } from "../sandbox/index.ts";
import { afterStatement, beforeStatement } from "./change-log-capture.ts";
import { headSeq } from "./change-log.ts";
import { encodeResult, refusalOf, RESULT_TOO_LARGE, RollbackSignal, runStatement, type SqlFailure, type SqlOutcome, sqlError } from "./sql-result.ts";

export interface RunOutcome {
  outcome: SqlOutcome;
  /** The result as the JSON a guest receives (when asked for and ok). */
  body?: Uint8Array;
}

/** Thrown to roll back a query's savepoint; carries what the query answered. */
class QueryDone extends Error {
  constructor(readonly run: RunOutcome) {
    super("query rolled back");
  }
}

export class StatementRunner {
  constructor(private readonly storage: DurableObjectStorage) {}

  refusal(text: string, params: unknown): SqlFailure | null {
    return refusalOf(text, params);
  }

  /** One read-only statement: answered, then rolled back whatever it did. */
  query(text: string, params: readonly unknown[]): RunOutcome {
    const refused = refusalOf(text, params);
    if (refused !== null) return { outcome: refused };
    try {
      this.storage.transactionSync(() => {
        const result = runUserStatement(this.storage.sql, text, params);
        if ("ok" in result) throw new QueryDone({ outcome: result });
        if (result.rowsWritten > 0) {
          throw new QueryDone({ outcome: { ok: false, code: "read_only", message: `db_query is read-only, and the statement wrote ${result.rowsWritten} row(s); it was rolled back (use db_execute)` } });
        }
        const body = encodeResult(result);
        throw new QueryDone(body === null ? { outcome: RESULT_TOO_LARGE } : { outcome: { ok: true, value: result }, body });
      });
    } catch (error) {
      if (error instanceof QueryDone) return error.run;
      return { outcome: sqlError(error) };
    }
    return { outcome: sqlError(new Error("the query savepoint was not rolled back")) };
  }

  /** One statement, atomically; a failure or a result over the caps leaves nothing of it. */
  execute(text: string, params: readonly unknown[], encode = false): RunOutcome {
    const refused = refusalOf(text, params);
    if (refused !== null) return { outcome: refused };
    try {
      return this.storage.transactionSync(() => {
        const schema = beforeStatement(this.storage.sql, text);
        const result = runUserStatement(this.storage.sql, text, params);
        if ("ok" in result) throw new RollbackSignal(result);
        if (schema !== null) afterStatement(this.storage.sql, schema);
        if (!encode) return { outcome: { ok: true, value: result } };
        const body = encodeResult(result);
        if (body === null) throw new RollbackSignal(RESULT_TOO_LARGE);
        return { outcome: { ok: true, value: result }, body };
      });
    } catch (error) {
      if (error instanceof RollbackSignal) return { outcome: error.outcome };
      return { outcome: sqlError(error) };
    }
  }
}

/**
 * runStatement, with rowsWritten counting the user's rows only. The cursor's count includes what the change-log
 * capture triggers wrote (one log row per changed row, and SQLite's sqlite_sequence for the log's AUTOINCREMENT).
 * Capture fires only for INSERT / UPDATE / DELETE that changed rows, and then SQLite's changes() is exactly the
 * rows that top-level statement changed, "exclusive of statements in lower-level triggers" (sqlite.org/lang_corefunc
 * .html#changes). When the log's head did not move, nothing was captured and the cursor's count is already right.
 */
function runUserStatement(sql: SqlStorage, text: string, params: readonly unknown[]): ReturnType<typeof runStatement> {
  const before = headSeq(sql);
  const result = runStatement(sql, text, params);
  if ("ok" in result || headSeq(sql) === before) return result;
  return { ...result, rowsWritten: Number(sql.exec<{ n: number }>("SELECT changes() AS n").one().n) };
}

const STATUS_OF: Record<SqlFailure["code"], number> = {
  sql_refused: HostStatus.sqlRefused,
  sql_error: HostStatus.sqlError,
  read_only: HostStatus.readOnly,
  result_too_large: HostStatus.resultTooLarge,
  trigger_rejected: HostStatus.triggerRejected,
  transaction_timeout: HostStatus.deadlineExceeded,
};

/** A statement's outcome as the guest's host call answers it: status, result or message block, rows to charge. */
export function outcomeForGuest(outcome: SqlOutcome, body?: Uint8Array): DbCallOutcome {
  if (outcome.ok) {
    const rows = outcome.value.rowsRead + outcome.value.rowsWritten;
    return body === undefined ? { status: HostStatus.resultTooLarge, rows } : { status: HostStatus.ok, body, rows };
  }
  const status = STATUS_OF[outcome.code];
  if (status === HostStatus.resultTooLarge || status === HostStatus.deadlineExceeded) return { status, rows: 0 };
  const error: Record<string, unknown> = { code: outcome.code, message: outcome.message };
  if (outcome.reason !== undefined) error.reason = outcome.reason;
  if (outcome.trigger !== undefined) error.trigger = outcome.trigger;
  return { status, body: new TextEncoder().encode(JSON.stringify({ error })), rows: 0 };
}
