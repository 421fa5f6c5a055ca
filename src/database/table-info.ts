// What the row API needs to know about a user table: its canonical name, its columns and its key (the primary key's
// columns in key order, or SQLite's rowid when the table declares none). Read from sqlite_master and
// pragma_table_info with the name bound as a parameter: the row API builds statements only from names found here,
// never from the caller's text. Hidden tables (hidden-tables.ts: the runtime's, the platform's) are never user tables.

import { isHiddenTable } from "./hidden-tables.ts";

export interface ColumnInfo {
  name: string;
  /** Declared type as written ("INTEGER", "TEXT", "" when none). */
  type: string;
  notNull: boolean;
  /** 1-based position in the primary key, 0 when not part of it. */
  primaryKey: number;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** The primary key's columns in key order; empty when the table has none and rows are keyed by rowid. */
  key: string[];
}

/** The user table named `table` (compared as SQLite compares names: ASCII case-insensitively), or null. */
export function readTableInfo(sql: SqlStorage, table: string): TableInfo | null {
  if (isHiddenTable(table)) return null;
  const found = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE", table)
    .toArray();
  if (found.length !== 1) return null;
  const name = found[0].name;
  const columns = sql
    .exec<{ name: string; type: string; pk: number; notnull: number }>(`SELECT name, type, pk, "notnull" FROM pragma_table_info(?) ORDER BY cid`, name)
    .toArray()
    .map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1, primaryKey: Number(c.pk) }));
  const key = columns.filter((c) => c.primaryKey > 0).sort((a, b) => a.primaryKey - b.primaryKey).map((c) => c.name);
  return { name, columns, key };
}
