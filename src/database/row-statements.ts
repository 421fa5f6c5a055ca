// The row API's statements, built from a table's description (table-info.ts) and never from the caller's text:
// every identifier is a name SQLite reported for the table, double-quoted with quotes doubled, and every value is a
// bound parameter. Rows are keyed by the primary key (in key order), or by rowid when the table declares none;
// pages use keyset pagination on that key, so each page is an index range scan whatever the table's size.

import type { SqlParam } from "./sql-values.ts";
import type { TableInfo } from "./table-info.ts";

export interface Statement {
  sql: string;
  params: SqlParam[];
}

/** How rows of a table are addressed. */
export interface RowKeyShape {
  /** Key column names, in key order (["rowid"] when `rowid`). */
  columns: string[];
  /** The table has no declared primary key: rows are keyed by SQLite's rowid, which is added to every row read. */
  rowid: boolean;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function keyShape(table: TableInfo): RowKeyShape {
  return table.key.length > 0 ? { columns: table.key, rowid: false } : { columns: ["rowid"], rowid: true };
}

function keyExpressions(shape: RowKeyShape): string[] {
  return shape.rowid ? ["rowid"] : shape.columns.map(quoteIdentifier);
}

/** What a read returns: every column, and the rowid first for tables keyed by it. */
function projection(shape: RowKeyShape): string {
  return shape.rowid ? "rowid AS rowid, *" : "*";
}

function keyMatch(shape: RowKeyShape): string {
  return keyExpressions(shape).map((k) => `${k} = ?`).join(" AND ");
}

/** INSERT of the given columns (or DEFAULT VALUES), answering the new row's key. */
export function insertStatement(table: TableInfo, values: [string, SqlParam][]): Statement {
  const shape = keyShape(table);
  const target = quoteIdentifier(table.name);
  const returning = `RETURNING ${keyExpressions(shape).join(", ")}`;
  if (values.length === 0) return { sql: `INSERT INTO ${target} DEFAULT VALUES ${returning}`, params: [] };
  const columns = values.map(([name]) => quoteIdentifier(name)).join(", ");
  const slots = values.map(() => "?").join(", ");
  return { sql: `INSERT INTO ${target} (${columns}) VALUES (${slots}) ${returning}`, params: values.map(([, v]) => v) };
}

export function selectByKeyStatement(table: TableInfo, key: SqlParam[]): Statement {
  const shape = keyShape(table);
  return { sql: `SELECT ${projection(shape)} FROM ${quoteIdentifier(table.name)} WHERE ${keyMatch(shape)}`, params: key };
}

/** UPDATE of the given columns of one row, answering its (possibly changed) key; no row answered = no such row. */
export function updateStatement(table: TableInfo, key: SqlParam[], values: [string, SqlParam][]): Statement {
  const shape = keyShape(table);
  const assignments = values.map(([name]) => `${quoteIdentifier(name)} = ?`).join(", ");
  return {
    sql: `UPDATE ${quoteIdentifier(table.name)} SET ${assignments} WHERE ${keyMatch(shape)} RETURNING ${keyExpressions(shape).join(", ")}`,
    params: [...values.map(([, v]) => v), ...key],
  };
}

/** DELETE of one row, answering the deleted row. */
export function deleteStatement(table: TableInfo, key: SqlParam[]): Statement {
  const shape = keyShape(table);
  return { sql: `DELETE FROM ${quoteIdentifier(table.name)} WHERE ${keyMatch(shape)} RETURNING ${projection(shape)}`, params: key };
}

/** Up to `limit` rows in key order, after the row whose key is `after` (null: from the start). */
export function pageStatement(table: TableInfo, after: SqlParam[] | null, limit: number): Statement {
  const shape = keyShape(table);
  const keys = keyExpressions(shape);
  const tuple = keys.length === 1 ? keys[0] : `(${keys.join(", ")})`;
  const slots = keys.length === 1 ? "?" : `(${keys.map(() => "?").join(", ")})`;
  const where = after === null ? "" : ` WHERE ${tuple} > ${slots}`;
  return {
    sql: `SELECT ${projection(shape)} FROM ${quoteIdentifier(table.name)}${where} ORDER BY ${keys.join(", ")} LIMIT ?`,
    params: [...(after ?? []), limit],
  };
}

/** SQLite's type affinity of a declared column type (the rules of https://sqlite.org/datatype3.html, 3.1). */
export function affinityOf(declaredType: string): "integer" | "text" | "blob" | "real" | "numeric" {
  const type = declaredType.toUpperCase();
  if (type.includes("INT")) return "integer";
  if (type.includes("CHAR") || type.includes("CLOB") || type.includes("TEXT")) return "text";
  if (type === "" || type.includes("BLOB")) return "blob";
  if (type.includes("REAL") || type.includes("FLOA") || type.includes("DOUB")) return "real";
  return "numeric";
}

const INTEGER_TEXT = /^-?\d{1,16}$/;
const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/**
 * The bound value for a key taken from a URL segment (always text): a text column gets the text; any other column
 * gets a number when the text is one, since a bound parameter has no affinity and a column without numeric affinity
 * would compare '5' and 5 as different. A rowid must be an integer (null otherwise: no row can have that key).
 */
export function keyValueFromText(table: TableInfo, column: string, text: string): SqlParam | null {
  if (keyShape(table).rowid) return INTEGER_TEXT.test(text) ? Number(text) : null;
  const declared = table.columns.find((c) => c.name === column)?.type ?? "";
  if (affinityOf(declared) === "text") return text;
  return NUMBER_TEXT.test(text) ? Number(text) : text;
}
