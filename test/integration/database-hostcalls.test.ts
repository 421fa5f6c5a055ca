// heliosdb_db_query and heliosdb_db_execute through the HTTP API: deploy-time capability and database checks, the
// result block, every refusal as a documented status with the database unchanged, and one database per function.

import { describe, expect, it } from "vitest";
import { HostStatus, MAX_DB_RESULT_ROWS, MAX_DB_SQL_BYTES } from "../../src/sandbox/index.ts";
import { AUTH, deployRaw, errorOf, freshName, request } from "./api-support.ts";
import { adminSql, deployDbGuest, expectOk, rowsOf, runScript, snapshot } from "./database-support.ts";
import { guestBytes } from "./runtime-support.ts";

const dbName = (prefix: string) => freshName(prefix).replaceAll("-", "_");

describe("deploy: capabilities and the database field", () => {
  it("refuses db_query without database_read and db_execute without database, naming the capability", async () => {
    for (const [guest, profile, missing] of [
      ["db-read", "compute", "database_read"],
      ["db-write-only", "database_read", "database"],
    ] as const) {
      const response = await deployRaw(freshName("denied"), guestBytes(`wat:${guest}`), { query: { profile, ...(profile === "database_read" ? { database: "x" } : {}) } });
      expect(response.status).toBe(422);
      const error = await errorOf(response);
      expect(error.code).toBe("policy_violation");
      expect(error.violations).toContainEqual(expect.objectContaining({ rule: "capability_missing", capability: missing }));
    }
  });

  it("needs a database name exactly when the profile reaches a database", async () => {
    const without = await deployRaw(freshName("nodb"), guestBytes("wat:db-read"), { query: { profile: "database_read" } });
    expect(without.status).toBe(400);
    expect((await errorOf(without)).issues).toContainEqual(expect.objectContaining({ field: "database", message: expect.stringContaining("is required") }));
    const stray = await deployRaw(freshName("stray"), guestBytes("wat:logger"), { query: { profile: "compute", database: "shop" } });
    expect(stray.status).toBe(400);
    expect((await errorOf(stray)).issues).toContainEqual(expect.objectContaining({ field: "database", message: expect.stringContaining("database_read") }));
    const badName = await deployRaw(freshName("badname"), guestBytes("wat:db-read"), { query: { profile: "database_read", database: "Shop!" } });
    expect(badName.status).toBe(400);
    const header = await deployRaw(freshName("header"), guestBytes("wat:db-read"), { query: { profile: "database_read" }, headers: { "x-helios-database": "via_header" } });
    expect(header.status).toBe(201);
    expect((await header.json<{ function: { database: string } }>()).function.database).toBe("via_header");
  });
});

describe("db_query and db_execute", () => {
  it("a procedure creates, writes and reads its database; results are JSON blocks with counts", async () => {
    const db = dbName("basic");
    const name = freshName("proc");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const [create, insert, select] = expectOk(
      await runScript(name, [
        { op: "execute", a: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL)" },
        { op: "execute", a: "INSERT INTO items (name, price) VALUES (?, ?), (?, ?)", b: '["pen", 1.5, "ink ✓", null]' },
        { op: "query", a: "SELECT id, name, price FROM items WHERE id >= ? ORDER BY id", b: "[1]" },
      ]),
    );
    expect(create.status).toBe(0);
    expect(insert).toMatchObject({ status: 0, json: { rowsWritten: 2, lastRowId: 2 } });
    expect(select).toMatchObject({ status: 0, json: { columns: ["id", "name", "price"], rows: [[1, "pen", 1.5], [2, "ink ✓", null]], rowsWritten: 0, lastRowId: null } });
    expect(await rowsOf(db, "SELECT name FROM items ORDER BY id")).toEqual([["pen"], ["ink ✓"]]);
  });

  it("a read-only function reads committed data and cannot write, because the engine says it wrote", async () => {
    const db = dbName("readonly");
    await adminSql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    await adminSql(db, "INSERT INTO t (v) VALUES ('a')");
    const name = freshName("reader");
    await deployDbGuest(name, "db-read", { profile: "database_read", database: db });
    const before = await snapshot(db);
    const steps = expectOk(
      await runScript(name, [
        { op: "query", a: "SELECT v FROM t" },
        { op: "query", a: "INSERT INTO t (v) VALUES ('b')" },
        { op: "query", a: "WITH x AS (SELECT 1) UPDATE t SET v = 'z'" },
        { op: "query", a: "DELETE FROM t RETURNING id" },
      ]),
    );
    expect(steps[0]).toMatchObject({ status: 0, json: { rows: [["a"]] } });
    for (const step of steps.slice(1)) {
      expect(step.status).toBe(HostStatus.readOnly);
      expect(step.json).toMatchObject({ error: { code: "read_only", message: expect.stringContaining("read-only") } });
    }
    expect(await snapshot(db)).toEqual(before);
  });

  it("refuses every bad statement with a documented status and a readable message, and changes nothing", async () => {
    const db = dbName("refusals");
    await adminSql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    await adminSql(db, "INSERT INTO t (v) VALUES ('keep')");
    const name = freshName("refuse");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const before = await snapshot(db);
    const cases: [string, string, number, string?][] = [
      ["INSERT INTO t (v) VALUES ('x'); DROP TABLE t", "", HostStatus.sqlRefused, "multiple_statements"],
      ["ATTACH DATABASE 'other' AS o", "", HostStatus.sqlRefused, "refused_statement"],
      ["PRAGMA writable_schema = 1", "", HostStatus.sqlRefused, "refused_statement"],
      ["BEGIN", "", HostStatus.sqlRefused, "refused_statement"],
      ["COMMIT", "", HostStatus.sqlRefused, "refused_statement"],
      ["DELETE FROM _HELIOS_triggers", "", HostStatus.sqlRefused, "reserved_name"],
      ['SELECT * FROM "_Helios_Changes"', "", HostStatus.sqlRefused, "reserved_name"],
      ["INSERT INTO t (v) VALUES (?)", JSON.stringify(Array(101).fill("x")), HostStatus.tooLarge],
      ["INSERT INTO t (v) VALUES (?)", '{"v": 1}', HostStatus.invalidArgument],
      ["INSERT INTO t (v) VALUES (?)", "[[1]]", HostStatus.invalidArgument],
      ["INSERT INTO t (v) VALUES (?)", "not json", HostStatus.invalidArgument],
      [`INSERT INTO t (v) VALUES ('${"x".repeat(MAX_DB_SQL_BYTES)}')`, "", HostStatus.tooLarge],
      ["INSERT INTO missing (v) VALUES (1)", "", HostStatus.sqlError],
      ["INSERT INTO t (id, v) VALUES (1, 'dup')", "", HostStatus.sqlError],
    ];
    const steps = expectOk(await runScript(name, cases.map(([a, b]) => ({ op: "execute" as const, a, b }))));
    for (const [i, [sql, , status, reason]] of cases.entries()) {
      expect(steps[i].status, sql.slice(0, 60)).toBe(status);
      if (status === HostStatus.sqlRefused) expect(steps[i].json).toMatchObject({ error: { code: "sql_refused", reason } });
      if (status === HostStatus.sqlError) expect(steps[i].json).toMatchObject({ error: { code: "sql_error", message: expect.any(String) } });
      if (status !== HostStatus.sqlRefused && status !== HostStatus.sqlError) expect(steps[i].block).toBe("");
    }
    expect(steps[12].json).toMatchObject({ error: { message: expect.stringContaining("no such table") } });
    expect(await snapshot(db)).toEqual(before);
  });

  it("refuses a result over the row cap, and undoes a write whose result is over it", async () => {
    const db = dbName("caps");
    await adminSql(db, "CREATE TABLE n (i INTEGER)");
    await adminSql(db, `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${MAX_DB_RESULT_ROWS + 1}) INSERT INTO n SELECT i FROM c`);
    const name = freshName("caps");
    await deployDbGuest(name, "db-write", { profile: "database", database: db, fuel: 100_000_000 });
    const sums = () => rowsOf(db, "SELECT COUNT(*), SUM(i), MAX(i) FROM n");
    const before = await sums();
    const [big, bytes, write] = expectOk(
      await runScript(name, [
        { op: "query", a: "SELECT i FROM n" },
        { op: "query", a: "SELECT zeroblob(600000) AS a, zeroblob(600000) AS b" },
        { op: "execute", a: "UPDATE n SET i = i + 1 RETURNING i" },
      ]),
    );
    expect(big).toEqual({ status: HostStatus.resultTooLarge, block: "", json: null });
    expect(bytes.status).toBe(HostStatus.resultTooLarge);
    expect(write.status).toBe(HostStatus.resultTooLarge);
    expect(await sums()).toEqual(before);
  });

  it("a function reaches only its own database, in the region it runs in", async () => {
    const mine = dbName("mine");
    const other = dbName("other");
    await adminSql(other, "CREATE TABLE secrets (v TEXT)");
    await adminSql(other, "INSERT INTO secrets VALUES ('hidden')");
    const name = freshName("nosy");
    await deployDbGuest(name, "db-write", { profile: "database", database: mine, regions: "wnam,weur" });
    const [read] = expectOk(await runScript(name, [{ op: "query", a: "SELECT v FROM secrets" }]));
    expect(read.status).toBe(HostStatus.sqlError);
    expect(read.json).toMatchObject({ error: { message: expect.stringContaining("no such table") } });
    // The same database name in another region is another database.
    expectOk(await runScript(name, [{ op: "execute", a: "CREATE TABLE here (v TEXT)" }, { op: "execute", a: "INSERT INTO here VALUES ('weur')" }], "weur"));
    expect(await rowsOf(mine, "SELECT v FROM here", [], "weur")).toEqual([["weur"]]);
    expect(await adminSql(mine, "SELECT v FROM here", [], "wnam")).toMatchObject({ ok: false, code: "sql_error" });
  });

  it("runs only against a database that exists where it runs: never created or deleted is unknown_database", async () => {
    const db = dbName("missing");
    const name = freshName("orphan");
    const deploy = await deployRaw(name, guestBytes("wat:db-write"), { query: { profile: "database", database: db, regions: "wnam" } });
    expect(deploy.status).toBe(201);
    const steps = [{ op: "execute" as const, a: "CREATE TABLE t (v TEXT)" }];
    const never = await runScript(name, steps);
    expect(never.status).toBe(404);
    expect(never.error).toMatchObject({ code: "unknown_database", region: "wnam", database: db });
    // Nothing was made in the object: no listing would show it.
    expect((await adminSql(db, "SELECT name FROM sqlite_master WHERE name = 't'")) ).toMatchObject({ ok: true, value: { rows: [] } });

    expect((await request("PUT", `/v1/regions/wnam/databases/${db}`, { headers: AUTH })).status).toBe(201);
    expectOk(await runScript(name, steps));
    expect((await request("DELETE", `/v1/regions/wnam/databases/${db}`, { headers: AUTH })).status).toBeLessThan(300);
    const deleted = await runScript(name, [{ op: "query", a: "SELECT 1" }]);
    expect(deleted.status).toBe(404);
    expect(deleted.error).toMatchObject({ code: "unknown_database" });
  });
});
