// The subscription calls of the database object (PUT/GET/DELETE .../subscriptions, pause, resume, dead letters), as
// plain functions over its storage. Each answers data, never throws for the caller's mistakes; the service layer
// raises the catalogued error. The object delegates to these and wakes delivery after a change.

import { earliestSeq, headSeq, isExpired, readChanges } from "./change-log.ts";
import { readMarker } from "./database-marker.ts";
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_LAG, type SubscriptionSpec } from "./subscription-spec.ts";
import { DEFAULT_RETRY_POLICY } from "../runtime/retry-schedule.ts";
import type { TriggerRegistration } from "./trigger-registry.ts";
import * as store from "./subscription-store.ts";
import type { DeadLetter, SubscriptionRecord } from "./subscription-store.ts";

/** Dead letters one GET answers at most. */
export const MAX_DEAD_LETTERS_LISTED = 1000;

export interface SubscriptionView extends Omit<SubscriptionRecord, "nextAttemptAt"> {
  headSeq: number;
  /** Changes committed after the cursor (whether or not the subscription wants them). */
  lag: number;
  /** Milliseconds since the first change after the cursor committed; null when there is none. */
  oldestUndeliveredAge: number | null;
  deadLetters: number;
  /** When the failing batch is tried again (ISO), or null. */
  nextAttemptAt: string | null;
}

export interface DeadLetterView {
  id: string;
  seq: number;
  change: DeadLetter["change"];
  attempts: number;
  error: DeadLetter["error"];
  failedAt: string;
  /** "replaying" while a replay is queued or retrying. */
  state: DeadLetter["state"];
}

export function viewOf(sql: SqlStorage, record: SubscriptionRecord, now = Date.now()): SubscriptionView {
  const head = headSeq(sql);
  const next = readChanges(sql, record.cursor, 1)[0];
  const { nextAttemptAt, ...rest } = record;
  return {
    ...rest,
    headSeq: head,
    lag: Math.max(0, head - record.cursor),
    oldestUndeliveredAge: next === undefined ? null : Math.max(0, now - Date.parse(next.committedAt)),
    deadLetters: store.deadLetterCount(sql, record.name),
    nextAttemptAt: record.state === "active" && record.attempts > 0 && nextAttemptAt > 0 ? new Date(nextAttemptAt).toISOString() : null,
  };
}

function letterView(letter: DeadLetter): DeadLetterView {
  return { id: String(letter.id), seq: letter.seq, change: letter.change, attempts: letter.attempts, error: letter.error, failedAt: letter.failedAt, state: letter.state };
}

export type Refusal =
  | { ok: false; code: "unknown_database" | "unknown_subscription" | "unknown_dead_letter" }
  | { ok: false; code: "subscription_conflict"; reason: string } | { ok: false; code: "cursor_expired"; cursor: number; earliestSeq: number };
export type Outcome<T> = { ok: true; value: T } | Refusal;

const done = <T>(value: T): Outcome<T> => ({ ok: true, value });
const NO_DATABASE = { ok: false, code: "unknown_database" } as const;
const NO_SUBSCRIPTION = { ok: false, code: "unknown_subscription" } as const;
const NO_LETTER = { ok: false, code: "unknown_dead_letter" } as const;

/** Runs `body` on a database that exists (someone created it, nobody deleted it). */
function inDatabase<T>(storage: DurableObjectStorage, body: (sql: SqlStorage) => Outcome<T>): Outcome<T> {
  return readMarker(storage) === null ? NO_DATABASE : body(storage.sql);
}

/** Creates (starting after the log's head: it receives what commits from now on) or replaces a subscription. */
export function put(storage: DurableObjectStorage, name: string, spec: SubscriptionSpec, trigger: string | null = null): Outcome<{ subscription: SubscriptionView; created: boolean }> {
  return inDatabase(storage, (sql) => {
    const owner = trigger === null ? ownedByTrigger(sql, name) : null;
    if (owner !== null) return owner;
    const { subscription, created } = store.putSubscription(storage, name, spec, headSeq(sql), trigger);
    return done({ subscription: viewOf(sql, subscription), created });
  });
}

export function list(storage: DurableObjectStorage): Outcome<SubscriptionView[]> {
  const now = Date.now();
  return inDatabase(storage, (sql) => done(store.listSubscriptions(sql).map((s) => viewOf(sql, s, now))));
}

export function get(storage: DurableObjectStorage, name: string): Outcome<SubscriptionView> {
  return inDatabase(storage, (sql) => {
    const record = store.getSubscription(sql, name);
    return record === null ? NO_SUBSCRIPTION : done(viewOf(sql, record));
  });
}

export function pause(storage: DurableObjectStorage, name: string): Outcome<SubscriptionView> {
  return inDatabase(storage, (sql) => {
    const record = store.getSubscription(sql, name);
    if (record === null) return NO_SUBSCRIPTION;
    // A lag-capped or blocked subscription stays as it is: pausing it would hide why it stopped.
    if (record.state === "active") store.setState(sql, name, "paused", "operator");
    return get(storage, name);
  });
}

/**
 * Active again, from the same change: a blocked subscription retries the batch that blocked it with fresh attempts.
 * When the log no longer holds the changes after its cursor (pruned while the lag cap paused it), it resumes only
 * with `skipPruned`, moving past them; otherwise the answer says what is missing.
 */
export function resume(storage: DurableObjectStorage, name: string, skipPruned: boolean): Outcome<SubscriptionView> {
  return inDatabase(storage, (sql) => {
    const record = store.getSubscription(sql, name);
    if (record === null) return NO_SUBSCRIPTION;
    if (isExpired(sql, record.cursor)) {
      if (!skipPruned) return { ok: false, code: "cursor_expired", cursor: record.cursor, earliestSeq: earliestSeq(sql) };
      store.skipCursorTo(sql, name, earliestSeq(sql) - 1);
    }
    store.resumeSubscription(sql, name);
    return get(storage, name);
  });
}

export function remove(storage: DurableObjectStorage, name: string): Outcome<true> {
  return inDatabase(storage, (sql) => ownedByTrigger(sql, name) ?? (store.deleteSubscription(storage, name) ? done(true as const) : NO_SUBSCRIPTION));
}

/** A subscription an AFTER trigger made is changed and removed through its trigger only. */
function ownedByTrigger(sql: SqlStorage, name: string): Refusal | null {
  const trigger = store.getSubscription(sql, name)?.trigger ?? null;
  if (trigger === null) return null;
  return { ok: false, code: "subscription_conflict", reason: `subscription "${name}" belongs to AFTER trigger "${trigger}": change or delete the trigger instead` };
}

// --- AFTER triggers: a registration with timing "after" is a subscription of the same name, owned by it.

/** Why a trigger of this name cannot be registered (a subscription of its name that no trigger owns), or null. */
export function triggerConflict(sql: SqlStorage, name: string): string | null {
  const existing = store.getSubscription(sql, name);
  if (existing === null || existing.trigger === name) return null;
  return `a subscription named "${name}" exists; an AFTER trigger is a subscription of its own name`;
}

/**
 * Makes the trigger's subscription match its registration: created (from the log's head) or updated for an AFTER
 * trigger, keeping its cursor; removed with its dead letters when the trigger is BEFORE now, or gone (null).
 */
export function forTrigger(storage: DurableObjectStorage, name: string, registration: TriggerRegistration | null): void {
  const existing = store.getSubscription(storage.sql, name);
  if (registration === null || registration.timing !== "after") {
    if (existing?.trigger === name) store.deleteSubscription(storage, name);
    return;
  }
  const spec: SubscriptionSpec = {
    function: registration.function,
    tables: [registration.table],
    events: registration.events,
    batchSize: existing?.batchSize ?? DEFAULT_BATCH_SIZE,
    maxAttempts: existing?.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    onFailure: existing?.onFailure ?? "dead_letter",
    includeOwnWrites: false,
    maxLag: existing?.maxLag ?? DEFAULT_MAX_LAG,
  };
  store.putSubscription(storage, name, spec, headSeq(storage.sql), name);
}

export function deadLetters(storage: DurableObjectStorage, name: string): Outcome<DeadLetterView[]> {
  return inDatabase(storage, (sql) => {
    if (store.getSubscription(sql, name) === null) return NO_SUBSCRIPTION;
    return done(store.listDeadLetters(sql, name, MAX_DEAD_LETTERS_LISTED).map(letterView));
  });
}

/** Dead-letter ids are decimal integers; anything else names none. */
function letterId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

/** Queues a replay of one dead letter (delivered alone, in a batch of one, on its own retry schedule). */
export function replay(storage: DurableObjectStorage, name: string, id: string): Outcome<DeadLetterView> {
  return inDatabase(storage, (sql) => {
    if (store.getSubscription(sql, name) === null) return NO_SUBSCRIPTION;
    const n = letterId(id);
    if (n === null || !store.queueReplay(sql, name, n, Date.now())) return NO_LETTER;
    return done(letterView(store.getDeadLetter(sql, name, n)!));
  });
}

export function discard(storage: DurableObjectStorage, name: string, id: string): Outcome<true> {
  return inDatabase(storage, (sql) => {
    if (store.getSubscription(sql, name) === null) return NO_SUBSCRIPTION;
    const n = letterId(id);
    return n !== null && store.discardDeadLetter(sql, name, n) ? done(true as const) : NO_LETTER;
  });
}
