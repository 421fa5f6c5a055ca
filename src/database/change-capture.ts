// Change capture for BEFORE triggers: for every table a registration names, native SQLite triggers (AFTER each
// registered event, FOR EACH ROW) copy the changed row, old and new, into CHANGES_TABLE as JSON, inside the write's
// own savepoint. The trigger engine reads those rows after the statement, hands each to the WebAssembly trigger and
// keeps, rewrites or rolls back the write. So a BEFORE trigger sees the rows of any statement (row API, admin SQL, a
// procedure's db_execute, a user's own native trigger cascading), not only rows the row API spelled out.
//
// The native triggers are derived data: `syncCaptureTriggers` recomputes them from the registrations and the tables'
// current columns before every write that may fire, and drops those no registration needs any more.

import { CHANGES_TABLE } from "./database-schema.ts";
import { RESERVED_PREFIX } from "./sql-statement.ts";
import type { TriggerEvent, TriggerRegistration } from "./trigger-registry.ts";

/** Prefix of the native capture triggers (inside the reserved namespace, so no user SQL can drop or name them). */
export const CAPTURE_PREFIX = `${RESERVED_PREFIX}capture_`;

/** Columns per json_object/json_insert call, well under SQLite's limit on function arguments. */
const PAIRS_PER_CALL = 50;

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** json_object of the row's columns (OLD or NEW), a BLOB as its hex text; chained for wide tables. */
export function rowJson(columns: string[], row: "OLD" | "NEW"): string {
  const value = (column: string) => {
    const ref = `${row}.${quoteName(column)}`;
    return `CASE WHEN typeof(${ref}) = 'blob' THEN lower(hex(${ref})) ELSE ${ref} END`;
  };
  let expression = `json_object(${columns.slice(0, PAIRS_PER_CALL).map((c) => `${quoteText(c)}, ${value(c)}`).join(", ")})`;
  for (let i = PAIRS_PER_CALL; i < columns.length; i += PAIRS_PER_CALL) {
    const pairs = columns.slice(i, i + PAIRS_PER_CALL).map((c) => `${quoteText(`$.${JSON.stringify(c)}`)}, ${value(c)}`);
    expression = `json_insert(${expression}, ${pairs.join(", ")})`;
  }
  return expression;
}

function captureSql(name: string, table: string, columns: string[], event: TriggerEvent, withoutRowid: boolean): string {
  const on = `${event.toUpperCase()} ON ${quoteName(table)}`;
  if (withoutRowid) {
    // No rowid to find the row again by: refuse every such write rather than let it bypass the trigger.
    const message = quoteText(`BEFORE triggers need a table with a rowid; ${table} is WITHOUT ROWID`);
    return `CREATE TRIGGER ${quoteName(name)} BEFORE ${on} FOR EACH ROW BEGIN SELECT RAISE(ABORT, ${message}); END`;
  }
  const key = event === "delete" ? "OLD.rowid" : "NEW.rowid";
  const oldRow = event === "insert" ? "NULL" : rowJson(columns, "OLD");
  const newRow = event === "delete" ? "NULL" : rowJson(columns, "NEW");
  return (
    `CREATE TRIGGER ${quoteName(name)} AFTER ${on} FOR EACH ROW BEGIN ` +
    `INSERT INTO ${CHANGES_TABLE} (table_name, op, row_key, old_row, new_row) VALUES (${quoteText(table)}, '${event}', ${key}, ${oldRow}, ${newRow}); END`
  );
}

/** The actual name of a table (names match case-insensitively), its columns, and whether it is WITHOUT ROWID. */
export function describeTable(sql: SqlStorage, table: string): { name: string; columns: string[]; withoutRowid: boolean } | null {
  const found = sql
    .exec<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`, table)
    .toArray()[0];
  if (found === undefined) return null;
  const columns = sql.exec<{ name: string }>(`SELECT name FROM pragma_table_info(?) ORDER BY cid`, found.name).toArray().map((c) => c.name);
  return { name: found.name, columns, withoutRowid: /\)\s*without\s+rowid\s*[;,]?\s*$/i.test(found.sql ?? "") };
}

/**
 * Makes the native capture triggers exactly what the registrations need for the tables as they are now. Runs inside
 * the caller's savepoint or transaction; costs two small catalogue reads when nothing changed.
 */
export function syncCaptureTriggers(sql: SqlStorage, registrations: readonly Pick<TriggerRegistration, "table" | "events" | "timing">[]): void {
  const desired = new Map<string, string>();
  const byTable = new Map<string, Set<TriggerEvent>>();
  for (const registration of registrations) {
    if (registration.timing !== "before") continue;
    const key = registration.table.toLowerCase();
    const events = byTable.get(key) ?? new Set<TriggerEvent>();
    for (const event of registration.events) events.add(event);
    byTable.set(key, events);
  }
  for (const [table, events] of byTable) {
    const described = describeTable(sql, table);
    if (described === null) continue;
    for (const event of events) {
      const name = `${CAPTURE_PREFIX}${event}_${described.name}`;
      desired.set(name, captureSql(name, described.name, described.columns, event, described.withoutRowid));
    }
  }
  const existing = sql
    .exec<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'`, `${CAPTURE_PREFIX.replaceAll("_", "\\_")}%`)
    .toArray();
  const kept = new Set<string>();
  for (const trigger of existing) {
    if (desired.get(trigger.name) === trigger.sql) kept.add(trigger.name);
    else sql.exec(`DROP TRIGGER IF EXISTS ${quoteName(trigger.name)}`);
  }
  for (const [name, statement] of desired) if (!kept.has(name)) sql.exec(statement);
}

/** One captured change, as the engine reads it back. */
export interface CapturedChange {
  seq: number;
  table: string;
  op: TriggerEvent;
  rowKey: number;
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
}

/** Takes every captured change out of CHANGES_TABLE, in order (the table is left empty). */
export function takeChanges(sql: SqlStorage): CapturedChange[] {
  const rows = sql
    .exec<{ seq: number; table_name: string; op: TriggerEvent; row_key: number; old_row: string | null; new_row: string | null }>(
      `SELECT seq, table_name, op, row_key, old_row, new_row FROM ${CHANGES_TABLE} ORDER BY seq`,
    )
    .toArray();
  if (rows.length > 0) sql.exec(`DELETE FROM ${CHANGES_TABLE}`);
  return rows.map((row) => ({
    seq: row.seq,
    table: row.table_name,
    op: row.op,
    rowKey: row.row_key,
    old: row.old_row === null ? null : JSON.parse(row.old_row),
    new: row.new_row === null ? null : JSON.parse(row.new_row),
  }));
}

/** Drops whatever CHANGES_TABLE holds (the rows a trigger's own rewrite captured). */
export function clearChanges(sql: SqlStorage): void {
  sql.exec(`DELETE FROM ${CHANGES_TABLE}`);
}

export { quoteName };
