// Reading and pruning the change log (CHANGE_LOG_TABLE, written by the capture triggers of change-log-capture.ts).
// All synchronous, run inside the database object: a read sees exactly the committed log, since nothing else runs
// in the object between its statements.
//
// Guarantees: seq is gap-free and strictly increasing per database (entries appended inside their transaction,
// AUTOINCREMENT numbers taken back by a rollback); every entry of one transaction carries its txId, and a
// transaction's entries are contiguous. Pruning only ever removes a prefix, so what is held is always the range
// earliestSeq..headSeq without a hole.

import { CHANGE_LOG_TABLE } from "./database-schema.ts";
import { HEAD_SEQ_SQL } from "./change-log-capture.ts";

export type ChangeOp = "insert" | "update" | "delete" | "schema";

export interface ChangeEntry {
  seq: number;
  txId: string;
  table: string;
  op: ChangeOp;
  /** The row's primary key (a JSON array for a composite key), or its rowid; null for schema entries. */
  key: unknown;
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
  committedAt: string;
  /** The function whose invocation wrote it (a procedure), else null. */
  origin: string | null;
}

/** How long entries are kept at least (and until every subscription is past them): 24 hours. */
export const CHANGE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Pruning runs at most this often on the write path. */
export const PRUNE_INTERVAL_MS = 60 * 1000;
/** Most entries one read answers. */
export const MAX_CHANGES_PER_READ = 1000;

type LogRow = {
  seq: number;
  tx_id: string;
  table_name: string;
  op: ChangeOp;
  row_key: string | null;
  old_row: string | null;
  new_row: string | null;
  committed_at: string;
  origin: string | null;
};

const parse = (text: string | null) => (text === null ? null : JSON.parse(text));

/** Up to `limit` entries with seq > afterSeq, ascending. */
export function readChanges(sql: SqlStorage, afterSeq: number, limit: number): ChangeEntry[] {
  return sql
    .exec<LogRow>(
      `SELECT seq, tx_id, table_name, op, row_key, old_row, new_row, committed_at, origin FROM ${CHANGE_LOG_TABLE} WHERE seq > ? ORDER BY seq LIMIT ?`,
      afterSeq,
      Math.max(0, Math.min(limit, MAX_CHANGES_PER_READ)),
    )
    .toArray()
    .map((row) => ({
      seq: row.seq,
      txId: row.tx_id,
      table: row.table_name,
      op: row.op,
      key: parse(row.row_key),
      old: parse(row.old_row),
      new: parse(row.new_row),
      committedAt: row.committed_at,
      origin: row.origin,
    }));
}

/** The largest seq ever committed (0 when nothing was). */
export function headSeq(sql: SqlStorage): number {
  return Number(sql.exec<{ head: number }>(HEAD_SEQ_SQL).one().head);
}

/** The smallest seq still held (headSeq + 1 when the log holds nothing). */
export function earliestSeq(sql: SqlStorage): number {
  const min = sql.exec<{ s: number | null }>(`SELECT MIN(seq) AS s FROM ${CHANGE_LOG_TABLE}`).one().s;
  return min === null ? headSeq(sql) + 1 : Number(min);
}

/** Whether a reader resuming after `afterSeq` would miss pruned entries: it would, when seq afterSeq + 1 is gone. */
export function isExpired(sql: SqlStorage, afterSeq: number): boolean {
  return afterSeq + 1 < earliestSeq(sql) && afterSeq < headSeq(sql);
}

/**
 * Deletes the entries with seq < belowSeq that are also older than `olderThanIso` — always a prefix of the log (it
 * stops at the first entry that is young enough). Answers how many went.
 */
export function pruneChanges(sql: SqlStorage, belowSeq: number, olderThanIso: string): number {
  const young = sql.exec<{ s: number | null }>(`SELECT MIN(seq) AS s FROM ${CHANGE_LOG_TABLE} WHERE committed_at >= ?`, olderThanIso).one().s;
  const cutoff = Math.min(belowSeq, young === null ? Number.POSITIVE_INFINITY : Number(young));
  if (cutoff === Number.POSITIVE_INFINITY) return sql.exec(`DELETE FROM ${CHANGE_LOG_TABLE}`).rowsWritten;
  return sql.exec(`DELETE FROM ${CHANGE_LOG_TABLE} WHERE seq < ?`, cutoff).rowsWritten;
}

/**
 * Retention as one call: entries older than CHANGE_RETENTION_MS (or `retentionMs`) that every subscription has
 * passed (`lowestCursor`: the smallest subscription cursor, entries <= it are delivered; null when there are no
 * subscriptions) are pruned. The subscriptions' alarm and the write path call it.
 */
export function pruneDue(sql: SqlStorage, now: number, lowestCursor: number | null, retentionMs = CHANGE_RETENTION_MS): number {
  const below = lowestCursor === null ? Number.MAX_SAFE_INTEGER : lowestCursor + 1;
  return pruneChanges(sql, below, new Date(now - retentionMs).toISOString());
}
