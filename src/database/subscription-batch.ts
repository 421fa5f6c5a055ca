// What one delivery to a subscription's consumer holds: the next changes after its cursor that it asked for (its
// tables and events; not its own writes unless includeOwnWrites), at most batchSize of them and about
// MAX_BATCH_BYTES of JSON, and the cursor the subscription moves to once the batch succeeded. Changes it did not ask
// for are passed over by that same cursor move. Pure reads of the change log, synchronous.

import { type ChangeEntry, MAX_CHANGES_PER_READ, readChanges } from "./change-log.ts";
import type { SubscriptionRecord } from "./subscription-store.ts";

/** A batch stops growing once its changes' JSON passes this (a single larger change still goes, alone). */
export const MAX_BATCH_BYTES = 1024 * 1024;
/** Log entries one plan reads at most while looking for matching changes (the rest waits for the next batch). */
export const MAX_SCAN_PER_BATCH = 10 * MAX_CHANGES_PER_READ;

export interface BatchPlan {
  changes: ChangeEntry[];
  /** The cursor after this batch: its last change, or the last entry read when the batch did not fill up. */
  through: number;
}

/** One change as the consumer receives it; `key` is the idempotency key, `rowKey` the changed row's key. */
export interface DeliveredChange {
  seq: number;
  key: string;
  txId: string;
  table: string;
  op: ChangeEntry["op"];
  rowKey: unknown;
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
  committedAt: string;
}

export interface Batch {
  region: string;
  database: string;
  subscription: string;
  changes: DeliveredChange[];
}

type Filter = Pick<SubscriptionRecord, "function" | "tables" | "events" | "includeOwnWrites">;

/** Whether the subscription receives this change. */
export function wants(subscription: Filter, change: ChangeEntry): boolean {
  if (!subscription.events.includes(change.op)) return false;
  if (subscription.tables !== null && !subscription.tables.some((t) => t.toLowerCase() === change.table.toLowerCase())) return false;
  // A consumer's own writes carry its name as origin (beginChangeTx in the procedure it ran as).
  if (!subscription.includeOwnWrites && change.origin === subscription.function) return false;
  return true;
}

/** The next batch after `cursor`, or null when the log holds nothing after it. */
export function planBatch(sql: SqlStorage, subscription: Filter & Pick<SubscriptionRecord, "cursor" | "batchSize">): BatchPlan | null {
  const changes: ChangeEntry[] = [];
  let bytes = 0;
  let through = subscription.cursor;
  for (let scanned = 0; scanned < MAX_SCAN_PER_BATCH; ) {
    const read = readChanges(sql, through, MAX_CHANGES_PER_READ);
    if (read.length === 0) break;
    for (const change of read) {
      if (wants(subscription, change)) {
        const size = JSON.stringify(change).length;
        if (changes.length > 0 && bytes + size > MAX_BATCH_BYTES) return { changes, through };
        changes.push(change);
        bytes += size;
      }
      through = change.seq;
      if (changes.length >= subscription.batchSize) return { changes, through };
    }
    scanned += read.length;
    if (read.length < MAX_CHANGES_PER_READ) break;
  }
  return through === subscription.cursor ? null : { changes, through };
}

/** The idempotency key of a change: the same for every delivery of it, different for every other change. */
export function idempotencyKey(region: string, database: string, seq: number): string {
  return `${region}/${database}/${seq}`;
}

export function batchOf(region: string, database: string, subscription: string, changes: readonly ChangeEntry[]): Batch {
  return {
    region,
    database,
    subscription,
    changes: changes.map((c) => ({
      seq: c.seq,
      key: idempotencyKey(region, database, c.seq),
      txId: c.txId,
      table: c.table,
      op: c.op,
      rowKey: c.key,
      old: c.old,
      new: c.new,
      committedAt: c.committedAt,
    })),
  };
}
