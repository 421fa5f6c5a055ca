// GET .../changes: at once when entries exist, a long poll woken by the next commit (and not blocking the object
// meanwhile), an empty answer when the wait ends, limit and after honoured, 410 cursor_expired after pruning.

import { describe, expect, it } from "vitest";
import { pruneChanges } from "../../src/database/change-log.ts";
import { AUTH, errorOf, request } from "./api-support.ts";
import { type ChangePage, dbPath, freshDatabase, getChanges, ok, onStorage, sql } from "./change-support.ts";

const FAR_FUTURE = "9999-01-01T00:00:00.000Z";

describe("change stream: GET .../changes", () => {
  it("answers at once with the entries after `after`, in seq order, `limit` at most", async () => {
    const db = await freshDatabase("chg");
    for (const v of ["a", "b", "c", "d"]) await sql(db, "INSERT INTO t (v) VALUES (?)", [v]);
    const page = await ok<ChangePage>(await getChanges(db, { limit: 2 }));
    expect(page.headSeq).toBe(5);
    expect(page.changes.map((c) => [c.seq, c.op])).toEqual([[1, "schema"], [2, "insert"]]);
    const next = await ok<ChangePage>(await getChanges(db, { after: 2, limit: 2, wait: 5 }));
    expect(next.changes.map((c) => [c.seq, c.table, c.op, c.new])).toEqual([[3, "t", "insert", { id: 2, v: "b" }], [4, "t", "insert", { id: 3, v: "c" }]]);
    const rest = await ok<ChangePage>(await getChanges(db, { after: 4 }));
    expect(rest.changes.map((c) => c.seq)).toEqual([5]);
  });

  it("long poll: held until a commit, then answers the new change; other requests are served meanwhile", async () => {
    const db = await freshDatabase("poll");
    const poll = getChanges(db, { after: 1, wait: 20 }).then((r) => ok<ChangePage>(r));
    // While the poll waits, the object answers other reads (it holds neither the input gate nor a storage call).
    const meanwhile = await ok<ChangePage>(await getChanges(db, { after: 1 }));
    expect(meanwhile).toEqual({ changes: [], headSeq: 1 });
    expect((await sql(db, "SELECT COUNT(*) FROM t")).rows).toEqual([[0]]);
    await sql(db, "INSERT INTO t (v) VALUES ('woke')");
    const woken = await poll;
    expect(woken.changes.map((c) => [c.seq, c.op, c.new])).toEqual([[2, "insert", { id: 1, v: "woke" }]]);
    expect(woken.headSeq).toBe(2);
  });

  it("a rolled-back write does not wake a poll with its entries; the next commit does", async () => {
    const db = await freshDatabase("rollback");
    await sql(db, "CREATE UNIQUE INDEX t_v ON t (v)");
    await sql(db, "INSERT INTO t (v) VALUES ('x')");
    const poll = getChanges(db, { after: 3, wait: 20 }).then((r) => ok<ChangePage>(r));
    const refused = await request("POST", `${dbPath(db)}/sql`, { body: JSON.stringify({ sql: "INSERT INTO t (v) VALUES ('x')" }), headers: { ...AUTH, "content-type": "application/json" } });
    expect(refused.status).toBe(409);
    await sql(db, "INSERT INTO t (v) VALUES ('y')");
    expect((await poll).changes.map((c) => [c.seq, c.new])).toEqual([[4, { id: 2, v: "y" }]]);
  });

  it("when the wait ends with no commit, answers no changes and the head", async () => {
    const db = await freshDatabase("idle");
    expect(await ok<ChangePage>(await getChanges(db, { after: 1, wait: 0.2 }))).toEqual({ changes: [], headSeq: 1 });
  });

  it("410 cursor_expired with the earliest seq still held once retention pruned past `after`", async () => {
    const db = await freshDatabase("pruned");
    for (const v of ["a", "b", "c"]) await sql(db, "INSERT INTO t (v) VALUES (?)", [v]);
    expect(await onStorage(db, (s) => pruneChanges(s, 3, FAR_FUTURE))).toBe(2);
    const expired = await getChanges(db, { after: 0 });
    expect(expired.status).toBe(410);
    expect(await errorOf(expired)).toMatchObject({ code: "cursor_expired", after: 0, earliestSeq: 3, headSeq: 4 });
    expect(await errorOf(await getChanges(db, { after: 1, wait: 5 }))).toMatchObject({ code: "cursor_expired", earliestSeq: 3 });
    const held = await ok<ChangePage>(await getChanges(db, { after: 2 }));
    expect(held.changes.map((c) => c.seq)).toEqual([3, 4]);
  });

  it("refuses bad parameters (400 invalid_request naming the field), a cursor past the head (409) and unknown databases (404)", async () => {
    const db = await freshDatabase("bad");
    for (const [query, field] of [[{ limit: 0 }, "limit"], [{ limit: 1001 }, "limit"], [{ after: -1 }, "after"], [{ wait: 31 }, "wait"], [{ wait: "soon" }, "wait"]] as const) {
      const response = await getChanges(db, query);
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "invalid_request", field });
    }
    const ahead = await getChanges(db, { after: 99 });
    expect(ahead.status).toBe(409);
    expect(await errorOf(ahead)).toMatchObject({ code: "cursor_ahead", after: 99, headSeq: 1 });
    const missing = await getChanges("no_such_db_here");
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "unknown_database" });
    expect((await request("GET", `${dbPath(db)}/changes`)).status).toBe(401);
  });
});
