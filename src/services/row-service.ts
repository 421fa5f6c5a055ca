// Rows as JSON objects (the row API): insert, page through, read, patch and delete by primary key (or rowid). Every
// statement is built from the table's description (src/database/row-statements.ts: quoted identifiers SQLite
// reported, bound values) and runs through the database object's sql(), the same checked path with the same BEFORE
// triggers as admin SQL and a procedure's db_execute.

import {
  decodeCursor,
  deleteStatement,
  encodeCursor,
  insertStatement,
  keyShape,
  keyValueFromText,
  pageStatement,
  paramFromJson,
  selectByKeyStatement,
  updateStatement,
  type SqlParam,
  type Statement,
  type TableInfo,
} from "../database/index.ts";
import type { Env } from "../env.ts";
import { databaseIn } from "./database-service.ts";
import { InvalidKeyError, RowNotFoundError, UnknownColumnError, UnknownDatabaseError, UnknownTableError } from "./errors.ts";
import { rowObjects, unwrapSql } from "./sql-outcome.ts";

/** Rows per page when `limit` is not given, and the most one page may hold. */
export const DEFAULT_ROW_PAGE = 100;
export const MAX_ROW_PAGE = 1000;

export type Row = Record<string, unknown>;

/** A row's values as the caller sent them, already checked to be SQLite values (see the route). */
export type RowValues = [string, SqlParam][];

interface TableHandle {
  table: TableInfo;
  run(statement: Statement): Promise<Row[]>;
}

async function openTable(env: Env, region: string, db: string, tableName: string): Promise<TableHandle> {
  const stub = databaseIn(env, region, db);
  const lookup = await stub.tableInfo(tableName);
  if (!lookup.database) throw new UnknownDatabaseError(region, db);
  if (lookup.table === null) throw new UnknownTableError(db, tableName);
  return { table: lookup.table, run: async (s) => rowObjects(unwrapSql(await stub.sql(s.sql, s.params))) };
}

/** The caller's column names mapped to the table's own spelling (SQLite compares names case-insensitively). */
function canonicalColumns(table: TableInfo, values: RowValues): RowValues {
  const byLower = new Map(table.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const unknown = values.map(([name]) => name).filter((name) => !byLower.has(name.toLowerCase()));
  if (unknown.length > 0) throw new UnknownColumnError(table.name, unknown);
  return values.map(([name, value]) => [byLower.get(name.toLowerCase())!, value]);
}

/** The key values a URL segment names: the value itself, or a JSON array of one value per column of a composite key. */
function parseKey(table: TableInfo, text: string): SqlParam[] {
  const shape = keyShape(table);
  if (shape.columns.length === 1) {
    const value = keyValueFromText(table, shape.columns[0], text);
    if (value === null) throw new InvalidKeyError(table.name, text, `rows of "${table.name}" are keyed by rowid, an integer`);
    return [value];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const values = Array.isArray(parsed) ? parsed.map(paramFromJson) : [];
  if (values.length !== shape.columns.length || values.some((v) => v === undefined)) {
    throw new InvalidKeyError(table.name, text, `"${table.name}" has a composite key: give a JSON array of ${shape.columns.length} values (${shape.columns.join(", ")})`);
  }
  return values as SqlParam[];
}

function keyOfRow(table: TableInfo, row: Row): unknown[] {
  return keyShape(table).columns.map((column) => row[column]);
}

/** Reads back the row a write left, by the key the write answered (a BEFORE trigger may have rewritten it). */
async function readBack(handle: TableHandle, keyRow: Row | undefined): Promise<Row | null> {
  if (keyRow === undefined) return null;
  const key = keyOfRow(handle.table, keyRow).map(paramFromJson);
  if (key.some((v) => v === undefined)) return keyRow;
  const rows = await handle.run(selectByKeyStatement(handle.table, key as SqlParam[]));
  return rows[0] ?? keyRow;
}

export async function insertRow(env: Env, region: string, db: string, tableName: string, values: RowValues): Promise<Row | null> {
  const handle = await openTable(env, region, db, tableName);
  const written = await handle.run(insertStatement(handle.table, canonicalColumns(handle.table, values)));
  return readBack(handle, written[0]);
}

export async function listRows(
  env: Env, region: string, db: string, tableName: string, options: { limit: number; cursor: string | null },
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  const handle = await openTable(env, region, db, tableName);
  const { table } = handle;
  let after: SqlParam[] | null = null;
  if (options.cursor !== null) {
    after = decodeCursor(options.cursor);
    if (after === null || after.length !== keyShape(table).columns.length) {
      throw new InvalidKeyError(table.name, options.cursor, `not a page cursor of "${table.name}"`);
    }
  }
  // One row more than asked tells whether another page follows, without a count.
  const rows = await handle.run(pageStatement(table, after, options.limit + 1));
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  return { rows: page, nextCursor: more ? encodeCursor(keyOfRow(table, page[page.length - 1])) : null };
}

export async function getRow(env: Env, region: string, db: string, tableName: string, keyText: string): Promise<Row> {
  const handle = await openTable(env, region, db, tableName);
  const rows = await handle.run(selectByKeyStatement(handle.table, parseKey(handle.table, keyText)));
  if (rows.length === 0) throw new RowNotFoundError(handle.table.name, keyText);
  return rows[0];
}

export async function patchRow(env: Env, region: string, db: string, tableName: string, keyText: string, values: RowValues): Promise<Row> {
  const handle = await openTable(env, region, db, tableName);
  const key = parseKey(handle.table, keyText);
  const written = await handle.run(updateStatement(handle.table, key, canonicalColumns(handle.table, values)));
  if (written.length === 0) throw new RowNotFoundError(handle.table.name, keyText);
  return (await readBack(handle, written[0]))!;
}

export async function deleteRow(env: Env, region: string, db: string, tableName: string, keyText: string): Promise<Row> {
  const handle = await openTable(env, region, db, tableName);
  const deleted = await handle.run(deleteStatement(handle.table, parseKey(handle.table, keyText)));
  if (deleted.length === 0) throw new RowNotFoundError(handle.table.name, keyText);
  return deleted[0];
}
