// The runtime's own tables in a database object, all under RESERVED_PREFIX, created by numbered migrations. Each
// migration runs once, in order, inside the constructor's blockConcurrencyWhile; `_helios_migrations` records
// which ran. Migrations are append-only: a shipped one is never edited, a change is a new number.

import { RESERVED_PREFIX } from "./sql-statement.ts";
import { applyMigrations } from "../runtime/numbered-migrations.ts";

export const MIGRATIONS_TABLE = `${RESERVED_PREFIX}migrations`;
export const TRIGGERS_TABLE = `${RESERVED_PREFIX}triggers`;
/**
 * Rows a write changed, captured by native SQLite triggers inside the write's savepoint (one row per changed row,
 * in order). Shaped as an outbox change log (sequence, table, op, old/new row as JSON), so a later change-data-
 * capture feed can keep these rows past the commit instead of clearing them.
 */
export const CHANGES_TABLE = `${RESERVED_PREFIX}changes`;

/**
 * The change log (outbox): one row per committed change to a user table, appended inside the change's own
 * transaction by native capture triggers (change-log-capture.ts). `seq` is AUTOINCREMENT, so it never goes down even
 * when pruning empties the table, and a rolled-back transaction takes its numbers back with it: gap-free. `row_id`
 * is the changed row's rowid (null for WITHOUT ROWID tables and schema entries), only used to fold a BEFORE
 * trigger's rewrite into the entry of the write it rewrote.
 */
export const CHANGE_LOG_TABLE = `${RESERVED_PREFIX}change_log`;
/**
 * The open transaction's context, one row (id = 1) that the capture triggers read: its id, time and origin, the
 * head when it began, and the (table, rowid) whose next update is a BEFORE trigger's rewrite.
 */
export const CHANGE_TX_TABLE = `${RESERVED_PREFIX}change_tx`;

/** Subscriptions (subscription-store.ts): one row each, with its durable cursor and its retry state. */
export const SUBSCRIPTIONS_TABLE = `${RESERVED_PREFIX}subscriptions`;
/** Changes a subscription gave up on (onFailure "dead_letter"), each with its full entry: the log may prune it. */
export const DEAD_LETTERS_TABLE = `${RESERVED_PREFIX}dead_letters`;

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const DATABASE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "trigger registrations and the change capture table",
    statements: [
      `CREATE TABLE ${TRIGGERS_TABLE} (
         name TEXT PRIMARY KEY,
         table_name TEXT NOT NULL,
         events TEXT NOT NULL,
         function_name TEXT NOT NULL,
         timing TEXT NOT NULL,
         created_at TEXT NOT NULL
       )`,
      `CREATE TABLE ${CHANGES_TABLE} (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         table_name TEXT NOT NULL,
         op TEXT NOT NULL,
         row_key INTEGER,
         old_row TEXT,
         new_row TEXT
       )`,
    ],
  },
  {
    version: 2,
    description: "the change log and its transaction context",
    statements: [
      `CREATE TABLE ${CHANGE_LOG_TABLE} (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         tx_id TEXT NOT NULL,
         table_name TEXT NOT NULL,
         op TEXT NOT NULL,
         row_key TEXT,
         row_id INTEGER,
         old_row TEXT,
         new_row TEXT,
         committed_at TEXT NOT NULL,
         origin TEXT
       )`,
      `CREATE TABLE ${CHANGE_TX_TABLE} (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         tx_id TEXT NOT NULL,
         committed_at TEXT NOT NULL,
         origin TEXT,
         start_seq INTEGER NOT NULL,
         mute_table TEXT,
         mute_rowid INTEGER
       )`,
      `INSERT INTO ${CHANGE_TX_TABLE} (id, tx_id, committed_at, origin, start_seq) VALUES (1, '', '', NULL, 0)`,
    ],
  },
  {
    version: 3,
    description: "subscriptions (durable cursors, retry state) and their dead letters",
    statements: [
      // state: active | paused | blocked; paused_reason: operator | lag_cap (null unless paused). cursor: the last
      // seq handled (delivered or filtered out); it only grows. attempts / next_attempt_at: the failing batch's.
      // trigger_name: the AFTER trigger registration that owns it (trigger-registry.ts), else null.
      `CREATE TABLE ${SUBSCRIPTIONS_TABLE} (
         name TEXT PRIMARY KEY,
         function_name TEXT NOT NULL,
         tables TEXT,
         events TEXT NOT NULL,
         batch_size INTEGER NOT NULL,
         max_attempts INTEGER NOT NULL,
         on_failure TEXT NOT NULL,
         include_own_writes INTEGER NOT NULL,
         max_lag INTEGER NOT NULL,
         state TEXT NOT NULL,
         paused_reason TEXT,
         cursor INTEGER NOT NULL,
         attempts INTEGER NOT NULL DEFAULT 0,
         next_attempt_at INTEGER NOT NULL DEFAULT 0,
         last_error TEXT,
         trigger_name TEXT,
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL
       )`,
      // state: dead | replaying (a replay queued or retrying, with its own attempts and next_attempt_at).
      `CREATE TABLE ${DEAD_LETTERS_TABLE} (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         subscription TEXT NOT NULL,
         seq INTEGER NOT NULL,
         change TEXT NOT NULL,
         attempts INTEGER NOT NULL,
         error TEXT NOT NULL,
         failed_at TEXT NOT NULL,
         state TEXT NOT NULL DEFAULT 'dead',
         next_attempt_at INTEGER NOT NULL DEFAULT 0
       )`,
      `CREATE INDEX ${RESERVED_PREFIX}dead_letters_by_subscription ON ${DEAD_LETTERS_TABLE} (subscription, seq)`,
    ],
  },
];

/** Runs every migration above the recorded version, each with its record in one transactionSync. */
export function migrateDatabase(storage: DurableObjectStorage): number {
  return applyMigrations(storage, MIGRATIONS_TABLE, DATABASE_MIGRATIONS);
}
