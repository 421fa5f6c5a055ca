// A snapshot page of a table for the change stream: its rows together with the seq they are consistent with.
//
// Run once no transaction holds the object, synchronously: the head and the page's rows are read with nothing in
// between, so the first page shows the table exactly as of `seq`. Later pages read the table as it is then; each
// carries the first page's seq, and the log must still hold every entry after it. A reader that applies the stream's
// entries after that seq (upsert by key on insert/update, remove on delete) to the union of the pages ends with the
// table's exact state: a row changed after `seq` is fixed by its last entry, a row not changed is the same on every
// page, and a row that moved across the page cursor meanwhile is inserted or removed by its entries.

import { headSeq, isExpired, earliestSeq } from "./change-log.ts";
import type { ChangeRead } from "./change-stream.ts";
import type { SqlOutcome } from "./sql-result.ts";
import type { StatementRunner } from "./statement-runner.ts";

export type SnapshotRead = { ok: true; outcome: SqlOutcome; seq: number } | Extract<ChangeRead, { ok: false }>;

/** One page (`text`, a SELECT the service built from the table's description) as of `seq` (null: the head now). */
export function snapshotPage(sql: SqlStorage, runner: StatementRunner, text: string, params: unknown[], seq: number | null): SnapshotRead {
  const head = headSeq(sql);
  const at = seq ?? head;
  if (at > head) return { ok: false, code: "cursor_ahead", headSeq: head };
  if (isExpired(sql, at)) return { ok: false, code: "cursor_expired", earliestSeq: earliestSeq(sql), headSeq: head };
  const { outcome } = runner.execute(text, params, true);
  return { ok: true, outcome, seq: at };
}
