// GET .../tables/:table/snapshot: rows with the seq they are consistent with; a snapshot read page by page while
// writes go on, followed by the stream from its seq, ends with exactly the table's rows.

import { describe, expect, it } from "vitest";
import { pruneChanges } from "../../src/database/change-log.ts";
import { AUTH, errorOf, request } from "./api-support.ts";
import { type ChangePage, dbPath, freshDatabase, getChanges, ok, onStorage, sql } from "./change-support.ts";

type SnapshotPage = { rows: { id: number; v: string }[]; nextCursor: string | null; seq: number };
const snapshot = (db: string, query: string) => request("GET", `${dbPath(db)}/tables/t/snapshot?${query}`, { headers: AUTH });

describe("change stream: snapshot", () => {
  it("snapshot pages plus the stream from their seq miss nothing under concurrent writes", async () => {
    const db = await freshDatabase("snap");
    await sql(db, "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 200) INSERT INTO t (id, v) SELECT x, 'v' || x FROM k");
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing || i < 20; i++) {
        const id = 1 + ((i * 37) % 260);
        if (i % 3 === 0) await sql(db, "DELETE FROM t WHERE id = ?", [id]);
        else await sql(db, "INSERT INTO t (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = excluded.v", [id, `w${i}`]);
      }
    })();
    const view = new Map<number, string>();
    let cursor: string | null = null;
    let seq: number | null = null;
    let pages = 0;
    do {
      const page: SnapshotPage = await ok<SnapshotPage>(await snapshot(db, `limit=25${cursor === null ? "" : `&cursor=${cursor}`}`));
      seq ??= page.seq;
      expect(page.seq).toBe(seq);
      for (const row of page.rows) view.set(row.id, row.v);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    writing = false;
    await writer;
    expect(pages).toBeGreaterThan(5);
    let after = seq!;
    for (;;) {
      const page = await ok<ChangePage>(await getChanges(db, { after, limit: 1000 }));
      for (const change of page.changes) {
        if (change.table !== "t") continue;
        const row = (change.new ?? change.old) as { id: number; v: string };
        if (change.op === "delete") view.delete(row.id);
        else view.set(row.id, row.v);
      }
      if (page.changes.length === 0) break;
      after = page.changes[page.changes.length - 1].seq;
    }
    const actual = (await sql(db, "SELECT id, v FROM t ORDER BY id")).rows as [number, string][];
    expect([...view.entries()].sort((a, b) => a[0] - b[0])).toEqual(actual);
  });

  it("410 cursor_expired when the log no longer holds the entries after a page's seq; unknown tables 404, bad cursors 400", async () => {
    const db = await freshDatabase("snapgone");
    for (let i = 0; i < 3; i++) await sql(db, "INSERT INTO t (v) VALUES (?)", [`r${i}`]);
    const first = await ok<SnapshotPage>(await snapshot(db, "limit=1"));
    expect(first).toMatchObject({ rows: [{ id: 1, v: "r0" }], seq: 4 });
    await sql(db, "INSERT INTO t (v) VALUES ('later')");
    await onStorage(db, (s) => pruneChanges(s, 6, "9999-01-01T00:00:00.000Z"));
    const gone = await snapshot(db, `limit=1&cursor=${first.nextCursor}`);
    expect(gone.status).toBe(410);
    expect(await errorOf(gone)).toMatchObject({ code: "cursor_expired", earliestSeq: 6 });
    expect(await errorOf(await snapshot(db, "cursor=nonsense"))).toMatchObject({ code: "invalid_key" });
    expect(await errorOf(await snapshot(db, "limit=0"))).toMatchObject({ code: "invalid_request", field: "limit" });
    const missing = await request("GET", `${dbPath(db)}/tables/nope/snapshot`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "unknown_table" });
  });
});
