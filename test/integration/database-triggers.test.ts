// BEFORE triggers in WebAssembly: accept, reject and rewrite; fail closed on a trap, running out of fuel, a bad
// verdict, a missing function or one that wants more than a read-only view; one admin statement changing several
// rows; a procedure's db_execute rejected by a trigger rolling back the whole procedure.

import { describe, expect, it } from "vitest";
import { deployRaw, freshName, guest } from "./api-support.ts";
import { adminSql, deployDbGuest, registerTrigger, rowsOf, runScript, snapshot } from "./database-support.ts";

const dbName = (prefix: string) => freshName(prefix).replaceAll("-", "_");

const NEGATIVE = { match: '"total":-', onMatch: JSON.stringify({ verdict: "reject", message: "total must not be negative" }), verdict: '{"verdict":"accept"}' };

/** A database with an orders table and a trigger on it running the config-driven trigger guest. */
async function ordersWithTrigger(config: Record<string, string>, events: ("insert" | "update" | "delete")[] = ["insert"]) {
  const db = dbName("orders");
  await adminSql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL, status TEXT NOT NULL DEFAULT 'new')");
  await adminSql(db, "CREATE TABLE audit (note TEXT)");
  const fn = freshName("validate");
  await deployDbGuest(fn, "db-trigger", { profile: "compute", config });
  const trigger = freshName("validate-order");
  await registerTrigger(db, { name: trigger, table: "orders", events, functionName: fn });
  return { db, trigger, fn };
}

describe("verdicts", () => {
  it("accept keeps the write; reject fails it with trigger_rejected naming the trigger and its message, writing nothing", async () => {
    const { db, trigger } = await ordersWithTrigger(NEGATIVE);
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (?)", [25])).toMatchObject({ ok: true, value: { rowsWritten: expect.any(Number) } });
    const before = await snapshot(db);
    const rejected = await adminSql(db, "INSERT INTO orders (total) VALUES (?)", [-10]);
    expect(rejected).toMatchObject({
      ok: false,
      code: "trigger_rejected",
      trigger,
      table: "orders",
      error: { code: "trigger_rejected", details: { trigger, table: "orders", reason: "total must not be negative" } },
    });
    expect(await snapshot(db)).toEqual(before);
    expect(await rowsOf(db, "SELECT total, status FROM orders")).toEqual([[25, "new"]]);
  });

  it("rewrite sets the columns it names on the new row", async () => {
    const { db } = await ordersWithTrigger({ verdict: JSON.stringify({ verdict: "rewrite", row: { status: "checked", total: 99 } }) });
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (1), (2)")).toMatchObject({ ok: true });
    expect(await rowsOf(db, "SELECT id, total, status FROM orders ORDER BY id")).toEqual([[1, 99, "checked"], [2, 99, "checked"]]);
    // Only rows the statement changed were captured: the rewrite's own update fired nothing further.
    expect(await rowsOf(db, "SELECT COUNT(*) FROM audit")).toEqual([[0]]);
  });

  it("one admin statement changing several rows: each row goes to the trigger, and one rejection undoes all of them", async () => {
    const { db, trigger } = await ordersWithTrigger(NEGATIVE, ["insert", "update"]);
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (10), (20), (300)")).toMatchObject({ ok: true });
    const before = await snapshot(db);
    const update = await adminSql(db, "UPDATE orders SET total = total - 100");
    expect(update).toMatchObject({ ok: false, code: "trigger_rejected", trigger });
    expect(await snapshot(db)).toEqual(before);
    const insert = await adminSql(db, "INSERT INTO orders (total) VALUES (1), (-2), (3)");
    expect(insert).toMatchObject({ ok: false, code: "trigger_rejected" });
    expect(await snapshot(db)).toEqual(before);
    expect(await adminSql(db, "UPDATE orders SET total = total + 1")).toMatchObject({ ok: true });
    expect(await rowsOf(db, "SELECT total FROM orders ORDER BY id")).toEqual([[11], [21], [301]]);
  });

  it("a delete trigger sees the old row, and a table without a trigger is not held up", async () => {
    const { db } = await ordersWithTrigger({ match: '"total":300', onMatch: '{"verdict":"reject","message":"keep big orders"}', verdict: '{"verdict":"accept"}' }, ["delete"]);
    await adminSql(db, "INSERT INTO orders (total) VALUES (5), (300)");
    expect(await adminSql(db, "DELETE FROM orders WHERE total = 5")).toMatchObject({ ok: true });
    expect(await adminSql(db, "DELETE FROM orders")).toMatchObject({ ok: false, code: "trigger_rejected", message: expect.stringContaining("keep big orders") });
    expect(await rowsOf(db, "SELECT total FROM orders")).toEqual([[300]]);
    expect(await adminSql(db, "INSERT INTO audit VALUES ('free')")).toMatchObject({ ok: true });
  });
});

describe("read-only view", () => {
  it("a trigger's db_query sees the write in progress, and a trigger cannot write", async () => {
    const db = dbName("view");
    await adminSql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)");
    await adminSql(db, "CREATE TABLE audit (note TEXT)");
    const limit = freshName("limit");
    await deployDbGuest(limit, "db-trigger-query", {
      profile: "database_read",
      database: db,
      config: { sql: "SELECT COUNT(*) AS n FROM orders", match: "[[3]]", onMatch: '{"verdict":"reject","message":"at most 2 orders"}', verdict: '{"verdict":"accept"}' },
    });
    await registerTrigger(db, { name: "limit", table: "orders", events: ["insert"], functionName: limit });
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (1)")).toMatchObject({ ok: true });
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (2)")).toMatchObject({ ok: true });
    // The trigger counts 3 rows: the third is the one being inserted.
    expect(await adminSql(db, "INSERT INTO orders (total) VALUES (3)")).toMatchObject({ ok: false, code: "trigger_rejected", message: expect.stringContaining("at most 2 orders") });

    const sneaky = freshName("sneaky");
    await deployDbGuest(sneaky, "db-trigger-query", {
      profile: "database_read",
      database: db,
      config: { sql: "INSERT INTO audit VALUES ('from a trigger')", match: "read_only", onMatch: '{"verdict":"reject","message":"could not write"}', verdict: '{"verdict":"accept"}' },
    });
    await registerTrigger(db, { name: "sneaky", table: "audit", events: ["insert"], functionName: sneaky });
    expect(await adminSql(db, "INSERT INTO audit VALUES ('by admin')")).toMatchObject({ ok: false, code: "trigger_rejected", message: expect.stringContaining("could not write") });
    expect(await rowsOf(db, "SELECT COUNT(*) FROM audit")).toEqual([[0]]);
  });
});

describe("fail closed", () => {
  async function rejectsWith(setup: (db: string) => Promise<string>, reason: RegExp) {
    const db = dbName("closed");
    await adminSql(db, "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)");
    const fn = await setup(db);
    const trigger = freshName("guard");
    await registerTrigger(db, { name: trigger, table: "orders", events: ["insert"], functionName: fn });
    const outcome = await adminSql(db, "INSERT INTO orders (total) VALUES (1)");
    expect(outcome).toMatchObject({ ok: false, code: "trigger_rejected", trigger });
    expect(!outcome.ok && outcome.error?.details.reason).toMatch(reason);
    expect(await rowsOf(db, "SELECT COUNT(*) FROM orders")).toEqual([[0]]);
  }

  const deployApiGuest = async (name: "trap" | "spin") => {
    const fn = freshName(name);
    const response = await deployRaw(fn, guest(name), { query: { regions: "wnam" } });
    expect(response.ok).toBe(true);
    return fn;
  };

  it("a trapping trigger rejects, saying why", () => rejectsWith(() => deployApiGuest("trap"), /guest_trap/));
  it("a trigger out of fuel rejects, saying why", () => rejectsWith(() => deployApiGuest("spin"), /out_of_fuel/));
  it("a trigger answering no verdict rejects, saying why", () =>
    rejectsWith(async () => {
      const fn = freshName("mute");
      await deployDbGuest(fn, "db-trigger", { profile: "compute" });
      return fn;
    }, /not a JSON verdict/));
  it("a trigger answering an unknown verdict rejects", () =>
    rejectsWith(async () => {
      const fn = freshName("odd");
      await deployDbGuest(fn, "db-trigger", { profile: "compute", config: { verdict: '{"verdict":"maybe"}' } });
      return fn;
    }, /expected "accept", "reject" or "rewrite"/));
  it("a rewrite naming a column the table lacks rejects", () =>
    rejectsWith(async () => {
      const fn = freshName("badcol");
      await deployDbGuest(fn, "db-trigger", { profile: "compute", config: { verdict: '{"verdict":"rewrite","row":{"nope":1}}' } });
      return fn;
    }, /not a column/));
  it("a trigger function that is not deployed rejects", () => rejectsWith(async () => freshName("ghost"), /not deployed/));
  it("a trigger function that needs more than a read-only view cannot start, and rejects", () =>
    rejectsWith(async (db) => {
      const fn = freshName("writer");
      await deployDbGuest(fn, "db-write-only", { profile: "database", database: db });
      return fn;
    }, /could not|failed/));
});

describe("triggers inside procedures", () => {
  it("a procedure's write rejected by a trigger answers triggerRejected, and the whole procedure is rolled back", async () => {
    const { db, trigger } = await ordersWithTrigger(NEGATIVE);
    const name = freshName("process-order");
    await deployDbGuest(name, "db-write", { profile: "database", database: db });
    const before = await snapshot(db);
    const run = await runScript(name, [
      { op: "execute", a: "INSERT INTO audit VALUES ('started')" },
      { op: "execute", a: "INSERT INTO orders (total) VALUES (?)", b: "[-10]" },
      { op: "execute", a: "INSERT INTO audit VALUES ('after')" },
    ]);
    expect(run.status).toBe(422);
    expect(run.error).toMatchObject({ code: "trigger_rejected", trigger, reason: "total must not be negative" });
    expect(await snapshot(db)).toEqual(before);

    const ok = await runScript(name, [
      { op: "execute", a: "INSERT INTO orders (total) VALUES (?)", b: "[42]" },
      { op: "query", a: "SELECT total, status FROM orders" },
    ]);
    expect(ok.reports[1]).toMatchObject({ status: 0, json: { rows: [[42, "new"]] } });
  });
});
