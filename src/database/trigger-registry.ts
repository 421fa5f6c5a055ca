// BEFORE-trigger registrations, stored in the database's own reserved table (TRIGGERS_TABLE, migration 1 of
// database-schema.ts) so that they live and die with the data they guard and the write path reads them locally.
// Typed statements only; `events` is stored as a JSON array of event names. The HTTP API writes these rows; the
// engine that fires triggers reads them with triggersFor().

import { TRIGGERS_TABLE } from "./database-schema.ts";
import { DATABASE_NAME } from "./database-names.ts";

export const TRIGGER_EVENTS = ["insert", "update", "delete"] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];
/**
 * BEFORE triggers run inside the write's transaction and can reject or rewrite it; AFTER triggers are subscriptions
 * of the change log (subscription-registry.ts, forTrigger): their function receives the committed changes in batches.
 */
export const TRIGGER_TIMINGS = ["before", "after"] as const;
export type TriggerTiming = (typeof TRIGGER_TIMINGS)[number];

/** The deploy API's function-name pattern (src/api/manifest.ts FUNCTION_NAME; a test keeps the two equal). */
export const TRIGGER_FUNCTION_NAME = /^[a-z0-9-]{1,63}$/;

export interface TriggerSpec {
  table: string;
  events: TriggerEvent[];
  function: string;
  timing: TriggerTiming;
}

export interface TriggerRegistration extends TriggerSpec {
  name: string;
  createdAt: string;
}

export interface TriggerIssue {
  field: string;
  message: string;
}

/** Validates a registration body: {table, events ⊆ insert|update|delete (non-empty, no repeats), function, timing}. */
export function checkTriggerSpec(input: unknown): { ok: true; spec: TriggerSpec } | { ok: false; issues: TriggerIssue[] } {
  const issues: TriggerIssue[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ field: "body", message: "must be a JSON object {table, events, function, timing}" }] };
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!["table", "events", "function", "timing"].includes(key)) issues.push({ field: key, message: "is not a trigger field" });
  }
  if (typeof body.table !== "string" || body.table === "") issues.push({ field: "table", message: "must be a table name" });
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0) {
    issues.push({ field: "events", message: `must be a non-empty array of ${TRIGGER_EVENTS.join(", ")}` });
  } else {
    for (const event of events) {
      if (!(TRIGGER_EVENTS as readonly unknown[]).includes(event)) issues.push({ field: "events", message: `${JSON.stringify(event)} is not one of ${TRIGGER_EVENTS.join(", ")}` });
    }
    if (new Set(events).size !== events.length) issues.push({ field: "events", message: "must not repeat an event" });
  }
  if (typeof body.function !== "string" || !TRIGGER_FUNCTION_NAME.test(body.function)) {
    issues.push({ field: "function", message: "must be a function name ([a-z0-9-]{1,63})" });
  }
  if (!(TRIGGER_TIMINGS as readonly unknown[]).includes(body.timing)) issues.push({ field: "timing", message: `must be "before" or "after"` });
  if (issues.length > 0) return { ok: false, issues };
  const ordered = TRIGGER_EVENTS.filter((e) => (events as unknown[]).includes(e));
  return { ok: true, spec: { table: body.table as string, events: ordered, function: body.function as string, timing: body.timing as TriggerTiming } };
}

export function isTriggerName(name: string): boolean {
  return DATABASE_NAME.test(name);
}

interface TriggerRow extends Record<string, SqlStorageValue> {
  name: string;
  table_name: string;
  events: string;
  function_name: string;
  timing: string;
  created_at: string;
}

const SELECT_ALL = `SELECT name, table_name, events, function_name, timing, created_at FROM ${TRIGGERS_TABLE} ORDER BY name`;
const SELECT_ONE = `SELECT name, table_name, events, function_name, timing, created_at FROM ${TRIGGERS_TABLE} WHERE name = ?`;
const INSERT = `INSERT INTO ${TRIGGERS_TABLE} (name, table_name, events, function_name, timing, created_at) VALUES (?, ?, ?, ?, ?, ?)`;
const UPDATE = `UPDATE ${TRIGGERS_TABLE} SET table_name = ?, events = ?, function_name = ?, timing = ? WHERE name = ?`;
const DELETE = `DELETE FROM ${TRIGGERS_TABLE} WHERE name = ? RETURNING name`;

function fromRow(row: TriggerRow): TriggerRegistration {
  return {
    name: row.name,
    table: row.table_name,
    events: JSON.parse(row.events) as TriggerEvent[],
    function: row.function_name,
    timing: row.timing as TriggerTiming,
    createdAt: row.created_at,
  };
}

/** Creates or replaces a registration (a replacement keeps its createdAt). `spec.table` is the table's canonical name. */
export function putTrigger(storage: DurableObjectStorage, name: string, spec: TriggerSpec): { trigger: TriggerRegistration; created: boolean } {
  return storage.transactionSync(() => {
    const sql = storage.sql;
    const existing = sql.exec<TriggerRow>(SELECT_ONE, name).toArray()[0];
    const events = JSON.stringify(spec.events);
    if (existing === undefined) {
      sql.exec(INSERT, name, spec.table, events, spec.function, spec.timing, new Date().toISOString());
    } else {
      sql.exec(UPDATE, spec.table, events, spec.function, spec.timing, name);
    }
    return { trigger: fromRow(sql.exec<TriggerRow>(SELECT_ONE, name).one()), created: existing === undefined };
  });
}

export function listTriggers(sql: SqlStorage): TriggerRegistration[] {
  return sql.exec<TriggerRow>(SELECT_ALL).toArray().map(fromRow);
}

export function getTrigger(sql: SqlStorage, name: string): TriggerRegistration | null {
  const row = sql.exec<TriggerRow>(SELECT_ONE, name).toArray()[0];
  return row === undefined ? null : fromRow(row);
}

/** Returns whether a registration of that name existed. */
export function deleteTrigger(sql: SqlStorage, name: string): boolean {
  return sql.exec(DELETE, name).toArray().length > 0;
}

/** The registrations that fire for `event` on `table` (compared as SQLite compares names), in name order. */
export function triggersFor(sql: SqlStorage, table: string, event: TriggerEvent): TriggerRegistration[] {
  const lower = table.toLowerCase();
  return listTriggers(sql).filter((t) => t.table.toLowerCase() === lower && t.events.includes(event));
}
