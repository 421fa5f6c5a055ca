// Subscriptions and their dead letters, stored in the database's own reserved tables (SUBSCRIPTIONS_TABLE and
// DEAD_LETTERS_TABLE, migration 3 of database-schema.ts), next to the change log they read: the cursor moves in the
// same SQLite as the log, so it survives every crash the log survives. Typed statements only; all synchronous.
//
// The cursor is the last seq the subscription has handled (delivered, dead-lettered or filtered out). Every statement
// that moves it has `cursor < ?` in its WHERE clause, so it never goes backwards whatever raced it.

import type { ChangeEntry } from "./change-log.ts";
import { DEAD_LETTERS_TABLE, SUBSCRIPTIONS_TABLE } from "./database-schema.ts";
import type { OnFailure, SubscriptionEvent, SubscriptionSpec } from "./subscription-spec.ts";

export type SubscriptionState = "active" | "paused" | "blocked";
/** Why a paused subscription is paused: an operator's POST .../pause, or the lag cap. */
export type PausedReason = "operator" | "lag_cap";

export interface DeliveryError {
  code: string;
  message: string;
}

export interface SubscriptionRecord extends SubscriptionSpec {
  name: string;
  state: SubscriptionState;
  pausedReason: PausedReason | null;
  cursor: number;
  /** Failed attempts of the batch after the cursor (0 when the last one succeeded). */
  attempts: number;
  /** When the next attempt may run, epoch ms (0: at once). */
  nextAttemptAt: number;
  lastError: (DeliveryError & { at: string }) | null;
  /** The AFTER trigger registration that made it, if one did. */
  trigger: string | null;
  createdAt: string;
}

export interface DeadLetter {
  id: number;
  subscription: string;
  seq: number;
  change: ChangeEntry;
  attempts: number;
  error: DeliveryError;
  failedAt: string;
  /** "replaying": a replay is queued (or retrying) on its own schedule. */
  state: "dead" | "replaying";
  nextAttemptAt: number;
}

interface SubscriptionRow extends Record<string, SqlStorageValue> {
  name: string;
  function_name: string;
  tables: string | null;
  events: string;
  batch_size: number;
  max_attempts: number;
  on_failure: string;
  include_own_writes: number;
  max_lag: number;
  state: string;
  paused_reason: string | null;
  cursor: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  trigger_name: string | null;
  created_at: string;
}

interface DeadLetterRow extends Record<string, SqlStorageValue> {
  id: number;
  subscription: string;
  seq: number;
  change: string;
  attempts: number;
  error: string;
  failed_at: string;
  state: string;
  next_attempt_at: number;
}

const COLUMNS = `name, function_name, tables, events, batch_size, max_attempts, on_failure, include_own_writes, max_lag, state, paused_reason, cursor, attempts, next_attempt_at, last_error, trigger_name, created_at`;
const LETTER_COLUMNS = `id, subscription, seq, change, attempts, error, failed_at, state, next_attempt_at`;

export const SUBSCRIPTION_SQL = {
  all: `SELECT ${COLUMNS} FROM ${SUBSCRIPTIONS_TABLE} ORDER BY name`,
  one: `SELECT ${COLUMNS} FROM ${SUBSCRIPTIONS_TABLE} WHERE name = ?`,
  insert:
    `INSERT INTO ${SUBSCRIPTIONS_TABLE} (name, function_name, tables, events, batch_size, max_attempts, on_failure, include_own_writes, max_lag, state, paused_reason, cursor, trigger_name, created_at, updated_at) ` +
    `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?, ?, ?, ?)`,
  replace:
    `UPDATE ${SUBSCRIPTIONS_TABLE} SET function_name = ?, tables = ?, events = ?, batch_size = ?, max_attempts = ?, on_failure = ?, include_own_writes = ?, max_lag = ?, trigger_name = ?, updated_at = ? WHERE name = ?`,
  remove: `DELETE FROM ${SUBSCRIPTIONS_TABLE} WHERE name = ? RETURNING name`,
  removeLetters: `DELETE FROM ${DEAD_LETTERS_TABLE} WHERE subscription = ?`,
  /** After a batch succeeded or was dead-lettered (or everything read was filtered out): forward only. */
  advance: `UPDATE ${SUBSCRIPTIONS_TABLE} SET cursor = ?, attempts = 0, next_attempt_at = 0, last_error = ?, updated_at = ? WHERE name = ? AND cursor < ?`,
  retryLater: `UPDATE ${SUBSCRIPTIONS_TABLE} SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE name = ?`,
  setState: `UPDATE ${SUBSCRIPTIONS_TABLE} SET state = ?, paused_reason = ?, last_error = COALESCE(?, last_error), updated_at = ? WHERE name = ?`,
  /** Resume: active again, the failing batch's attempts start over, due at once. */
  resume: `UPDATE ${SUBSCRIPTIONS_TABLE} SET state = 'active', paused_reason = NULL, attempts = 0, next_attempt_at = 0, updated_at = ? WHERE name = ?`,
  /** Skips a resumed subscription past changes the log no longer holds (resume with skipPruned). */
  skipTo: `UPDATE ${SUBSCRIPTIONS_TABLE} SET cursor = ?, updated_at = ? WHERE name = ? AND cursor < ?`,
  /** The smallest cursor the log must keep entries above: a subscription paused by the lag cap holds nothing. */
  lowestCursor: `SELECT MIN(cursor) AS c FROM ${SUBSCRIPTIONS_TABLE} WHERE NOT (state = 'paused' AND paused_reason = 'lag_cap')`,
  letterInsert: `INSERT INTO ${DEAD_LETTERS_TABLE} (subscription, seq, change, attempts, error, failed_at) VALUES (?, ?, ?, ?, ?, ?)`,
  letters: `SELECT ${LETTER_COLUMNS} FROM ${DEAD_LETTERS_TABLE} WHERE subscription = ? ORDER BY seq, id LIMIT ?`,
  letter: `SELECT ${LETTER_COLUMNS} FROM ${DEAD_LETTERS_TABLE} WHERE subscription = ? AND id = ?`,
  letterCount: `SELECT COUNT(*) AS n FROM ${DEAD_LETTERS_TABLE} WHERE subscription = ?`,
  letterDiscard: `DELETE FROM ${DEAD_LETTERS_TABLE} WHERE subscription = ? AND id = ? RETURNING id`,
  letterReplay: `UPDATE ${DEAD_LETTERS_TABLE} SET state = 'replaying', attempts = 0, next_attempt_at = ? WHERE subscription = ? AND id = ?`,
  letterRetry: `UPDATE ${DEAD_LETTERS_TABLE} SET attempts = ?, next_attempt_at = ?, error = ? WHERE id = ?`,
  letterBackToDead: `UPDATE ${DEAD_LETTERS_TABLE} SET state = 'dead', attempts = ?, error = ?, failed_at = ? WHERE id = ?`,
  letterDelivered: `DELETE FROM ${DEAD_LETTERS_TABLE} WHERE id = ?`,
  /** Replays due by `now`, of subscriptions that are active (a paused or blocked one's replays wait with it). */
  replaysDue:
    `SELECT ${LETTER_COLUMNS} FROM ${DEAD_LETTERS_TABLE} WHERE state = 'replaying' AND next_attempt_at <= ? ` +
    `AND subscription IN (SELECT name FROM ${SUBSCRIPTIONS_TABLE} WHERE state = 'active') ORDER BY next_attempt_at, id LIMIT ?`,
  nextReplay:
    `SELECT MIN(next_attempt_at) AS at FROM ${DEAD_LETTERS_TABLE} WHERE state = 'replaying' ` +
    `AND subscription IN (SELECT name FROM ${SUBSCRIPTIONS_TABLE} WHERE state = 'active')`,
} as const;

function fromRow(row: SubscriptionRow): SubscriptionRecord {
  return {
    name: row.name,
    function: row.function_name,
    tables: row.tables === null ? null : (JSON.parse(row.tables) as string[]),
    events: JSON.parse(row.events) as SubscriptionEvent[],
    batchSize: row.batch_size,
    maxAttempts: row.max_attempts,
    onFailure: row.on_failure as OnFailure,
    includeOwnWrites: row.include_own_writes === 1,
    maxLag: row.max_lag,
    state: row.state as SubscriptionState,
    pausedReason: row.paused_reason as PausedReason | null,
    cursor: Number(row.cursor),
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error === null ? null : JSON.parse(row.last_error),
    trigger: row.trigger_name,
    createdAt: row.created_at,
  };
}

function letterFromRow(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    subscription: row.subscription,
    seq: Number(row.seq),
    change: JSON.parse(row.change) as ChangeEntry,
    attempts: row.attempts,
    error: JSON.parse(row.error) as DeliveryError,
    failedAt: row.failed_at,
    state: row.state as DeadLetter["state"],
    nextAttemptAt: Number(row.next_attempt_at),
  };
}

export function listSubscriptions(sql: SqlStorage): SubscriptionRecord[] {
  return sql.exec<SubscriptionRow>(SUBSCRIPTION_SQL.all).toArray().map(fromRow);
}

export function getSubscription(sql: SqlStorage, name: string): SubscriptionRecord | null {
  const row = sql.exec<SubscriptionRow>(SUBSCRIPTION_SQL.one, name).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

/**
 * Creates a subscription starting after `startAfter` (the log's head: it receives what commits from now on), or
 * replaces one's settings, keeping its cursor, state and dead letters.
 */
export function putSubscription(storage: DurableObjectStorage, name: string, spec: SubscriptionSpec, startAfter: number, trigger: string | null = null): { subscription: SubscriptionRecord; created: boolean } {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    const now = new Date().toISOString();
    const existing = getSubscription(sql, name);
    const tables = spec.tables === null ? null : JSON.stringify(spec.tables);
    const shared = [spec.function, tables, JSON.stringify(spec.events), spec.batchSize, spec.maxAttempts, spec.onFailure, spec.includeOwnWrites ? 1 : 0, spec.maxLag] as const;
    if (existing === null) sql.exec(SUBSCRIPTION_SQL.insert, name, ...shared, startAfter, trigger, now, now);
    else sql.exec(SUBSCRIPTION_SQL.replace, ...shared, trigger, now, name);
    return { subscription: getSubscription(sql, name)!, created: existing === null };
  });
}

/** Removes a subscription and its dead letters; answers whether it existed. */
export function deleteSubscription(storage: DurableObjectStorage, name: string): boolean {
  return storage.transactionSync(() => {
    storage.sql.exec(SUBSCRIPTION_SQL.removeLetters, name);
    return storage.sql.exec(SUBSCRIPTION_SQL.remove, name).toArray().length > 0;
  });
}

/** Moves the cursor forward to `to` (never back) and clears the retry state; false when it was already there. */
export function advanceCursor(sql: SqlStorage, name: string, to: number, lastError: SubscriptionRecord["lastError"] = null): boolean {
  return sql.exec(SUBSCRIPTION_SQL.advance, to, lastError === null ? null : JSON.stringify(lastError), new Date().toISOString(), name, to).rowsWritten > 0;
}

export function retryLater(sql: SqlStorage, name: string, attempts: number, at: number, error: DeliveryError): void {
  sql.exec(SUBSCRIPTION_SQL.retryLater, attempts, at, JSON.stringify({ ...error, at: new Date().toISOString() }), new Date().toISOString(), name);
}

export function setState(sql: SqlStorage, name: string, state: SubscriptionState, reason: PausedReason | null, error: DeliveryError | null = null): void {
  const recorded = error === null ? null : JSON.stringify({ ...error, at: new Date().toISOString() });
  sql.exec(SUBSCRIPTION_SQL.setState, state, reason, recorded, new Date().toISOString(), name);
}

export function resumeSubscription(sql: SqlStorage, name: string): void {
  sql.exec(SUBSCRIPTION_SQL.resume, new Date().toISOString(), name);
}

export function skipCursorTo(sql: SqlStorage, name: string, to: number): void {
  sql.exec(SUBSCRIPTION_SQL.skipTo, to, new Date().toISOString(), name, to);
}

/**
 * The lowest cursor across the subscriptions that hold the log (all but those paused by the lag cap), or null when
 * there are none: retention keeps every entry above it (pruneDue in change-log.ts).
 */
export function lowestCursor(sql: SqlStorage): number | null {
  const c = sql.exec<{ c: number | null }>(SUBSCRIPTION_SQL.lowestCursor).one().c;
  return c === null ? null : Number(c);
}

// --- Dead letters.

export function addDeadLetters(sql: SqlStorage, subscription: string, changes: readonly ChangeEntry[], attempts: number, error: DeliveryError): void {
  const at = new Date().toISOString();
  for (const change of changes) sql.exec(SUBSCRIPTION_SQL.letterInsert, subscription, change.seq, JSON.stringify(change), attempts, JSON.stringify(error), at);
}

export function listDeadLetters(sql: SqlStorage, subscription: string, limit: number): DeadLetter[] {
  return sql.exec<DeadLetterRow>(SUBSCRIPTION_SQL.letters, subscription, limit).toArray().map(letterFromRow);
}

export function getDeadLetter(sql: SqlStorage, subscription: string, id: number): DeadLetter | null {
  const row = sql.exec<DeadLetterRow>(SUBSCRIPTION_SQL.letter, subscription, id).toArray()[0];
  return row === undefined ? null : letterFromRow(row);
}

export function deadLetterCount(sql: SqlStorage, subscription: string): number {
  return Number(sql.exec<{ n: number }>(SUBSCRIPTION_SQL.letterCount, subscription).one().n);
}

export function discardDeadLetter(sql: SqlStorage, subscription: string, id: number): boolean {
  return sql.exec(SUBSCRIPTION_SQL.letterDiscard, subscription, id).toArray().length > 0;
}

/** Queues a replay of the dead letter, due at `at`; false when there is no such dead letter. */
export function queueReplay(sql: SqlStorage, subscription: string, id: number, at: number): boolean {
  return sql.exec(SUBSCRIPTION_SQL.letterReplay, at, subscription, id).rowsWritten > 0;
}

export function replaysDue(sql: SqlStorage, now: number, limit: number): DeadLetter[] {
  return sql.exec<DeadLetterRow>(SUBSCRIPTION_SQL.replaysDue, now, limit).toArray().map(letterFromRow);
}

export function nextReplayAt(sql: SqlStorage): number | null {
  const at = sql.exec<{ at: number | null }>(SUBSCRIPTION_SQL.nextReplay).one().at;
  return at === null ? null : Number(at);
}

export function replayRetry(sql: SqlStorage, id: number, attempts: number, at: number, error: DeliveryError): void {
  sql.exec(SUBSCRIPTION_SQL.letterRetry, attempts, at, JSON.stringify(error), id);
}

export function replayGaveUp(sql: SqlStorage, id: number, attempts: number, error: DeliveryError): void {
  sql.exec(SUBSCRIPTION_SQL.letterBackToDead, attempts, JSON.stringify(error), new Date().toISOString(), id);
}

export function replayDelivered(sql: SqlStorage, id: number): void {
  sql.exec(SUBSCRIPTION_SQL.letterDelivered, id);
}
