// The database API over HTTP (the Worker's own fetch): databases per region, admin SQL, rows as JSON objects, and
// BEFORE-trigger registrations, with every refusal's code and status, and proof that a refusal wrote nothing.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { databaseStub, type DatabaseObject } from "../../src/database/index.ts";
import { AUTH, deployed, errorOf, freshName, request } from "./api-support.ts";

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { ...AUTH, "content-type": "application/json" } });
const dbPath = (db: string, region = "wnam") => `/v1/regions/${region}/databases/${db}`;

async function ok<T>(response: Response, status = 200): Promise<T> {
  const body = await response.json<T>();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** A fresh database; database names allow "_" where function names do not. */
async function freshDatabase(prefix: string, region = "wnam"): Promise<string> {
  const db = freshName(prefix).replaceAll("-", "_");
  await ok(await request("PUT", dbPath(db, region), { headers: AUTH }), 201);
  return db;
}

async function sql<T = { columns: string[]; rows: unknown[][]; rowsRead: number; rowsWritten: number; lastRowId: number | null }>(
  db: string, text: string, params: unknown[] = [],
): Promise<T> {
  return ok<T>(await request("POST", `${dbPath(db)}/sql`, json({ sql: text, params })));
}

const count = async (db: string, table: string) => (await sql(db, `SELECT COUNT(*) FROM ${table}`)).rows[0][0];

describe("databases: create, list, describe, delete", () => {
  it("creates (201, then 200), lists per region, describes tables, rows, size and triggers, and deletes", async () => {
    const db = freshName("shop").replaceAll("-", "_");
    const created = await ok<{ database: { region: string; name: string; createdAt: string } }>(await request("PUT", dbPath(db), { headers: AUTH }), 201);
    expect(created.database).toMatchObject({ region: "wnam", name: db });
    const again = await ok<{ database: { createdAt: string } }>(await request("PUT", dbPath(db), { headers: AUTH }), 200);
    expect(again.database.createdAt).toBe(created.database.createdAt);

    const wnam = await ok<{ databases: { name: string }[] }>(await request("GET", "/v1/regions/wnam/databases", { headers: AUTH }));
    expect(wnam.databases.map((d) => d.name)).toContain(db);
    const weur = await ok<{ databases: { name: string }[] }>(await request("GET", "/v1/regions/weur/databases", { headers: AUTH }));
    expect(weur.databases.map((d) => d.name)).not.toContain(db);

    await sql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL, note TEXT)");
    await sql(db, "INSERT INTO orders (total) VALUES (?), (?)", [1, 2]);
    const described = await ok<{ database: Record<string, unknown> }>(await request("GET", dbPath(db), { headers: AUTH }));
    expect(described.database).toMatchObject({
      name: db,
      region: "wnam",
      triggers: [],
      tables: [
        {
          name: "orders",
          rows: 2,
          columns: [
            { name: "id", type: "INTEGER", primaryKey: true, notNull: false },
            { name: "total", type: "REAL", primaryKey: false, notNull: true },
            { name: "note", type: "TEXT", primaryKey: false, notNull: false },
          ],
        },
      ],
    });
    expect(described.database.sizeBytes).toBeGreaterThan(0);

    expect(await ok(await request("DELETE", dbPath(db), { headers: AUTH }))).toEqual({ deleted: db, region: "wnam" });
    const gone = await request("GET", dbPath(db), { headers: AUTH });
    expect(gone.status).toBe(404);
    expect(await errorOf(gone)).toMatchObject({ code: "unknown_database", region: "wnam", database: db });
    const listed = await ok<{ databases: { name: string }[] }>(await request("GET", "/v1/regions/wnam/databases", { headers: AUTH }));
    expect(listed.databases.map((d) => d.name)).not.toContain(db);
    const twice = await request("DELETE", dbPath(db), { headers: AUTH });
    expect(twice.status).toBe(404);

    // Re-created, it starts empty: the old tables went with the delete.
    await ok(await request("PUT", dbPath(db), { headers: AUTH }), 201);
    expect((await ok<{ database: { tables: unknown[] } }>(await request("GET", dbPath(db), { headers: AUTH }))).database.tables).toEqual([]);
  });

  it("keeps the same name in two regions apart", async () => {
    const db = await freshDatabase("twin");
    await ok(await request("PUT", dbPath(db, "weur"), { headers: AUTH }), 201);
    await sql(db, "CREATE TABLE t (x)");
    const weur = await ok<{ database: { tables: unknown[] } }>(await request("GET", dbPath(db, "weur"), { headers: AUTH }));
    expect(weur.database.tables).toEqual([]);
  });

  it("refuses an unknown region (404), a bad name (400), an unknown database (404) and a missing token (401)", async () => {
    const region = await request("PUT", "/v1/regions/mars/databases/x", { headers: AUTH });
    expect(region.status).toBe(404);
    expect(await errorOf(region)).toMatchObject({ code: "unknown_region", region: "mars" });
    expect((await request("GET", "/v1/regions/mars/databases", { headers: AUTH })).status).toBe(404);
    for (const bad of ["Shop", "a.b", "x".repeat(64), "%20"]) {
      const response = await request("PUT", `/v1/regions/wnam/databases/${bad}`, { headers: AUTH });
      expect(response.status, bad).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "invalid_request", field: "database" });
    }
    const unknown = await request("POST", `${dbPath("never_created")}/sql`, json({ sql: "CREATE TABLE t (x)" }));
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ code: "unknown_database" });
    // Nothing was created by the refused call.
    expect(await databaseStub(env, "wnam", "never_created").info()).toBeNull();
    for (const [method, path] of [["PUT", dbPath("x")], ["GET", "/v1/regions/wnam/databases"], ["GET", `${dbPath("x")}/tables/t/rows`]]) {
      const response = await request(method, path);
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await errorOf(response)).toMatchObject({ code: "unauthorized" });
    }
  });
});

describe("POST .../sql", () => {
  it("runs schema and data statements with bound parameters, answering columns, rows and counts (blobs sent as $base64)", async () => {
    const db = await freshDatabase("admin");
    await sql(db, "CREATE TABLE files (id INTEGER PRIMARY KEY, name TEXT, data BLOB)");
    const inserted = await sql(db, "INSERT INTO files (name, data) VALUES (?, ?)", ["a'); DROP TABLE files; --", { $base64: "AAEC/w==" }]);
    expect(inserted).toMatchObject({ rowsWritten: expect.any(Number), lastRowId: 1, columns: [], rows: [] });
    expect(inserted.rowsWritten).toBeGreaterThan(0);
    const read = await sql(db, "SELECT id, name, data, typeof(data), ? AS flag FROM files", [true]);
    expect(read).toMatchObject({ columns: ["id", "name", "data", "typeof(data)", "flag"], rows: [[1, "a'); DROP TABLE files; --", "000102ff", "blob", 1]], lastRowId: null });
    expect(read.rowsRead).toBeGreaterThan(0);
  });

  it("refuses what the statement check refuses, SQL errors and constraint failures, writing nothing", async () => {
    const db = await freshDatabase("refuse");
    await sql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    await sql(db, "INSERT INTO t (v) VALUES ('a')");
    const cases: [unknown, number, Record<string, unknown>][] = [
      [{ sql: "INSERT INTO t (v) VALUES ('b'); DROP TABLE t" }, 400, { code: "sql_refused", reason: "multiple_statements" }],
      [{ sql: "BEGIN" }, 400, { code: "sql_refused", reason: "refused_statement" }],
      [{ sql: "ATTACH 'x' AS y" }, 400, { code: "sql_refused", reason: "refused_statement" }],
      [{ sql: "PRAGMA table_info(t)" }, 400, { code: "sql_refused", reason: "refused_statement" }],
      [{ sql: "DELETE FROM _HELIOS_triggers" }, 400, { code: "sql_refused", reason: "reserved_name" }],
      [{ sql: "INSERT INTO t (v) VALUES (?)", params: ["a"] }, 409, { code: "constraint_violation" }],
      [{ sql: "INSERT INTO t (v) VALUES (NULL)" }, 409, { code: "constraint_violation" }],
      [{ sql: "INSERT INTO missing VALUES (1)" }, 400, { code: "sql_error", message: expect.stringContaining("no such table") }],
      [{ sql: "SELEC 1" }, 400, { code: "sql_error" }],
      [{ sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10001) SELECT x FROM c" }, 400, { code: "sql_result_too_large" }],
      // Over MAX_DB_RESULT_BYTES (1 MiB of JSON) in 20 rows; and a write whose RETURNING answer is over it: undone.
      [{ sql: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20) SELECT x, hex(zeroblob(60000)) FROM c" }, 400, { code: "sql_result_too_large" }],
      [{ sql: "INSERT INTO t (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 40) SELECT hex(zeroblob(30000)) || x FROM c RETURNING v" }, 400, { code: "sql_result_too_large" }],
      [{ sql: "SELECT ?", params: Array(101).fill(1) }, 400, { code: "invalid_request", field: "params" }],
      [{ sql: "SELECT ?", params: "[1]" }, 400, { code: "invalid_request", field: "params" }],
      [{ sql: "SELECT ?", params: [{ nested: 1 }] }, 400, { code: "invalid_request", field: "params[0]" }],
      [{ sql: 42 }, 400, { code: "invalid_request", field: "sql" }],
      [{ sql: "SELECT 1", extra: true }, 400, { code: "invalid_request", field: "extra" }],
      [[1], 400, { code: "invalid_request", field: "body" }],
    ];
    for (const [body, status, error] of cases) {
      const response = await request("POST", `${dbPath(db)}/sql`, json(body));
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await errorOf(response), JSON.stringify(body)).toMatchObject(error);
    }
    const notJson = await request("POST", `${dbPath(db)}/sql`, { body: "{", headers: { ...AUTH, "content-type": "application/json" } });
    expect(await errorOf(notJson)).toMatchObject({ code: "invalid_request", field: "body" });
    const wrongType = await request("POST", `${dbPath(db)}/sql`, { body: "SELECT 1", headers: { ...AUTH, "content-type": "text/plain" } });
    expect(wrongType.status).toBe(415);
    expect(await sql(db, "SELECT v FROM t")).toMatchObject({ rows: [["a"]] });
  });
});

describe("rows", () => {
  async function ordersDb(): Promise<string> {
    const db = await freshDatabase("rows");
    await sql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total REAL NOT NULL, paid INTEGER DEFAULT 0)");
    return db;
  }
  const rows = (db: string, table = "orders") => `${dbPath(db)}/tables/${table}/rows`;

  it("inserts a JSON object and answers the stored row (defaults filled in), then reads, patches and deletes it by key", async () => {
    const db = await ordersDb();
    const created = await ok<{ row: Record<string, unknown> }>(await request("POST", rows(db), json({ customer: "ada", total: 12.5 })), 201);
    expect(created.row).toEqual({ id: 1, customer: "ada", total: 12.5, paid: 0 });
    expect((await ok<{ row: unknown }>(await request("GET", `${rows(db)}/1`, { headers: AUTH }))).row).toEqual(created.row);

    const patched = await ok<{ row: Record<string, unknown> }>(await request("PATCH", `${rows(db)}/1`, { ...json({ paid: true, TOTAL: 13 }), method: "PATCH" }));
    expect(patched.row).toEqual({ id: 1, customer: "ada", total: 13, paid: 1 });

    const deleted = await ok<{ deleted: unknown }>(await request("DELETE", `${rows(db)}/1`, { headers: AUTH }));
    expect(deleted.deleted).toEqual(patched.row);
    for (const method of ["GET", "DELETE"]) {
      const missing = await request(method, `${rows(db)}/1`, { headers: AUTH });
      expect(missing.status).toBe(404);
      expect(await errorOf(missing)).toMatchObject({ code: "row_not_found", table: "orders", key: "1" });
    }
    const patchMissing = await request("PATCH", `${rows(db)}/99`, json({ paid: 1 }));
    expect(await errorOf(patchMissing)).toMatchObject({ code: "row_not_found" });
  });

  it("refuses unknown tables and columns, bad values and reserved tables, writing nothing", async () => {
    const db = await ordersDb();
    const cases: [string, string, unknown, number, Record<string, unknown>][] = [
      ["POST", rows(db), { customer: "x", total: 1, discount: 5 }, 400, { code: "unknown_column", table: "orders", columns: ["discount"] }],
      ["POST", rows(db), { customer: "x", total: { amount: 1 } }, 400, { code: "invalid_request", field: "total" }],
      ["POST", rows(db), { customer: "x" }, 409, { code: "constraint_violation" }],
      ["POST", rows(db), ["x"], 400, { code: "invalid_request", field: "body" }],
      ["POST", rows(db, "missing"), { a: 1 }, 404, { code: "unknown_table", table: "missing" }],
      ["POST", rows(db, "_helios_triggers"), { name: "x" }, 404, { code: "unknown_table" }],
      ["POST", rows(db, "sqlite_master"), { name: "x" }, 404, { code: "unknown_table" }],
      ["PATCH", `${rows(db)}/1`, {}, 400, { code: "invalid_request", field: "body" }],
      ["POST", `${dbPath("not_there")}/tables/orders/rows`, { a: 1 }, 404, { code: "unknown_database" }],
    ];
    for (const [method, path, body, status, error] of cases) {
      const response = await request(method, path, { ...json(body), method });
      expect(response.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(await errorOf(response)).toMatchObject(error);
    }
    expect(await count(db, "orders")).toBe(0);
    expect(await runInDurableObject(databaseStub(env, "wnam", db), (_: DatabaseObject, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM _helios_triggers").one().n)).toBe(0);
  });

  it("pages through rows by key with a cursor, every row exactly once, up to the documented limit", async () => {
    const db = await ordersDb();
    for (let i = 0; i < 25; i++) await sql(db, "INSERT INTO orders (customer, total) VALUES (?, ?)", [`c${i}`, i]);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? "?limit=10" : `?limit=10&cursor=${cursor}`;
      const page: { rows: { id: number }[]; nextCursor: string | null } = await ok(await request("GET", `${rows(db)}${query}`, { headers: AUTH }));
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const all = await ok<{ rows: unknown[]; nextCursor: null }>(await request("GET", rows(db), { headers: AUTH }));
    expect(all.rows).toHaveLength(25);
    expect(all.nextCursor).toBeNull();

    for (const query of ["?limit=0", "?limit=1001", "?limit=ten"]) {
      expect(await errorOf(await request("GET", `${rows(db)}${query}`, { headers: AUTH }))).toMatchObject({ code: "invalid_request", field: "limit" });
    }
    for (const cursorText of ["not*base64", "WzEsMl0", "e30"]) {
      const response = await request("GET", `${rows(db)}?cursor=${cursorText}`, { headers: AUTH });
      expect(response.status, cursorText).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "invalid_key" });
    }
  });

  it("keys rows by rowid when the table has no primary key, by text keys, and by a JSON array for composite keys", async () => {
    const db = await freshDatabase("keys");
    await sql(db, "CREATE TABLE events (kind TEXT, at INTEGER)");
    const event = await ok<{ row: Record<string, unknown> }>(await request("POST", rows(db, "events"), json({ kind: "paid", at: 5 })), 201);
    expect(event.row).toEqual({ rowid: 1, kind: "paid", at: 5 });
    expect((await ok<{ row: unknown }>(await request("GET", `${rows(db, "events")}/1`, { headers: AUTH }))).row).toEqual(event.row);
    expect(await errorOf(await request("GET", `${rows(db, "events")}/abc`, { headers: AUTH }))).toMatchObject({ code: "invalid_key" });

    await sql(db, "CREATE TABLE skus (sku TEXT PRIMARY KEY, stock INTEGER)");
    await ok(await request("POST", rows(db, "skus"), json({ sku: "00123", stock: 4 })), 201);
    expect((await ok<{ row: unknown }>(await request("GET", `${rows(db, "skus")}/00123`, { headers: AUTH }))).row).toEqual({ sku: "00123", stock: 4 });
    expect((await request("GET", `${rows(db, "skus")}/123`, { headers: AUTH })).status).toBe(404);

    await sql(db, "CREATE TABLE stock (warehouse TEXT, sku TEXT, qty INTEGER, PRIMARY KEY (warehouse, sku)) WITHOUT ROWID");
    for (const [w, s, q] of [["b", "x", 1], ["a", "y", 2], ["a", "x", 3]] as const) {
      await ok(await request("POST", rows(db, "stock"), json({ warehouse: w, sku: s, qty: q })), 201);
    }
    const key = encodeURIComponent(JSON.stringify(["a", "y"]));
    expect((await ok<{ row: unknown }>(await request("GET", `${rows(db, "stock")}/${key}`, { headers: AUTH }))).row).toEqual({ warehouse: "a", sku: "y", qty: 2 });
    const first = await ok<{ rows: { qty: number }[]; nextCursor: string }>(await request("GET", `${rows(db, "stock")}?limit=2`, { headers: AUTH }));
    expect(first.rows.map((r) => r.qty)).toEqual([3, 2]);
    const second = await ok<{ rows: { qty: number }[]; nextCursor: null }>(await request("GET", `${rows(db, "stock")}?limit=2&cursor=${first.nextCursor}`, { headers: AUTH }));
    expect(second.rows.map((r) => r.qty)).toEqual([1]);
    expect(await errorOf(await request("GET", `${rows(db, "stock")}/a`, { headers: AUTH }))).toMatchObject({ code: "invalid_key" });
  });
});

describe("triggers", () => {
  it("registers, replaces, lists, reads and deletes BEFORE triggers, stored where the write path reads them", async () => {
    const db = await freshDatabase("trig");
    await sql(db, "CREATE TABLE Orders (id INTEGER PRIMARY KEY, total REAL)");
    const fn = freshName("validate");
    await deployed(fn, "echo");
    const path = `${dbPath(db)}/triggers/validate_order`;

    const created = await ok<{ trigger: Record<string, unknown> }>(
      await request("PUT", path, json({ table: "orders", events: ["update", "insert"], function: fn, timing: "before" })), 201);
    expect(created.trigger).toMatchObject({ name: "validate_order", table: "Orders", events: ["insert", "update"], function: fn, timing: "before" });
    const replaced = await ok<{ trigger: Record<string, unknown> }>(
      await request("PUT", path, json({ table: "Orders", events: ["delete"], function: fn, timing: "before" })), 200);
    expect(replaced.trigger).toMatchObject({ events: ["delete"], createdAt: created.trigger.createdAt });

    expect((await ok<{ triggers: unknown[] }>(await request("GET", `${dbPath(db)}/triggers`, { headers: AUTH }))).triggers).toEqual([replaced.trigger]);
    expect((await ok<{ trigger: unknown }>(await request("GET", path, { headers: AUTH }))).trigger).toEqual(replaced.trigger);
    expect((await ok<{ database: { triggers: unknown[] } }>(await request("GET", dbPath(db), { headers: AUTH }))).database.triggers).toEqual([replaced.trigger]);

    const stored = await runInDurableObject(databaseStub(env, "wnam", db), (_: DatabaseObject, state) =>
      state.storage.sql.exec("SELECT name, table_name, events, function_name, timing FROM _helios_triggers").toArray());
    expect(stored).toEqual([{ name: "validate_order", table_name: "Orders", events: '["delete"]', function_name: fn, timing: "before" }]);

    expect(await ok(await request("DELETE", path, { headers: AUTH }))).toEqual({ deleted: "validate_order" });
    for (const method of ["GET", "DELETE"]) {
      expect(await errorOf(await request(method, path, { headers: AUTH }))).toMatchObject({ code: "unknown_trigger", trigger: "validate_order" });
    }
    expect((await ok<{ triggers: unknown[] }>(await request("GET", `${dbPath(db)}/triggers`, { headers: AUTH }))).triggers).toEqual([]);
  });

  it("refuses bad registrations with the field named, unknown tables and functions, and stores nothing", async () => {
    const db = await freshDatabase("trigbad");
    await sql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    const fn = freshName("check");
    await deployed(fn, "echo");
    const good = { table: "orders", events: ["insert"], function: fn, timing: "before" };
    const cases: [string, unknown, number, Record<string, unknown>][] = [
      ["t1", { ...good, events: [] }, 400, { code: "invalid_request", field: "events" }],
      ["t1", { ...good, events: ["insert", "insert"] }, 400, { code: "invalid_request", field: "events" }],
      ["t1", { ...good, events: ["upsert"] }, 400, { code: "invalid_request", field: "events" }],
      ["t1", { ...good, timing: "during" }, 400, { code: "invalid_request", field: "timing" }],
      ["t1", { ...good, function: "Bad_Name" }, 400, { code: "invalid_request", field: "function" }],
      ["t1", { ...good, when: "always" }, 400, { code: "invalid_request", field: "when" }],
      ["T1", good, 400, { code: "invalid_request", field: "trigger" }],
      ["t1", { ...good, table: "nope" }, 404, { code: "unknown_table", table: "nope" }],
      ["t1", { ...good, table: "_helios_changes" }, 404, { code: "unknown_table" }],
      ["t1", { ...good, function: "never-deployed-fn" }, 404, { code: "unknown_function" }],
    ];
    for (const [name, body, status, error] of cases) {
      const response = await request("PUT", `${dbPath(db)}/triggers/${name}`, json(body));
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(await errorOf(response)).toMatchObject(error);
    }
    expect((await ok<{ triggers: unknown[] }>(await request("GET", `${dbPath(db)}/triggers`, { headers: AUTH }))).triggers).toEqual([]);
    expect(await errorOf(await request("PUT", `${dbPath("no_such_db")}/triggers/t1`, json(good)))).toMatchObject({ code: "unknown_database" });
  });
});
