// Reading the change log for apps: GET .../changes (answer at once, or long poll until the next commit) and the
// pages the WebSocket tail sends (change-tail.ts). Runs inside the database object.
//
// A read never sees an open transaction's entries: it first waits until no transaction holds the object (the same
// rule as a read-only function's db_query), then reads synchronously, so nothing else runs in the object between
// the expiry check, the entries and the head it answers. Waiting is a plain promise resolved by a commit listener
// (commit-listeners.ts) or a timer: it holds neither the input gate nor a storage operation, so other requests
// reach the object meanwhile (workerd delivers new events to an object whenever it is only awaiting a non-storage
// promise; only storage operations and blockConcurrencyWhile close its input gate).

import { earliestSeq, headSeq, isExpired, MAX_CHANGES_PER_READ, readChanges, type ChangeEntry } from "./change-log.ts";
import type { CommitListeners } from "./commit-listeners.ts";

/** Entries one GET .../changes answers when `limit` is not given. */
export const DEFAULT_CHANGES_LIMIT = 100;
/** Longest long poll (`wait`, in seconds): below the usual 100 s idle timeout of proxies in front of the API. */
export const MAX_CHANGES_WAIT_SECONDS = 30;
/** Most long polls waiting on one database at once; more answer at once (with no changes) instead of waiting. */
export const MAX_CHANGE_WAITERS = 1000;
/**
 * JSON bytes of entries one read answers at most (at least one entry is always answered, whatever its size): keeps
 * an answer of large rows well inside the RPC and response limits. The reader asks again from the last seq.
 */
export const MAX_CHANGES_READ_BYTES = 4 * 1024 * 1024;

export type ChangeRead =
  | { ok: true; changes: ChangeEntry[]; headSeq: number }
  | { ok: false; code: "cursor_expired"; earliestSeq: number; headSeq: number }
  | { ok: false; code: "cursor_ahead"; headSeq: number }
  | { ok: false; code: "unknown_database" };

export class ChangeStream {
  private waiters = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly commits: CommitListeners,
    /** Resolves once no transaction holds the object. */
    private readonly settled: () => Promise<void>,
  ) {}

  /**
   * Entries after `after` (at most `limit`, and MAX_CHANGES_READ_BYTES of JSON). When there are none yet, waits up
   * to `waitMs` for a commit that appends some, then reads again.
   */
  async read(after: number, limit: number, waitMs: number): Promise<ChangeRead> {
    const first = await this.readNow(after, limit);
    if (!first.ok || first.changes.length > 0 || waitMs <= 0 || this.waiters >= MAX_CHANGE_WAITERS) return first;
    this.waiters++;
    try {
      await this.nextCommit(after, waitMs);
    } finally {
      this.waiters--;
    }
    return this.readNow(after, limit);
  }

  /** One synchronous read once no transaction is open: the expiry check, the entries and the head agree. */
  async readNow(after: number, limit: number): Promise<ChangeRead> {
    await this.settled();
    const head = headSeq(this.sql);
    // A cursor past the head comes from before the database was deleted and re-created (seq starts again at 1).
    if (after > head) return { ok: false, code: "cursor_ahead", headSeq: head };
    if (isExpired(this.sql, after)) return { ok: false, code: "cursor_expired", earliestSeq: earliestSeq(this.sql), headSeq: head };
    return { ok: true, changes: capBytes(readChanges(this.sql, after, Math.min(limit, MAX_CHANGES_PER_READ))), headSeq: head };
  }

  /** Resolves at the first commit that moves the head past `after`, or after `waitMs`. */
  private nextCommit(after: number, waitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        remove();
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      const remove = this.commits.add((head) => {
        if (head > after) done();
      });
    });
  }
}

/** The leading entries whose JSON fits MAX_CHANGES_READ_BYTES (always at least one). */
export function capBytes(changes: ChangeEntry[], maxBytes = MAX_CHANGES_READ_BYTES): ChangeEntry[] {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (let i = 0; i < changes.length; i++) {
    bytes += encoder.encode(JSON.stringify(changes[i])).length + 1;
    if (bytes > maxBytes && i > 0) return changes.slice(0, i);
  }
  return changes;
}
