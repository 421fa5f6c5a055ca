// The database object: numbered migrations of its reserved tables, checked admin SQL, and describe().

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { DATABASE_MIGRATIONS, type DatabaseObject } from "../../src/database/index.ts";
import { describe, expect, it } from "vitest";

const database = (name: string) => env.DATABASE.get(env.DATABASE.idFromName(`wnam/${name}`));

describe("database object", () => {
  it("creates its reserved tables by numbered migrations, once", async () => {
    const stub = database("migrations");
    const recorded = await runInDurableObject(stub, (_instance: DatabaseObject, state) => ({
      versions: state.storage.sql.exec<{ version: number }>("SELECT version FROM _helios_migrations ORDER BY version").toArray().map((r) => r.version),
      tables: state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_helios\\_%' ESCAPE '\\' ORDER BY name").toArray().map((r) => r.name),
    }));
    expect(recorded.versions).toEqual(DATABASE_MIGRATIONS.map((m) => m.version));
    expect(recorded.tables).toEqual(["_helios_change_log", "_helios_change_tx", "_helios_changes", "_helios_dead_letters", "_helios_migrations", "_helios_subscriptions", "_helios_triggers"]);
  });

  it("runs statements with bound parameters and answers columns, rows and counts", async () => {
    const db = database("admin-sql");
    expect(await db.sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL)", [])).toMatchObject({ ok: true });
    const inserted = await db.sql("INSERT INTO orders (total) VALUES (?), (?)", [12.5, 3]);
    expect(inserted).toMatchObject({ ok: true, value: { rowsWritten: 2, lastRowId: 2 } });
    const read = await db.sql("SELECT id, total FROM orders WHERE total > ? ORDER BY id", [1]);
    expect(read).toMatchObject({ ok: true, value: { columns: ["id", "total"], rows: [[1, 12.5], [2, 3]] } });
    const described = await db.describe();
    expect(described.tables).toEqual([
      { name: "orders", rows: 2, columns: [{ name: "id", type: "INTEGER", primaryKey: true, notNull: false }, { name: "total", type: "REAL", primaryKey: false, notNull: true }] },
    ]);
    expect(described.sizeBytes).toBeGreaterThan(0);
  });

  it("refuses reserved names, a second statement and transaction control, leaving the runtime's tables intact", async () => {
    const db = database("refusals");
    for (const sql of ["DROP TABLE _helios_migrations", 'SELECT * FROM "_HELIOS_changes"', "SELECT 1; DROP TABLE x", "BEGIN", "PRAGMA user_version"]) {
      const outcome = await db.sql(sql, []);
      expect(outcome.ok, sql).toBe(false);
      expect(!outcome.ok && outcome.code).toBe("sql_refused");
    }
    expect(await db.sql("SELECT * FROM missing", [])).toMatchObject({ ok: false, code: "sql_error", message: expect.stringContaining("no such table") });
    expect(await db.sql("SELECT ?", Array(101).fill(1))).toMatchObject({ ok: false, code: "sql_refused", reason: "bad_params" });
    expect((await db.describe()).tables).toEqual([]);
  });
});
