// AFTER triggers are subscriptions: registering one with timing "after" creates a subscription of the same name that
// delivers the committed changes of its table and events to the function; replacing it keeps the cursor, making it
// BEFORE or deleting it removes the subscription, and the subscription API refuses to change it behind the trigger.

import { describe, expect, it } from "vitest";
import { AUTH, errorOf, request } from "./api-support.ts";
import { consumer, delivered, insert, json, shop, subscribe, until, view } from "./subscription-support.ts";

describe("AFTER triggers", () => {
  it("deliver the committed changes of their table and events through a subscription of the same name", async () => {
    const s = await shop();
    const feed = await consumer();
    const put = await request("PUT", `${s.base}/triggers/notify`, json("PUT", { table: "orders", events: ["insert"], function: feed.name, timing: "after" }));
    expect(put.status, await put.clone().text()).toBe(201);
    expect((await put.json<{ trigger: unknown }>()).trigger).toMatchObject({ name: "notify", timing: "after", table: "orders", events: ["insert"] });
    expect(await view(s, "notify")).toMatchObject({ function: feed.name, tables: ["orders"], events: ["insert"], trigger: "notify", state: "active" });

    await insert(s, { id: 1, name: "a" });
    expect((await request("PATCH", `${s.base}/tables/orders/rows/1`, json("PATCH", { name: "z" }))).status).toBe(200);
    await insert(s, { id: 2, name: "b" });
    expect((await request("POST", `${s.base}/sql`, json("POST", { sql: "INSERT INTO audit (note) VALUES ('x')" }))).status).toBe(200);
    await until(() => view(s, "notify"), (v) => v.lag === 0);
    const changes = await delivered(feed.key);
    expect(changes.map((c) => [c.table, c.op, c.new.name])).toEqual([["orders", "insert", "a"], ["orders", "insert", "b"]]);

    // The subscription belongs to the trigger: the subscription API does not change it behind the trigger's back.
    const overwrite = await request("PUT", `${s.base}/subscriptions/notify`, json("PUT", { function: feed.name }));
    expect(overwrite.status).toBe(409);
    expect(await errorOf(overwrite)).toMatchObject({ code: "subscription_conflict", subscription: "notify" });
    expect((await request("DELETE", `${s.base}/subscriptions/notify`, { headers: AUTH })).status).toBe(409);

    // Replacing the trigger keeps the cursor; deleting it removes the subscription.
    const cursor = (await view(s, "notify")).cursor;
    const replaced = await request("PUT", `${s.base}/triggers/notify`, json("PUT", { table: "orders", events: ["insert", "delete"], function: feed.name, timing: "after" }));
    expect(replaced.status).toBe(200);
    expect(await view(s, "notify")).toMatchObject({ cursor, events: ["insert", "delete"] });
    expect((await request("DELETE", `${s.base}/triggers/notify`, { headers: AUTH })).status).toBe(200);
    expect((await request("GET", `${s.base}/subscriptions/notify`, { headers: AUTH })).status).toBe(404);
  });

  it("refuse a trigger whose name a plain subscription has, and drop the subscription when the trigger becomes BEFORE", async () => {
    const s = await shop();
    const feed = await consumer();
    await subscribe(s, "taken", { function: feed.name });
    const clash = await request("PUT", `${s.base}/triggers/taken`, json("PUT", { table: "orders", events: ["insert"], function: feed.name, timing: "after" }));
    expect(clash.status).toBe(409);
    expect(await errorOf(clash)).toMatchObject({ code: "subscription_conflict" });
    expect((await request("GET", `${s.base}/triggers/taken`, { headers: AUTH })).status).toBe(404);

    expect((await request("PUT", `${s.base}/triggers/flip`, json("PUT", { table: "orders", events: ["insert"], function: feed.name, timing: "after" }))).status).toBe(201);
    expect((await request("GET", `${s.base}/subscriptions/flip`, { headers: AUTH })).status).toBe(200);
    expect((await request("PUT", `${s.base}/triggers/flip`, json("PUT", { table: "orders", events: ["insert"], function: feed.name, timing: "before" }))).status).toBe(200);
    expect((await request("GET", `${s.base}/subscriptions/flip`, { headers: AUTH })).status).toBe(404);
  });
});
