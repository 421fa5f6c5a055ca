// Subscriptions over HTTP: every committed change reaches the consumer at least once, in seq order, with its
// idempotency key; nothing rolled back does; failures are retried with growing delays, then dead-lettered (and later
// changes keep flowing) or blocking until resume; replay delivers a dead letter again; a consumer's own writes are
// not delivered to it; pause, resume, the lag cap and the API's refusals.

import { describe, expect, it } from "vitest";
import { retryDelayBound, DEFAULT_RETRY_POLICY } from "../../src/runtime/retry-schedule.ts";
import { checkResponse, type OpenApiDocument } from "../support/openapi-check.ts";
import { AUTH, errorOf, request } from "./api-support.ts";
import { deployDbGuest, runScript } from "./database-support.ts";
import { consumer, delivered, fixJitter, heal, insert, json, received, shop, subscribe, until, view } from "./subscription-support.ts";

describe("subscriptions", () => {
  it("deliver every committed change in seq order with its idempotency key, and nothing rolled back", async () => {
    const s = await shop();
    const feed = await consumer();
    const created = await subscribe(s, "all", { function: feed.name, batchSize: 2 });
    expect(created).toMatchObject({ name: "all", state: "active", lag: 0, deadLetters: 0, lastError: null, tables: null, batchSize: 2, onFailure: "dead_letter" });
    const start = created.cursor as number;

    await insert(s, { id: 1, name: "a", total: 1 });
    // A statement that fails half-way (the second row breaks the key) is rolled back: no entry, nothing delivered.
    const failed = await request("POST", `${s.base}/sql`, json("POST", { sql: "INSERT INTO orders (id, name) VALUES (2, 'rolled-back'), (1, 'dup')" }));
    expect(failed.status).toBe(409);
    // So is a procedure that writes and then traps.
    const proc = `proc-${s.db}`.replaceAll("_", "-");
    await deployDbGuest(proc, "db-write", { profile: "database", database: s.db });
    const trapped = await runScript(proc, [{ op: "execute", a: "INSERT INTO orders (id, name) VALUES (3, 'rolled-back')", b: "[]" }, { op: "trap" }]);
    expect(trapped.status).toBe(500);
    await insert(s, { id: 4, name: "b", total: 2 });
    expect((await request("PATCH", `${s.base}/tables/orders/rows/4`, json("PATCH", { total: 3 }))).status).toBe(200);
    expect((await request("DELETE", `${s.base}/tables/orders/rows/1`, { headers: AUTH })).status).toBe(200);

    const changes = await until(() => delivered(feed.key), (c) => c.length >= 4);
    expect(changes.map((c) => c.seq)).toEqual([start + 1, start + 2, start + 3, start + 4]);
    expect(changes.map((c) => [c.op, c.rowKey, c.new?.name ?? c.old?.name])).toEqual([["insert", 1, "a"], ["insert", 4, "b"], ["update", 4, "b"], ["delete", 1, "a"]]);
    expect(changes.map((c) => c.key)).toEqual(changes.map((c) => `wnam/${s.db}/${c.seq}`));
    expect(changes[2]).toMatchObject({ table: "orders", old: { total: 2 }, new: { total: 3 } });
    expect(JSON.stringify(changes)).not.toContain("rolled-back");
    const batches = (await received(feed.key)).map((r) => r.batch);
    expect(batches.every((b) => b.region === "wnam" && b.database === s.db && b.subscription === "all" && b.changes.length <= 2)).toBe(true);
    const after = await until(() => view(s, "all"), (v) => v.lag === 0);
    expect(after).toMatchObject({ cursor: start + 4, headSeq: start + 4, oldestUndeliveredAge: null, attempts: 0, lastError: null });
  });

  it("retry a failing batch with growing delays, then deliver it and move on", async () => {
    const s = await shop();
    const feed = await consumer({ failFirst: "3" });
    await subscribe(s, "flaky", { function: feed.name, maxAttempts: 5 });
    // Full jitter at its top: each delay is just under its bound (500, 1000, 2000 ms).
    await fixJitter(s.db, 0.999);
    await insert(s, { id: 1, name: "a" });
    const attempts = await until(() => received(feed.key), (r) => r.length >= 4);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(attempts.every((a) => a.batch.changes.length === 1 && a.batch.changes[0].key === attempts[0].batch.changes[0].key)).toBe(true);
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    for (const [i, gap] of gaps.entries()) {
      const bound = retryDelayBound(DEFAULT_RETRY_POLICY, i + 1);
      expect(gap, `gap ${i + 1} of ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(Math.floor(bound * 0.999) - 5);
      expect(gap, `gap ${i + 1} of ${JSON.stringify(gaps)}`).toBeLessThan(bound + 1500);
    }
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    const after = await until(() => view(s, "flaky"), (v) => v.lag === 0);
    expect(after).toMatchObject({ attempts: 0, lastError: null, deadLetters: 0, state: "active" });
  });

  it("dead-letter a change that always fails after maxAttempts, keep later changes flowing, and replay it", async () => {
    const s = await shop();
    const feed = await consumer({ poison: "POISON" });
    await subscribe(s, "poisoned", { function: feed.name, batchSize: 1, maxAttempts: 2 });
    await fixJitter(s.db, 0);
    for (const [id, name] of [[1, "a"], [2, "POISON"], [3, "b"], [4, "c"]] as const) await insert(s, { id, name });
    const flowed = await until(() => delivered(feed.key), (c) => c.length >= 3);
    expect(flowed.map((c) => c.new.name)).toEqual(["a", "b", "c"]);
    const poisonAttempts = (await received(feed.key)).filter((r) => r.status === 500);
    expect(poisonAttempts).toHaveLength(2);

    const listed = await (await request("GET", `${s.base}/subscriptions/poisoned/dead-letters`, { headers: AUTH })).json<{ deadLetters: any[] }>();
    expect(listed.deadLetters).toHaveLength(1);
    const [letter] = listed.deadLetters;
    expect(letter).toMatchObject({ seq: poisonAttempts[0].batch.changes[0].seq, attempts: 2, state: "dead", change: { table: "orders", op: "insert", new: { name: "POISON" } } });
    expect(letter.error).toMatchObject({ code: "guest_trap", message: expect.any(String) });
    // Later batches succeeded, so nothing holds it back now: lastError is cleared; the dead letter keeps its error.
    expect(await view(s, "poisoned")).toMatchObject({ deadLetters: 1, state: "active", lag: 0, lastError: null });

    await heal(feed.key);
    const replayed = await request("POST", `${s.base}/subscriptions/poisoned/dead-letters/${letter.id}/replay`, { headers: AUTH });
    expect(replayed.status).toBe(202);
    const again = await until(() => delivered(feed.key), (c) => c.length >= 4);
    expect(again[3]).toMatchObject({ seq: letter.seq, key: `wnam/${s.db}/${letter.seq}`, new: { name: "POISON" } });
    await until(() => view(s, "poisoned"), (v) => v.deadLetters === 0);
    const gone = await request("POST", `${s.base}/subscriptions/poisoned/dead-letters/${letter.id}/replay`, { headers: AUTH });
    expect(gone.status).toBe(404);
    expect(await errorOf(gone)).toMatchObject({ code: "unknown_dead_letter", subscription: "poisoned", id: letter.id });
  });

  it("block halts the subscription at the failing change, and resume continues from that same change", async () => {
    const s = await shop();
    const feed = await consumer({ poison: "POISON" });
    await subscribe(s, "strict", { function: feed.name, batchSize: 1, maxAttempts: 2, onFailure: "block" });
    await fixJitter(s.db, 0);
    for (const [id, name] of [[1, "a"], [2, "POISON"], [3, "b"]] as const) await insert(s, { id, name });
    const blocked = await until(() => view(s, "strict"), (v) => v.state === "blocked");
    expect(blocked).toMatchObject({ lag: 2, attempts: 2, deadLetters: 0, lastError: { code: expect.any(String) } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await delivered(feed.key)).map((c) => c.new.name)).toEqual(["a"]);
    expect((await received(feed.key)).filter((r) => r.status === 500)).toHaveLength(2);

    await heal(feed.key);
    const resumed = await request("POST", `${s.base}/subscriptions/strict/resume`, { headers: AUTH });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ state: "active", cursor: blocked.cursor, attempts: 0 });
    const all = await until(() => delivered(feed.key), (c) => c.length >= 3);
    expect(all.map((c) => c.new.name)).toEqual(["a", "POISON", "b"]);
    expect(await until(() => view(s, "strict"), (v) => v.lag === 0)).toMatchObject({ state: "active", lastError: null });
  });

  it("do not deliver a consumer's own writes to it, but do to other subscriptions", async () => {
    const s = await shop();
    const writer = await consumer({}, { db: s.db, sql: "INSERT INTO audit (note) VALUES ('seen')" });
    const watcher = await consumer();
    await subscribe(s, "writer", { function: writer.name });
    await subscribe(s, "watcher", { function: watcher.name, tables: ["audit"] });
    await insert(s, { id: 1, name: "a" });
    await insert(s, { id: 2, name: "b" });
    const watched = await until(() => delivered(watcher.key), (c) => c.length >= 1);
    expect(watched.every((c) => c.table === "audit" && c.new.note === "seen")).toBe(true);
    await until(() => view(s, "writer"), (v) => v.lag === 0);
    const own = await delivered(writer.key);
    expect(own.map((c) => c.table)).toEqual(["orders", "orders"]);
  });

  it("pause holds delivery, resume delivers what waited; the lag cap pauses a subscription that falls too far behind", async () => {
    const s = await shop();
    const feed = await consumer();
    await subscribe(s, "p", { function: feed.name, maxLag: 2 });
    const paused = await request("POST", `${s.base}/subscriptions/p/pause`, { headers: AUTH });
    expect(await paused.json()).toMatchObject({ state: "paused", pausedReason: "operator" });
    await insert(s, { id: 1, name: "a" });
    await insert(s, { id: 2, name: "b" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await delivered(feed.key)).toEqual([]);
    expect(await view(s, "p")).toMatchObject({ state: "paused", lag: 2, oldestUndeliveredAge: expect.any(Number) });

    await insert(s, { id: 3, name: "c" });
    const capped = await until(() => view(s, "p"), (v) => v.pausedReason === "lag_cap");
    expect(capped).toMatchObject({ state: "paused", lag: 3, lastError: { code: "lag_cap" } });
    // Raising the cap and resuming delivers everything that waited, in order.
    const raised = await request("PUT", `${s.base}/subscriptions/p`, json("PUT", { function: feed.name, maxLag: 100 }));
    expect(raised.status).toBe(200);
    expect((await request("POST", `${s.base}/subscriptions/p/resume`, { headers: AUTH })).status).toBe(200);
    const all = await until(() => delivered(feed.key), (c) => c.length >= 3);
    expect(all.map((c) => c.new.name)).toEqual(["a", "b", "c"]);
  });

  it("answer the catalogue's errors for unknown names and bad bodies, and list and delete subscriptions", async () => {
    const s = await shop();
    const feed = await consumer();
    const missing = await request("GET", `${s.base}/subscriptions/nope`, { headers: AUTH });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "unknown_subscription", subscription: "nope" });
    const bad = await request("PUT", `${s.base}/subscriptions/x`, json("PUT", { function: feed.name, batchSize: 0 }));
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: "invalid_request", field: "batchSize" });
    const noFunction = await request("PUT", `${s.base}/subscriptions/x`, json("PUT", { function: "no-such-function-here" }));
    expect(noFunction.status).toBe(404);
    expect(await errorOf(noFunction)).toMatchObject({ code: "unknown_function" });
    const noDb = await request("GET", `/v1/regions/wnam/databases/no_such_db_here/subscriptions`, { headers: AUTH });
    expect(noDb.status).toBe(404);
    expect(await errorOf(noDb)).toMatchObject({ code: "unknown_database" });
    const badName = await request("GET", `${s.base}/subscriptions/Bad%20Name`, { headers: AUTH });
    expect(badName.status).toBe(400);

    await subscribe(s, "one", { function: feed.name, tables: ["orders"], events: ["insert"] });
    const replaced = await request("PUT", `${s.base}/subscriptions/one`, json("PUT", { function: feed.name, events: ["delete", "insert"] }));
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ tables: null, events: ["insert", "delete"] });
    const list = await (await request("GET", `${s.base}/subscriptions`, { headers: AUTH })).json<{ subscriptions: { name: string }[] }>();
    expect(list.subscriptions.map((x) => x.name)).toEqual(["one"]);
    expect((await request("GET", `${s.base}/subscriptions/one/dead-letters/1`, { headers: AUTH })).status).toBe(404);
    const discard = await request("DELETE", `${s.base}/subscriptions/one/dead-letters/abc`, { headers: AUTH });
    expect(await errorOf(discard)).toMatchObject({ code: "unknown_dead_letter" });
    const deleted = await request("DELETE", `${s.base}/subscriptions/one`, { headers: AUTH });
    expect(await deleted.json()).toEqual({ deleted: "one" });
    expect((await request("GET", `${s.base}/subscriptions/one`, { headers: AUTH })).status).toBe(404);
  });

  it("answer as the OpenAPI document declares, errors included", async () => {
    const document = await (await request("GET", "/v1/openapi.json")).json<OpenApiDocument>();
    const s = await shop();
    const feed = await consumer({ poison: "POISON" });
    const check = async (method: string, path: string, init: RequestInit = { headers: AUTH }) => {
      const response = await request(method, `${s.base}${path}`, { method, ...init });
      const body = await response.json();
      expect(checkResponse(document, method, new URL(response.url || `https://x${s.base}${path}`).pathname, response.status, response.headers.get("content-type") ?? "", body), `${method} ${path}`).toEqual([]);
      return { status: response.status, body: body as any };
    };
    expect((await check("PUT", "/subscriptions/doc", json("PUT", { function: feed.name, batchSize: 1, maxAttempts: 1 }))).status).toBe(201);
    await fixJitter(s.db, 0);
    await insert(s, { id: 1, name: "POISON" });
    await until(() => view(s, "doc"), (v) => v.deadLetters === 1);
    const letters = await check("GET", "/subscriptions/doc/dead-letters");
    expect(letters.body.deadLetters).toHaveLength(1);
    expect((await check("POST", `/subscriptions/doc/dead-letters/${letters.body.deadLetters[0].id}/replay`)).status).toBe(202);
    for (const [method, path] of [["GET", "/subscriptions"], ["GET", "/subscriptions/doc"], ["POST", "/subscriptions/doc/pause"], ["POST", "/subscriptions/doc/resume"], ["GET", "/subscriptions/none"], ["POST", "/subscriptions/doc/dead-letters/999/replay"]] as const) {
      await check(method, path);
    }
    expect((await check("DELETE", "/subscriptions/doc/dead-letters/999")).status).toBe(404);
    expect((await check("DELETE", "/subscriptions/doc")).status).toBe(200);
  });
});
