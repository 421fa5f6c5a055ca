// DatabaseObject: one SQLite-backed Durable Object per region and database (named "<region>/<db>", created with
// the region's location hint), separate from the objects that run plain invocations, so one database's
// transaction never blocks other functions or other databases. The runtime's tables live under RESERVED_PREFIX
// and are created by numbered migrations (database-schema.ts); user SQL that names them is refused.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { migrateDatabase } from "./database-schema.ts";
import { checkUserSql, isReservedName } from "./sql-statement.ts";

/** What a statement answers (the admin SQL route and the db host calls share this shape). */
export interface SqlResult {
  columns: string[];
  rows: unknown[][];
  rowsRead: number;
  rowsWritten: number;
  lastRowId: number | null;
}

export type SqlOutcome = { ok: true; value: SqlResult } | { ok: false; code: "sql_refused" | "sql_error"; reason?: string; message: string };

/** Largest number of bound parameters (sql.exec's own limit). */
export const MAX_SQL_PARAMS = 100;

export interface TableDescription {
  name: string;
  columns: { name: string; type: string; primaryKey: boolean; notNull: boolean }[];
  rows: number;
}

export class DatabaseObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrateDatabase(ctx.storage);
    });
  }

  /** One checked statement with bound parameters (admin SQL). Refusals and SQL errors come back as data. */
  async sql(text: string, params: unknown[]): Promise<SqlOutcome> {
    const check = checkUserSql(text);
    if (!check.ok) return { ok: false, code: "sql_refused", reason: check.reason, message: check.message! };
    if (!Array.isArray(params) || params.length > MAX_SQL_PARAMS) {
      return { ok: false, code: "sql_refused", reason: "bad_params", message: `params must be a JSON array of at most ${MAX_SQL_PARAMS} values` };
    }
    try {
      return { ok: true, value: this.execute(text, params) };
    } catch (error) {
      return { ok: false, code: "sql_error", message: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The user's tables (reserved ones hidden), with columns and row counts, and the database's size. */
  async describe(): Promise<{ tables: TableDescription[]; sizeBytes: number }> {
    const sql = this.ctx.storage.sql;
    const names = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .toArray()
      .map((r) => r.name)
      .filter((name) => !isReservedName(name));
    const tables = names.map((name) => {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const columns = sql
        .exec<{ name: string; type: string; pk: number; notnull: number }>(`SELECT name, type, pk, "notnull" FROM pragma_table_info(?)`, name)
        .toArray()
        .map((c) => ({ name: c.name, type: c.type, primaryKey: c.pk > 0, notNull: c.notnull === 1 }));
      const rows = Number(sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoted}`).one().n);
      return { name, columns, rows };
    });
    return { tables, sizeBytes: sql.databaseSize };
  }

  private execute(text: string, params: unknown[]): SqlResult {
    const cursor = this.ctx.storage.sql.exec(text, ...(params as SqlStorageValue[]));
    const rows = [...cursor.raw()];
    const rowsWritten = cursor.rowsWritten;
    const lastRowId = rowsWritten > 0 ? Number(this.ctx.storage.sql.exec<{ id: number }>("SELECT last_insert_rowid() AS id").one().id) : null;
    return { columns: cursor.columnNames, rows, rowsRead: cursor.rowsRead, rowsWritten, lastRowId };
  }
}
