// Capture into the change log (the outbox) for arbitrary SQL. Every user table carries three native SQLite
// triggers (AFTER INSERT / UPDATE / DELETE, FOR EACH ROW) that append the changed row, old and new, to
// CHANGE_LOG_TABLE inside the write's own savepoint, reading the open transaction's id, time and origin from the
// one-row CHANGE_TX_TABLE. So every statement that reaches a user table — the row API, admin SQL, a procedure's
// db_execute, a user's own native trigger cascading, a BEFORE trigger's rewrite — is logged by the same engine
// that applies it, and a rolled-back savepoint or transaction takes its entries (and their seq numbers) with it.
//
// The native triggers are derived data, like the BEFORE-trigger capture (change-capture.ts): `syncChangeLogTriggers`
// recomputes them from the tables' current columns when the object starts and inside the savepoint of every schema
// statement (CREATE / ALTER / DROP), which is also where that statement's 'schema' entry is written. Before an
// ALTER, both kinds of capture trigger are dropped (SQLite refuses to drop or rename a column a trigger names) and
// re-made after it, in the same savepoint, so no later write of the transaction can miss them.
//
// Not captured: virtual tables (SQLite cannot put triggers on them) and their shadow tables (V_data, V_idx, ...).

import { rowJson, syncCaptureTriggers } from "./change-capture.ts";
import { CHANGE_LOG_TABLE, CHANGE_TX_TABLE } from "./database-schema.ts";
import { isHiddenTable } from "./hidden-tables.ts";
import { RESERVED_PREFIX } from "./sql-statement.ts";
import { listTriggers } from "./trigger-registry.ts";

/** Prefix of the change-log capture triggers (reserved: no user SQL can name, drop or replace them). */
export const LOG_TRIGGER_PREFIX = `${RESERVED_PREFIX}log_`;

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The log's head: the largest seq ever assigned (AUTOINCREMENT keeps it even when pruning emptied the table). */
export const HEAD_SEQ_SQL = `SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '${CHANGE_LOG_TABLE}'), 0) AS head`;

interface CapturedTable {
  name: string;
  columns: string[];
  /** Primary-key columns in key order (empty: keyed by rowid). */
  key: string[];
  withoutRowid: boolean;
}

/** The tables the log captures: every user table except virtual tables and their shadow tables. */
function capturedTables(sql: SqlStorage): CapturedTable[] {
  const tables = sql.exec<{ name: string; sql: string | null }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table'`).toArray();
  const virtual = tables.filter((t) => /^\s*create\s+virtual\s+table/i.test(t.sql ?? "")).map((t) => t.name.toLowerCase());
  const shadow = (name: string) => virtual.some((v) => name.toLowerCase().startsWith(`${v}_`));
  return tables
    .filter((t) => !isHiddenTable(t.name) && !virtual.includes(t.name.toLowerCase()) && !shadow(t.name))
    .map((t) => {
      const info = sql.exec<{ name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info(?) ORDER BY cid`, t.name).toArray();
      const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      return { name: t.name, columns: info.map((c) => c.name), key, withoutRowid: /\)\s*without\s+rowid\s*[;,]?\s*$/i.test(t.sql ?? "") };
    });
}

/** The row's key as JSON text: the primary key's value (a JSON array of them for a composite key), else the rowid. */
function keyJson(table: CapturedTable, row: "OLD" | "NEW"): string {
  const value = (column: string) => {
    const ref = `${row}.${quoteName(column)}`;
    return `CASE WHEN typeof(${ref}) = 'blob' THEN lower(hex(${ref})) ELSE ${ref} END`;
  };
  if (table.key.length === 0) return `json_quote(${row}.rowid)`;
  if (table.key.length === 1) return `json_quote(${value(table.key[0])})`;
  return `json_array(${table.key.map(value).join(", ")})`;
}

function logTriggerSql(table: CapturedTable, op: "insert" | "update" | "delete"): string {
  const name = quoteName(`${LOG_TRIGGER_PREFIX}${op}_${table.name}`);
  const literal = quoteText(table.name);
  const row = op === "delete" ? "OLD" : "NEW";
  const rowId = table.withoutRowid ? "NULL" : `${row}.rowid`;
  const oldRow = op === "insert" ? "NULL" : rowJson(table.columns, "OLD");
  const newRow = op === "delete" ? "NULL" : rowJson(table.columns, "NEW");
  const append = (where: string) =>
    `INSERT INTO ${CHANGE_LOG_TABLE} (tx_id, table_name, op, row_key, row_id, old_row, new_row, committed_at, origin) ` +
    `SELECT tx_id, ${literal}, '${op}', ${keyJson(table, row)}, ${rowId}, ${oldRow}, ${newRow}, committed_at, origin FROM ${CHANGE_TX_TABLE} WHERE id = 1${where};`;
  if (op !== "update" || table.withoutRowid) {
    return `CREATE TRIGGER ${name} AFTER ${op.toUpperCase()} ON ${quoteName(table.name)} FOR EACH ROW BEGIN ${append("")} END`;
  }
  // A BEFORE trigger's rewrite (muted: this table and rowid) is no change of its own: it becomes the final row of
  // the latest entry of that row in this transaction, the write it rewrote. Other rows and cascades log as usual.
  const muted = `mute_table IS ${literal} AND mute_rowid IS OLD.rowid`;
  const fold =
    `UPDATE ${CHANGE_LOG_TABLE} SET new_row = ${newRow}, row_key = ${keyJson(table, "NEW")}, row_id = NEW.rowid WHERE seq = (` +
    `SELECT l.seq FROM ${CHANGE_LOG_TABLE} l WHERE (SELECT ${muted} FROM ${CHANGE_TX_TABLE} WHERE id = 1) ` +
    `AND l.seq > (SELECT start_seq FROM ${CHANGE_TX_TABLE} WHERE id = 1) AND l.table_name = ${literal} AND l.row_id = OLD.rowid ORDER BY l.seq DESC LIMIT 1);`;
  return `CREATE TRIGGER ${name} AFTER UPDATE ON ${quoteName(table.name)} FOR EACH ROW BEGIN ${append(` AND NOT (${muted})`)} ${fold} END`;
}

function existingTriggers(sql: SqlStorage, prefix: string): { name: string; sql: string }[] {
  return sql
    .exec<{ name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'`, `${prefix.replaceAll("_", "\\_")}%`)
    .toArray();
}

/** Makes the log's capture triggers exactly right for every user table as it is now; drops those of no table. */
export function syncChangeLogTriggers(sql: SqlStorage): void {
  const desired = new Map<string, string>();
  for (const table of capturedTables(sql)) {
    for (const op of ["insert", "update", "delete"] as const) desired.set(`${LOG_TRIGGER_PREFIX}${op}_${table.name}`, logTriggerSql(table, op));
  }
  const kept = new Set<string>();
  for (const trigger of existingTriggers(sql, LOG_TRIGGER_PREFIX)) {
    if (desired.get(trigger.name) === trigger.sql) kept.add(trigger.name);
    else sql.exec(`DROP TRIGGER IF EXISTS ${quoteName(trigger.name)}`);
  }
  for (const [name, statement] of desired) if (!kept.has(name)) sql.exec(statement);
}

/**
 * Opens a transaction's context: a fresh id, its time and origin (the function whose invocation writes, or null),
 * and the head it starts from. Every entry until the next call carries them. Runs inside or just before the
 * transaction it names; synchronous, so nothing else can write in between.
 */
export function beginChangeTx(sql: SqlStorage, origin: string | null, now = new Date()): string {
  const txId = crypto.randomUUID();
  sql.exec(
    `UPDATE ${CHANGE_TX_TABLE} SET tx_id = ?, committed_at = ?, origin = ?, start_seq = (${HEAD_SEQ_SQL}), mute_table = NULL, mute_rowid = NULL WHERE id = 1`,
    txId,
    now.toISOString(),
    origin,
  );
  return txId;
}

/** Marks the next update of (table, rowid) as a BEFORE trigger's rewrite, folded into the entry it rewrites. */
export function muteRewrite(sql: SqlStorage, table: string, rowid: number): void {
  sql.exec(`UPDATE ${CHANGE_TX_TABLE} SET mute_table = ?, mute_rowid = ? WHERE id = 1`, table, rowid);
}

export function unmuteRewrite(sql: SqlStorage): void {
  sql.exec(`UPDATE ${CHANGE_TX_TABLE} SET mute_table = NULL, mute_rowid = NULL WHERE id = 1`);
}

// --- Schema statements.

const SCHEMA_WORDS = new Set(["create", "alter", "drop"]);

/** The statement's first keyword, lower case (comments and whitespace skipped), or "" when it starts otherwise. */
export function firstKeyword(text: string): string {
  const match = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*([A-Za-z]+)/.exec(text);
  return match === null ? "" : match[1].toLowerCase();
}

/** Whether a statement may write (a plain SELECT or VALUES cannot: SQLite has no writing functions here). */
export function mayWrite(text: string): boolean {
  const word = firstKeyword(text);
  return word !== "select" && word !== "values" && word !== "explain";
}

type SchemaObject = { type: string; table: string; sql: string | null };

function schemaObjects(sql: SqlStorage): Map<string, SchemaObject> {
  const objects = new Map<string, SchemaObject>();
  for (const row of sql.exec<{ type: string; name: string; tbl_name: string; sql: string | null }>(`SELECT type, name, tbl_name, sql FROM sqlite_master`)) {
    if (isHiddenTable(row.name) || isHiddenTable(row.tbl_name)) continue;
    objects.set(`${row.type}:${row.name}`, { type: row.type, table: row.tbl_name, sql: row.sql });
  }
  return objects;
}

/** What a schema statement needs before it runs: the schema as it was. Null for statements that are not DDL. */
export interface SchemaChange {
  text: string;
  before: Map<string, SchemaObject>;
}

/** Before a statement, inside its savepoint: for DDL, the schema as it is (and, before ALTER, no capture triggers). */
export function beforeStatement(sql: SqlStorage, text: string): SchemaChange | null {
  const word = firstKeyword(text);
  if (!SCHEMA_WORDS.has(word)) return null;
  if (word === "alter") {
    for (const trigger of existingTriggers(sql, RESERVED_PREFIX)) {
      if (trigger.name.startsWith(LOG_TRIGGER_PREFIX) || trigger.name.startsWith(`${RESERVED_PREFIX}capture_`)) sql.exec(`DROP TRIGGER ${quoteName(trigger.name)}`);
    }
  }
  return { text, before: schemaObjects(sql) };
}

/**
 * After a DDL statement succeeded, still inside its savepoint: the capture triggers made right again and one
 * 'schema' entry naming the table it touched, with the statement as `new.sql`. A statement that changed nothing
 * (CREATE TABLE IF NOT EXISTS of a table that exists) logs nothing.
 */
export function afterStatement(sql: SqlStorage, change: SchemaChange): void {
  syncChangeLogTriggers(sql);
  syncCaptureTriggers(sql, listTriggers(sql));
  const after = schemaObjects(sql);
  const changed: { name: string; object: SchemaObject; present: boolean }[] = [];
  for (const [id, object] of after) if (change.before.get(id)?.sql !== object.sql) changed.push({ name: id.slice(id.indexOf(":") + 1), object, present: true });
  for (const [id, object] of change.before) if (!after.has(id)) changed.push({ name: id.slice(id.indexOf(":") + 1), object, present: false });
  if (changed.length === 0) return;
  const table = changed.find((c) => c.object.type === "table" && c.present) ?? changed.find((c) => c.object.type === "table") ?? changed[0];
  sql.exec(
    `INSERT INTO ${CHANGE_LOG_TABLE} (tx_id, table_name, op, row_key, row_id, old_row, new_row, committed_at, origin) ` +
      `SELECT tx_id, ?, 'schema', NULL, NULL, NULL, ?, committed_at, origin FROM ${CHANGE_TX_TABLE} WHERE id = 1`,
    table.object.type === "table" ? table.name : table.object.table,
    JSON.stringify({ sql: change.text }),
  );
}
