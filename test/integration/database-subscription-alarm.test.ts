// The database object's alarm: retention pruning through pruneDue with the subscriptions' lowest cursor, and the
// alarm scheduled for it whenever the log holds entries retention will remove, subscriptions or not.

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DatabaseObject } from "../../src/database/index.ts";
import { CHANGE_RETENTION_MS, earliestSeq, headSeq, readChanges } from "../../src/database/change-log.ts";
import { CHANGE_LOG_TABLE } from "../../src/database/database-schema.ts";
import { lowestCursor } from "../../src/database/subscription-store.ts";
import { AUTH, request } from "./api-support.ts";
import { database } from "./database-support.ts";
import { consumer, insert, shop, subscribe, until } from "./subscription-support.ts";

const inObject = <T>(db: string, fn: (state: DurableObjectState) => T | Promise<T>) => runInDurableObject(database(db), (_i: DatabaseObject, state) => fn(state));
const age = (db: string) => inObject(db, (state) => state.storage.sql.exec(`UPDATE ${CHANGE_LOG_TABLE} SET committed_at = '2000-01-01T00:00:00.000Z'`));

describe("the database object's alarm", () => {
  it("is set for retention after a write with no subscription, and prunes every entry once they are old enough", async () => {
    const s = await shop();
    await insert(s, { id: 1, name: "a" });
    const { alarm, oldest } = await inObject(s.db, async (state) => ({ alarm: await state.storage.getAlarm(), oldest: readChanges(state.storage.sql, 0, 1)[0] }));
    expect(alarm).toBe(Date.parse(oldest.committedAt) + CHANGE_RETENTION_MS);

    await age(s.db);
    expect(await runDurableObjectAlarm(database(s.db))).toBe(true);
    const after = await inObject(s.db, async (state) => ({ head: headSeq(state.storage.sql), earliest: earliestSeq(state.storage.sql), alarm: await state.storage.getAlarm() }));
    expect(after.earliest).toBe(after.head + 1);
    expect(after.alarm).toBeNull();
  });

  it("keeps what a subscription has not passed; one paused by the lag cap holds nothing", async () => {
    const s = await shop();
    const feed = await consumer();
    const created = await subscribe(s, "slow", { function: feed.name, maxLag: 2 });
    const cursor = created.cursor as number;
    expect((await request("POST", `${s.base}/subscriptions/slow/pause`, { headers: AUTH })).status).toBe(200);
    await insert(s, { id: 1, name: "a" });
    await insert(s, { id: 2, name: "b" });
    expect(await inObject(s.db, (state) => lowestCursor(state.storage.sql))).toBe(cursor);

    await age(s.db);
    await runDurableObjectAlarm(database(s.db));
    const kept = await inObject(s.db, (state) => readChanges(state.storage.sql, 0, 100).map((c) => c.seq));
    expect(kept).toEqual([cursor + 1, cursor + 2]);

    // A third change puts it past its maxLag of 2: paused by the lag cap, it holds nothing, and the alarm prunes.
    await insert(s, { id: 3, name: "c" });
    expect(await until(() => inObject(s.db, (state) => lowestCursor(state.storage.sql)), (c) => c === null)).toBeNull();
    await age(s.db);
    expect(await runDurableObjectAlarm(database(s.db))).toBe(true);
    expect(await inObject(s.db, (state) => readChanges(state.storage.sql, 0, 100))).toEqual([]);
    const resumed = await request("POST", `${s.base}/subscriptions/slow/resume`, { headers: AUTH });
    expect(resumed.status).toBe(409);
    expect(await resumed.json()).toMatchObject({ error: { code: "subscription_cursor_expired", cursor, earliestSeq: cursor + 4 } });
    const skipped = await request("POST", `${s.base}/subscriptions/slow/resume?skipPruned=true`, { headers: AUTH });
    expect(await skipped.json()).toMatchObject({ state: "active", cursor: cursor + 3, lag: 0 });
  });
});
