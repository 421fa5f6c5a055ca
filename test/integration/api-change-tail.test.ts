// The WebSocket tail of GET .../changes/tail: every entry in seq order, across a reconnect from the last seq; the
// acknowledgement window; refusals before the upgrade.

import { describe, expect, it } from "vitest";
import type { ChangeEntry } from "../../src/database/change-log.ts";
import { TAIL_WINDOW } from "../../src/database/change-tail.ts";
import { AUTH, errorOf, request } from "./api-support.ts";
import { dbPath, freshDatabase, onStorage, sql } from "./change-support.ts";
import { pruneChanges } from "../../src/database/change-log.ts";

type Frame = { type: "changes"; changes: ChangeEntry[]; headSeq: number } | { type: "error"; code: string; [field: string]: unknown };

/** An open tail: the frames received so far, and a way to wait for one that satisfies a condition. */
class Tail {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener("message", (event) => {
      this.frames.push(JSON.parse(event.data as string) as Frame);
      this.notify();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code };
      this.notify();
    });
  }

  get seqs(): number[] {
    return this.frames.flatMap((f) => (f.type === "changes" ? f.changes.map((c) => c.seq) : []));
  }

  async until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`tail: gave up waiting for ${what}; seqs ${JSON.stringify(this.seqs.slice(-5))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

async function connect(db: string, after: number): Promise<Tail> {
  const response = await request("GET", `${dbPath(db)}/changes/tail?after=${after}`, { headers: { ...AUTH, upgrade: "websocket" } });
  expect(response.status).toBe(101);
  return new Tail(response.webSocket!);
}

const insert = (db: string, v: string) => sql(db, "INSERT INTO t (v) VALUES (?)", [v]);
/** `n` rows in one statement: entries 2..n+1. */
const insertMany = (db: string, n: number) => sql(db, `WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < ${n}) INSERT INTO t (v) SELECT 'r' || x FROM k`);

describe("change stream: WebSocket tail", () => {
  it("streams every entry in seq order, and a reconnect from the last seq misses none and repeats none", async () => {
    const db = await freshDatabase("tail");
    for (let i = 0; i < 3; i++) await insert(db, `before-${i}`);
    const first = await connect(db, 0);
    await first.until(() => first.seqs.length === 4, "the entries committed before connecting");
    for (let i = 0; i < 10; i++) await insert(db, `live-${i}`);
    await first.until(() => first.seqs.length === 14, "the live entries");
    const last = first.seqs[first.seqs.length - 1];
    first.ws.close(1000, "reconnecting");
    for (let i = 0; i < 5; i++) await insert(db, `away-${i}`);
    const second = await connect(db, last);
    for (let i = 0; i < 5; i++) await insert(db, `back-${i}`);
    await second.until(() => second.seqs.length === 10, "the entries written while away and after");
    const all = [...first.seqs, ...second.seqs];
    expect(all).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const values = [...first.frames, ...second.frames].flatMap((f) => (f.type === "changes" ? f.changes.map((c) => c.new?.v ?? null) : []));
    expect(values.slice(1, 4)).toEqual(["before-0", "before-1", "before-2"]);
    expect(values.slice(14)).toEqual(["away-0", "away-1", "away-2", "away-3", "away-4", "back-0", "back-1", "back-2", "back-3", "back-4"]);
    second.ws.close(1000, "done");
  });

  it(`sends at most ${TAIL_WINDOW} entries past the last acknowledged seq, and the rest after an ack`, async () => {
    const db = await freshDatabase("window");
    await insertMany(db, TAIL_WINDOW + 200);
    const tail = await connect(db, 1);
    await tail.until(() => tail.seqs.length >= TAIL_WINDOW, "a full window");
    // A frame the server must answer: once its answer is here, the server has had its chance to overrun the window.
    tail.ws.send(JSON.stringify({ type: "ack", seq: 999_999 }));
    await tail.until(() => tail.frames.some((f) => f.type === "error"), "the refusal of an ack past what was sent");
    expect(tail.frames.find((f) => f.type === "error")).toMatchObject({ code: "invalid_message" });
    expect(tail.seqs.length).toBe(TAIL_WINDOW);
    tail.ws.send(JSON.stringify({ type: "ack", seq: tail.seqs[tail.seqs.length - 1] }));
    await tail.until(() => tail.seqs.length === TAIL_WINDOW + 200, "the rest after the ack");
    expect(tail.seqs).toEqual(Array.from({ length: TAIL_WINDOW + 200 }, (_, i) => i + 2));
    tail.ws.close(1000, "done");
  });

  it("refuses before the upgrade: no Upgrade header (426), a pruned cursor (410), a cursor past the head (409), an unknown database (404)", async () => {
    const db = await freshDatabase("tailbad");
    for (let i = 0; i < 3; i++) await insert(db, `x-${i}`);
    const plain = await request("GET", `${dbPath(db)}/changes/tail`, { headers: AUTH });
    expect(plain.status).toBe(426);
    expect(await errorOf(plain)).toMatchObject({ code: "websocket_required" });
    await onStorage(db, (s) => pruneChanges(s, 3, "9999-01-01T00:00:00.000Z"));
    const expired = await request("GET", `${dbPath(db)}/changes/tail?after=0`, { headers: { ...AUTH, upgrade: "websocket" } });
    expect(expired.status).toBe(410);
    expect(await errorOf(expired)).toMatchObject({ code: "cursor_expired", earliestSeq: 3 });
    const ahead = await request("GET", `${dbPath(db)}/changes/tail?after=50`, { headers: { ...AUTH, upgrade: "websocket" } });
    expect(await errorOf(ahead)).toMatchObject({ code: "cursor_ahead", headSeq: 4 });
    const missing = await request("GET", `${dbPath("no_such_tail_db")}/changes/tail`, { headers: { ...AUTH, upgrade: "websocket" } });
    expect(missing.status).toBe(404);
    const bad = await request("GET", `${dbPath(db)}/changes/tail?after=x`, { headers: { ...AUTH, upgrade: "websocket" } });
    expect(await errorOf(bad)).toMatchObject({ code: "invalid_request", field: "after" });
  });

  it("tells a socket whose next entries were pruned from under it, and closes it with 4410", async () => {
    const db = await freshDatabase("tailgone");
    await insertMany(db, TAIL_WINDOW + 5);
    const tail = await connect(db, 1);
    await tail.until(() => tail.seqs.length === TAIL_WINDOW, "a full window");
    // Retention prunes everything below the head (as if the socket had sat unacknowledged past the retention age).
    await onStorage(db, (s) => pruneChanges(s, TAIL_WINDOW + 6, "9999-01-01T00:00:00.000Z"));
    tail.ws.send(JSON.stringify({ type: "ack", seq: TAIL_WINDOW + 1 }));
    await tail.until(() => tail.closed !== null, "the close");
    expect(tail.frames[tail.frames.length - 1]).toMatchObject({ type: "error", code: "cursor_expired", earliestSeq: TAIL_WINDOW + 6 });
    expect(tail.closed).toEqual({ code: 4410 });
  });
});
