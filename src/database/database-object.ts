// DatabaseObject: one SQLite-backed Durable Object per region and database (named "<region>/<db>", created with
// the region's location hint), separate from the objects that run plain invocations, so one database's
// transaction never blocks other functions or other databases. The runtime's tables live under RESERVED_PREFIX
// and are created by numbered migrations (database-schema.ts); user SQL that names them is refused.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { ensureMarker, readMarker, type DatabaseMarker } from "./database-marker.ts";
import { migrateDatabase } from "./database-schema.ts";
import { checkUserSql, isReservedName } from "./sql-statement.ts";
import { readTableInfo, type TableInfo } from "./table-info.ts";
import * as triggerRegistry from "./trigger-registry.ts";
import type { TriggerRegistration, TriggerSpec } from "./trigger-registry.ts";

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

export interface DatabaseOverview {
  database: DatabaseMarker;
  tables: TableDescription[];
  sizeBytes: number;
  triggers: TriggerRegistration[];
}

export type TriggerPutOutcome =
  | { ok: true; trigger: TriggerRegistration; created: boolean }
  | { ok: false; code: "unknown_database" | "unknown_table" | "invalid_name" }
  | { ok: false; code: "invalid_spec"; issues: { field: string; message: string }[] };

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

  // --- Lifecycle, table lookups and trigger registrations: the HTTP API's calls (src/services). Each answers data,
  // never throws for the caller's mistakes, so the service raises the catalogued error.

  /** Records that this database exists (idempotent); `created` is false when it already did. */
  async create(region: string, name: string): Promise<{ created: boolean; database: DatabaseMarker }> {
    const { marker, created } = ensureMarker(this.ctx.storage, region, name);
    return { created, database: marker };
  }

  /** The database's record, or null when nobody created it (or it was deleted). */
  async info(): Promise<DatabaseMarker | null> {
    return readMarker(this.ctx.storage);
  }

  /** Everything GET /databases/:db shows, or null for a database that does not exist. */
  async overview(): Promise<DatabaseOverview | null> {
    const database = readMarker(this.ctx.storage);
    if (database === null) return null;
    const { tables, sizeBytes } = await this.describe();
    return { database, tables, sizeBytes, triggers: triggerRegistry.listTriggers(this.ctx.storage.sql) };
  }

  /**
   * Deletes every table, row, trigger registration and the record itself (deleteAll removes the whole SQLite
   * database of a SQLite-backed object, key-value data included), then re-creates the reserved tables so this
   * instance stays usable. Returns whether the database existed.
   */
  async destroy(): Promise<boolean> {
    const existed = readMarker(this.ctx.storage) !== null;
    await this.ctx.storage.deleteAll();
    migrateDatabase(this.ctx.storage);
    return existed;
  }

  /** A user table's columns and key, for the row API; `database: false` when the database does not exist. */
  async tableInfo(table: string): Promise<{ database: false } | { database: true; table: TableInfo | null }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    return { database: true, table: readTableInfo(this.ctx.storage.sql, table) };
  }

  /** Creates or replaces a trigger registration; the table must exist (its canonical name is stored). */
  async putTrigger(name: string, spec: TriggerSpec): Promise<TriggerPutOutcome> {
    if (readMarker(this.ctx.storage) === null) return { ok: false, code: "unknown_database" };
    if (!triggerRegistry.isTriggerName(name)) return { ok: false, code: "invalid_name" };
    const checked = triggerRegistry.checkTriggerSpec(spec);
    if (!checked.ok) return { ok: false, code: "invalid_spec", issues: checked.issues };
    const table = readTableInfo(this.ctx.storage.sql, checked.spec.table);
    if (table === null) return { ok: false, code: "unknown_table" };
    return { ok: true, ...triggerRegistry.putTrigger(this.ctx.storage, name, { ...checked.spec, table: table.name }) };
  }

  /** Every registration in name order, or null when the database does not exist. */
  async listTriggers(): Promise<TriggerRegistration[] | null> {
    if (readMarker(this.ctx.storage) === null) return null;
    return triggerRegistry.listTriggers(this.ctx.storage.sql);
  }

  async getTrigger(name: string): Promise<{ database: false } | { database: true; trigger: TriggerRegistration | null }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    return { database: true, trigger: triggerRegistry.getTrigger(this.ctx.storage.sql, name) };
  }

  /** Removes a registration; `deleted` is false when there was none of that name. */
  async deleteTrigger(name: string): Promise<{ database: false } | { database: true; deleted: boolean }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    return { database: true, deleted: triggerRegistry.deleteTrigger(this.ctx.storage.sql, name) };
  }

  private execute(text: string, params: unknown[]): SqlResult {
    const cursor = this.ctx.storage.sql.exec(text, ...(params as SqlStorageValue[]));
    const rows = [...cursor.raw()];
    const rowsWritten = cursor.rowsWritten;
    const lastRowId = rowsWritten > 0 ? Number(this.ctx.storage.sql.exec<{ id: number }>("SELECT last_insert_rowid() AS id").one().id) : null;
    return { columns: cursor.columnNames, rows, rowsRead: cursor.rowsRead, rowsWritten, lastRowId };
  }
}
