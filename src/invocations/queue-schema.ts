// SQLite schema of an invocation queue shard, as numbered migrations (append-only, like registry-schema.ts), and
// its typed statements: every query the object runs is here, with the row shape it reads.

import { applyMigrations } from "../runtime/numbered-migrations.ts";

export interface QueueMigration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const QUEUE_MIGRATIONS_TABLE = "migrations";

export const QUEUE_MIGRATIONS: readonly QueueMigration[] = [
  {
    version: 1,
    description: "asynchronous invocations and their outcome",
    statements: [
      // One row per invocation, from 202 until it expires (docs/limits.md, retention). Times are epoch ms.
      // status: queued (waiting for its first attempt or a retry at next_attempt_at), running (lease_until bounds
      // it: an attempt lost with its object is retried after that), succeeded, dead_letter (terminal failure).
      `CREATE TABLE invocations (
         id TEXT PRIMARY KEY,
         function_name TEXT NOT NULL,
         target TEXT NOT NULL,
         payload BLOB NOT NULL,
         private INTEGER NOT NULL,
         authorized INTEGER NOT NULL,
         request_id TEXT NOT NULL,
         status TEXT NOT NULL,
         attempts INTEGER NOT NULL,
         max_attempts INTEGER NOT NULL,
         next_attempt_at INTEGER,
         lease_until INTEGER,
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL,
         finished_at INTEGER,
         expires_at INTEGER,
         result TEXT,
         output BLOB,
         error TEXT
       )`,
      `CREATE INDEX invocations_due ON invocations (status, next_attempt_at)`,
      `CREATE INDEX invocations_by_function ON invocations (function_name, status, created_at)`,
      `CREATE INDEX invocations_expiry ON invocations (expires_at)`,
    ],
  },
  {
    version: 2,
    description: "the call-tree bounds an invocation queued by a guest carries",
    // JSON AsyncLineage (runtime/call-tree.ts): what its remaining attempts may still use. NULL: queued over HTTP.
    statements: [`ALTER TABLE invocations ADD COLUMN lineage TEXT`],
  },
];

export function migrateQueue(storage: DurableObjectStorage): number {
  return applyMigrations(storage, QUEUE_MIGRATIONS_TABLE, QUEUE_MIGRATIONS);
}

export type InvocationStatus = "queued" | "running" | "succeeded" | "dead_letter";

/** A row as SQLite returns it. */
export interface InvocationRow extends Record<string, SqlStorageValue> {
  id: string;
  function_name: string;
  target: string;
  payload: ArrayBuffer;
  private: number;
  authorized: number;
  request_id: string;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  expires_at: number | null;
  result: string | null;
  output: ArrayBuffer | null;
  error: string | null;
  lineage: string | null;
}

/** Everything but the payload (never sent back). */
const VIEW_COLUMNS = `id, function_name, target, private, authorized, request_id, status, attempts, max_attempts, next_attempt_at,
  lease_until, created_at, updated_at, finished_at, expires_at, result, output, error, lineage`;

export const QUEUE_SQL = {
  insert: `INSERT INTO invocations (id, function_name, target, payload, private, authorized, request_id, status, attempts,
    max_attempts, next_attempt_at, created_at, updated_at, lineage) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`,
  view: `SELECT ${VIEW_COLUMNS} FROM invocations WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)`,
  /** Queued ones whose time has come, and running ones whose lease ran out (their attempt was lost). */
  due: `SELECT * FROM invocations WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'running' AND lease_until <= ?)
    ORDER BY next_attempt_at LIMIT ?`,
  start: `UPDATE invocations SET status = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE id = ?`,
  succeed: `UPDATE invocations SET status = 'succeeded', result = ?, output = ?, error = NULL, next_attempt_at = NULL,
    lease_until = NULL, updated_at = ?, finished_at = ?, expires_at = ?, payload = x'' WHERE id = ?`,
  retry: `UPDATE invocations SET status = 'queued', error = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?`,
  /** What a guest-queued invocation's remaining attempts may still use, after one attempt. */
  spendLineage: `UPDATE invocations SET lineage = ? WHERE id = ?`,
  deadLetter: `UPDATE invocations SET status = 'dead_letter', error = ?, next_attempt_at = NULL, lease_until = NULL,
    updated_at = ?, finished_at = ?, expires_at = ? WHERE id = ?`,
  replay: `UPDATE invocations SET status = 'queued', attempts = 0, next_attempt_at = ?, finished_at = NULL, expires_at = NULL,
    updated_at = ? WHERE id = ? AND status = 'dead_letter'`,
  discard: `DELETE FROM invocations WHERE id = ? AND status = 'dead_letter'`,
  listByFunction: `SELECT ${VIEW_COLUMNS} FROM invocations WHERE function_name = ? AND status = ? AND (expires_at IS NULL OR expires_at > ?)
    ORDER BY created_at LIMIT ?`,
  nextWake: `SELECT MIN(CASE WHEN status = 'queued' THEN next_attempt_at ELSE lease_until END) AS at FROM invocations
    WHERE status IN ('queued', 'running')`,
  /** Lost with the previous instance of the object: retried now (the attempt counts). */
  releaseRunning: `UPDATE invocations SET status = 'queued', next_attempt_at = ?, lease_until = NULL WHERE status = 'running'`,
  prune: `DELETE FROM invocations WHERE expires_at IS NOT NULL AND expires_at <= ?`,
} as const;
