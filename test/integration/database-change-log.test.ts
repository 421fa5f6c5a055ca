// The change log: every committed change to a user table appended in its own transaction, gap-free seq, schema
// entries, nothing for a rejected or rolled-back write.

import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type DatabaseObject } from "../../src/database/index.ts";
import { headSeq, readChanges } from "../../src/database/change-log.ts";
import { freshName } from "./api-support.ts";
import { adminSql, database } from "./database-support.ts";

const dbName = (prefix: string) => freshName(prefix).replaceAll("-", "_");
const changesOf = (db: string) => runInDurableObject(database(db), (_i: DatabaseObject, state) => ({ changes: readChanges(state.storage.sql, 0, 1000), head: headSeq(state.storage.sql) }));

describe("change log", () => {
  it("logs admin SQL row changes and schema statements with a gap-free seq, one txId per statement", async () => {
    const db = dbName("log");
    await database(db).create("wnam", db);
    expect(await adminSql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)")).toMatchObject({ ok: true });
    expect(await adminSql(db, "INSERT INTO t (name, data) VALUES ('a', x'0aff'), ('b', NULL)")).toMatchObject({ ok: true });
    expect(await adminSql(db, "UPDATE t SET name = 'c' WHERE id = 2")).toMatchObject({ ok: true });
    expect(await adminSql(db, "DELETE FROM t WHERE id = 1")).toMatchObject({ ok: true });
    expect(await adminSql(db, "INSERT INTO t (id) VALUES (2)")).toMatchObject({ ok: false });
    expect(await adminSql(db, "SELECT * FROM t")).toMatchObject({ ok: true });
    const { changes, head } = await changesOf(db);
    expect(changes.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(head).toBe(5);
    expect(changes.map((c) => [c.table, c.op, c.key])).toEqual([["t", "schema", null], ["t", "insert", 1], ["t", "insert", 2], ["t", "update", 2], ["t", "delete", 1]]);
    expect(changes[0].new).toEqual({ sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)" });
    expect(changes[1].new).toEqual({ id: 1, name: "a", data: "0aff" });
    expect(changes[3]).toMatchObject({ old: { id: 2, name: "b", data: null }, new: { id: 2, name: "c", data: null } });
    expect(changes[4]).toMatchObject({ old: { id: 1, name: "a", data: "0aff" }, new: null });
    expect(changes[1].txId).toBe(changes[2].txId);
    expect(new Set(changes.map((c) => c.txId)).size).toBe(4);
  });

  it("keeps capturing after ALTER TABLE (added and dropped columns) and logs the schema change", async () => {
    const db = dbName("alter");
    await database(db).create("wnam", db);
    await adminSql(db, "CREATE TABLE t (a TEXT, b TEXT)");
    expect(await adminSql(db, "ALTER TABLE t ADD COLUMN c INTEGER")).toMatchObject({ ok: true });
    expect(await adminSql(db, "ALTER TABLE t DROP COLUMN b")).toMatchObject({ ok: true });
    await adminSql(db, "INSERT INTO t (a, c) VALUES ('x', 3)");
    const { changes } = await changesOf(db);
    expect(changes.map((c) => c.op)).toEqual(["schema", "schema", "schema", "insert"]);
    expect(changes[3]).toMatchObject({ table: "t", key: 1, new: { a: "x", c: 3 } });
  });
});
