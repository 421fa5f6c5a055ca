// BEFORE triggers seen through the HTTP API: registered with PUT .../triggers/:name, they run on every write of the
// row API (insert, patch, delete) and admin SQL; a rejection is 422 trigger_rejected naming the trigger, the table
// and its message, with nothing written; a rewrite is what the row API answers and stores. Registration refuses a
// function that could never run for this database.

import { describe, expect, it } from "vitest";
import { AUTH, errorOf, freshName, request } from "./api-support.ts";
import { deployDbGuest } from "./database-support.ts";

const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { ...AUTH, "content-type": "application/json" } });
const NEGATIVE = { match: '"total":-', onMatch: JSON.stringify({ verdict: "reject", message: "total must not be negative" }), verdict: '{"verdict":"accept"}' };

async function shop(config: Record<string, string>, events: string[]): Promise<{ base: string; trigger: string }> {
  const db = freshName("shop").replaceAll("-", "_");
  const base = `/v1/regions/wnam/databases/${db}`;
  expect((await request("PUT", base, { headers: AUTH })).status).toBe(201);
  const created = await request("POST", `${base}/sql`, json("POST", { sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL, status TEXT NOT NULL DEFAULT 'new')" }));
  expect(created.status).toBe(200);
  const fn = freshName("check");
  await deployDbGuest(fn, "db-trigger", { profile: "compute", config });
  const trigger = "check_order";
  const registered = await request("PUT", `${base}/triggers/${trigger}`, json("PUT", { table: "orders", events, function: fn, timing: "before" }));
  expect(registered.status, await registered.clone().text()).toBe(201);
  return { base, trigger };
}

async function orders(base: string): Promise<unknown[]> {
  return (await (await request("GET", `${base}/tables/orders/rows`, { headers: AUTH })).json<{ rows: unknown[] }>()).rows;
}

describe("BEFORE triggers over HTTP", () => {
  it("reject an insert, a patch and a delete through the row API, and an admin statement, writing nothing", async () => {
    const { base, trigger } = await shop(
      { match: '"total":-', onMatch: JSON.stringify({ verdict: "reject", message: "total must not be negative" }), verdict: '{"verdict":"accept"}' },
      ["insert", "update"],
    );
    const ok = await request("POST", `${base}/tables/orders/rows`, json("POST", { total: 25 }));
    expect(ok.status).toBe(201);
    const before = await orders(base);

    for (const [method, path, body] of [
      ["POST", `${base}/tables/orders/rows`, { total: -10 }],
      ["PATCH", `${base}/tables/orders/rows/1`, { total: -1 }],
    ] as const) {
      const response = await request(method, path, json(method, body));
      expect(response.status, `${method} ${path}`).toBe(422);
      expect(await errorOf(response)).toMatchObject({ code: "trigger_rejected", trigger, table: "orders", reason: "total must not be negative" });
    }
    const viaSql = await request("POST", `${base}/sql`, json("POST", { sql: "UPDATE orders SET total = ? WHERE id = 1", params: [-5] }));
    expect(viaSql.status).toBe(422);
    expect(await errorOf(viaSql)).toMatchObject({ code: "trigger_rejected", trigger });
    expect(await orders(base)).toEqual(before);
  });

  it("reject a delete when the trigger guards deletes", async () => {
    const { base } = await shop({ verdict: JSON.stringify({ verdict: "reject", message: "orders are never deleted" }) }, ["delete"]);
    expect((await request("POST", `${base}/tables/orders/rows`, json("POST", { total: 3 }))).status).toBe(201);
    const response = await request("DELETE", `${base}/tables/orders/rows/1`, { headers: AUTH });
    expect(response.status).toBe(422);
    expect(await errorOf(response)).toMatchObject({ code: "trigger_rejected", reason: "orders are never deleted" });
    expect(await orders(base)).toEqual([{ id: 1, total: 3, status: "new" }]);
  });

  it("answer and store the row a rewrite made", async () => {
    const { base } = await shop({ verdict: JSON.stringify({ verdict: "rewrite", row: { status: "checked" } }) }, ["insert"]);
    const response = await request("POST", `${base}/tables/orders/rows`, json("POST", { total: 7 }));
    expect(response.status).toBe(201);
    expect((await response.json<{ row: unknown }>()).row).toEqual({ id: 1, total: 7, status: "checked" });
    expect(await orders(base)).toEqual([{ id: 1, total: 7, status: "checked" }]);
  });

  it("refuse a function not deployed in the database's region, or belonging to another database", async () => {
    const db = freshName("reg").replaceAll("-", "_");
    const base = `/v1/regions/wnam/databases/${db}`;
    await request("PUT", base, { headers: AUTH });
    await request("POST", `${base}/sql`, json("POST", { sql: "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)" }));
    const elsewhere = freshName("elsewhere");
    await deployDbGuest(elsewhere, "db-trigger", { profile: "compute", regions: "weur", config: NEGATIVE });
    const notHere = await request("PUT", `${base}/triggers/t`, json("PUT", { table: "orders", events: ["insert"], function: elsewhere, timing: "before" }));
    expect(notHere.status).toBe(404);
    expect(await errorOf(notHere)).toMatchObject({ code: "not_deployed_in_region", functionName: elsewhere, region: "wnam" });

    const other = freshName("other");
    await deployDbGuest(other, "db-trigger-query", { profile: "database_read", database: "another_db", config: NEGATIVE });
    const mismatch = await request("PUT", `${base}/triggers/t`, json("PUT", { table: "orders", events: ["insert"], function: other, timing: "before" }));
    expect(mismatch.status).toBe(422);
    expect(await errorOf(mismatch)).toMatchObject({ code: "invalid_trigger_function", functionName: other });
    expect((await (await request("GET", `${base}/triggers`, { headers: AUTH })).json<{ triggers: unknown[] }>()).triggers).toEqual([]);
  });
});
