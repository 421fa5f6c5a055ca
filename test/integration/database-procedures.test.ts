// Stored procedures: one serializable transaction per invocation, in the database's own object. A trap, running
// out of fuel or passing the deadline leaves the database exactly as it was; concurrent procedures on one database
// serialize; procedures on two databases do not wait for each other; a procedure cannot call back into a database.

import { describe, expect, it } from "vitest";
import { HostStatus } from "../../src/sandbox/index.ts";
import { reports, script } from "../support/db-guests.ts";
import { freshName, invoke } from "./api-support.ts";
import { adminSql, deployDbGuest, expectOk, rowsOf, runScript, snapshot } from "./database-support.ts";

const dbName = (prefix: string) => freshName(prefix).replaceAll("-", "_");

async function seeded(prefix: string): Promise<string> {
  const db = dbName(prefix);
  await adminSql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  await adminSql(db, "CREATE TABLE other (n INTEGER)");
  await adminSql(db, "INSERT INTO t (v) VALUES ('before')");
  return db;
}

const WRITES = [
  { op: "execute" as const, a: "INSERT INTO t (v) VALUES ('written')" },
  { op: "execute" as const, a: "UPDATE t SET v = 'changed' WHERE id = 1" },
  { op: "execute" as const, a: "INSERT INTO other (n) VALUES (1)" },
  { op: "execute" as const, a: "CREATE TABLE made_inside (x)" },
  { op: "query" as const, a: "SELECT COUNT(*) FROM t" },
];

describe("procedures roll back everything on failure", () => {
  it("a trap after writes leaves the database exactly as it was", async () => {
    const db = await seeded("trap");
    const name = freshName("trapper");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const before = await snapshot(db);
    const run = await runScript(name, [...WRITES, { op: "trap" }]);
    expect(run.status).toBe(500);
    expect(run.error).toMatchObject({ code: "guest_trap" });
    expect(await snapshot(db)).toEqual(before);
  });

  it("running out of fuel after writes leaves the database exactly as it was", async () => {
    const db = await seeded("fuel");
    const name = freshName("spinner");
    await deployDbGuest(name, "db-write", { profile: "database", database: db, fuel: 200_000 });
    const before = await snapshot(db);
    const run = await runScript(name, [...WRITES, { op: "spin" }]);
    expect(run.status).toBe(422);
    expect(run.error).toMatchObject({ code: "out_of_fuel" });
    expect(await snapshot(db)).toEqual(before);
  });

  it("passing the transaction's deadline after writes leaves the database exactly as it was", async () => {
    const db = await seeded("deadline");
    const name = freshName("sleeper");
    await deployDbGuest(name, "db-write-net", { profile: "database,network,invoke", database: db, allowedHosts: "allowed.test" });
    const before = await snapshot(db);
    // The fetch outlasts the transaction's wall-clock limit; the write after it must never happen either.
    const run = await runScript(name, [...WRITES, { op: "fetch", a: "http://allowed.test/slow?ms=7000" }, { op: "execute", a: "INSERT INTO other (n) VALUES (2)" }]);
    expect(run.status).toBe(503);
    expect(run.error).toMatchObject({ code: "transaction_timeout", limitMs: 5000 });
    expect(await snapshot(db)).toEqual(before);
  });

  it("a procedure answering an error status is rolled back, and its answer still delivered", async () => {
    const db = await seeded("status");
    const name = freshName("refuser");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const before = await snapshot(db);
    const response = await invoke(name, script([...WRITES, { op: "status409" }]));
    expect(response.status).toBe(409);
    const steps = reports(new Uint8Array(await response.arrayBuffer()));
    expect(steps.map((s) => s.status)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await snapshot(db)).toEqual(before);
  });

  it("a successful procedure commits all of its writes, and each call saw the ones before it", async () => {
    const db = await seeded("commit");
    const name = freshName("committer");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const steps = expectOk(await runScript(name, WRITES));
    expect(steps.map((s) => s.status)).toEqual([0, 0, 0, 0, 0]);
    expect(steps[4].json).toMatchObject({ rows: [[2]] });
    expect(await rowsOf(db, "SELECT v FROM t ORDER BY id")).toEqual([["changed"], ["written"]]);
    expect(await rowsOf(db, "SELECT COUNT(*) FROM made_inside")).toEqual([[0]]);
  });
});

describe("savepoints inside the procedure's transaction", () => {
  it("a db_query that writes is undone on its own while the procedure's writes around it commit", async () => {
    const db = await seeded("nested");
    const name = freshName("nested");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const steps = expectOk(
      await runScript(name, [
        { op: "execute", a: "INSERT INTO t (v) VALUES ('kept 1')" },
        { op: "query", a: "INSERT INTO t (v) VALUES ('undone')" },
        { op: "query", a: "SELECT v FROM t ORDER BY id" },
        { op: "execute", a: "INSERT INTO t (v) VALUES (?)", b: '["kept 2"]' },
        { op: "execute", a: "INSERT INTO t (id, v) VALUES (1, 'clash')" },
      ]),
    );
    expect(steps.map((s) => s.status)).toEqual([0, HostStatus.readOnly, 0, 0, HostStatus.sqlError]);
    expect(steps[2].json).toMatchObject({ rows: [["before"], ["kept 1"]] });
    expect(await rowsOf(db, "SELECT v FROM t ORDER BY id")).toEqual([["before"], ["kept 1"], ["kept 2"]]);
  });
});

describe("isolation", () => {
  it("50 concurrent read-then-write increments end at exactly 50, each having seen a different count", async () => {
    const db = dbName("counter");
    await adminSql(db, "CREATE TABLE counter (n INTEGER NOT NULL)");
    await adminSql(db, "CREATE TABLE seen (n INTEGER NOT NULL)");
    await adminSql(db, "INSERT INTO counter (n) VALUES (0)");
    const name = freshName("increment");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    // Read, yield (another round trip), then write what was read plus one: interleaving would lose increments.
    const increment = [
      { op: "execute" as const, a: "INSERT INTO seen (n) SELECT n FROM counter" },
      { op: "query" as const, a: "SELECT n FROM counter" },
      { op: "execute" as const, a: "UPDATE counter SET n = (SELECT MAX(n) FROM seen) + 1" },
    ];
    const runs = await Promise.all(Array.from({ length: 50 }, () => runScript(name, increment)));
    for (const run of runs) expect(run.reports.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(await rowsOf(db, "SELECT n FROM counter")).toEqual([[50]]);
    expect(await rowsOf(db, "SELECT n FROM seen ORDER BY n")).toEqual(Array.from({ length: 50 }, (_, i) => [i]));
  });

  it("procedures on two databases run at the same time: one waits inside its transaction for the other to release it", async () => {
    const [one, two] = [dbName("one"), dbName("two")];
    for (const db of [one, two]) await adminSql(db, "CREATE TABLE marks (m TEXT)");
    const [holder, releaser] = [freshName("holder"), freshName("releaser")];
    await deployDbGuest(holder, "db-write-net", { profile: "database,network,invoke", database: one, allowedHosts: "allowed.test" });
    await deployDbGuest(releaser, "db-write-net", { profile: "database,network,invoke", database: two, allowedHosts: "allowed.test" });
    const key = freshName("barrier");
    // The holder opens its transaction on `one` and blocks until the releaser, a procedure on `two`, runs. Were the
    // two serialized, the releaser would wait for the holder and the holder's barrier would time out (504).
    const holding = runScript(holder, [
      { op: "execute", a: "INSERT INTO marks VALUES ('holder started')" },
      { op: "fetch", a: `http://allowed.test/barrier?key=${key}&role=wait` },
      { op: "execute", a: "INSERT INTO marks VALUES ('holder ended')" },
    ]);
    const releasing = runScript(releaser, [
      { op: "execute", a: "INSERT INTO marks VALUES ('releaser ran')" },
      { op: "fetch", a: `http://allowed.test/barrier?key=${key}&role=release` },
    ]);
    const [held, released] = await Promise.all([holding, releasing]);
    expect(held.reports.map((r) => r.status)).toEqual([0, 200, 0]);
    expect(released.reports.map((r) => r.status)).toEqual([0, 200]);
    expect(await rowsOf(one, "SELECT m FROM marks")).toEqual([["holder started"], ["holder ended"]]);
    expect(await rowsOf(two, "SELECT m FROM marks")).toEqual([["releaser ran"]]);
  });

  it("a procedure may not edge-invoke a function with a database (it could wait behind its own lock)", async () => {
    const db = await seeded("selfcall");
    const [caller, callee] = [freshName("caller"), freshName("callee")];
    await deployDbGuest(callee, "db-read", { profile: "database_read", database: db });
    await deployDbGuest(caller, "db-write-net", { profile: "database,network,invoke", allowedHosts: "allowed.test", database: db });
    const before = await snapshot(db);
    const [write, call] = expectOk(await runScript(caller, [{ op: "execute", a: "INSERT INTO t (v) VALUES ('x')" }, { op: "invoke", a: callee }]));
    expect(write.status).toBe(0);
    expect(call.status).toBe(HostStatus.wouldDeadlock);
    expect(await rowsOf(db, "SELECT COUNT(*) FROM t")).toEqual([[2]]);
    expect(before.t).toHaveLength(1);
  });
});
