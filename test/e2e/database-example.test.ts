// The example end to end against the real local server, set up by `npm start` exactly as a user gets it:
// the `shop` database with its `orders` table, the `validate-order` BEFORE trigger and the `process-order` procedure.

import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let server: LocalServer;
let region: string;

beforeAll(async () => {
  server = await startLocalServer();
  region = ((await (await fetch(`${server.baseUrl}/v1/regions`)).json()) as { default: string }).default;
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

const shop = () => `${server.baseUrl}/v1/regions/${region}/databases/shop`;

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function rows(table: string): Promise<Record<string, unknown>[]> {
  const answer = await call("GET", `${shop()}/tables/${table}/rows?limit=1000`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.rows;
}

async function stockOf(sku: string): Promise<number> {
  const answer = await call("POST", `${shop()}/sql`, { sql: "SELECT quantity FROM stock WHERE sku = ?", params: [sku] });
  return answer.body.rows[0][0];
}

describe("the shop example (npm start)", () => {
  it("created the database with its tables and trigger, and printed how to use it", async () => {
    const { status, body } = await call("GET", shop());
    expect(status).toBe(200);
    expect(body.database.tables.map((t: { name: string }) => t.name)).toEqual(["order_events", "orders", "stock"]);
    expect(body.database.triggers).toEqual([expect.objectContaining({ name: "validate-order", table: "orders", function: "validate-order", timing: "before" })]);
    expect(server.output()).toContain(`/v1/regions/${region}/databases/shop/tables/orders/rows`);
    expect(server.output()).toMatch(/process-order\/invoke\?region=/);
  });

  it("stores a valid order; rejects a total of -10 with trigger_rejected and the trigger's message, writing nothing", async () => {
    const before = await rows("orders");
    const stored = await call("POST", `${shop()}/tables/orders/rows`, { sku: "A1", qty: 2, total: 25 });
    expect(stored.status, JSON.stringify(stored.body)).toBe(201);
    expect(stored.body.row).toMatchObject({ sku: "A1", qty: 2, total: 25, status: "new" });

    const rejected = await call("POST", `${shop()}/tables/orders/rows`, { sku: "A1", qty: 1, total: -10 });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error).toMatchObject({ code: "trigger_rejected", trigger: "validate-order", reason: expect.stringContaining("total must not be negative") });
    expect(rejected.body.error.message).toContain("total must not be negative");

    // Admin SQL takes the same trigger path, here for a statement writing two rows: neither is kept.
    const viaSql = await call("POST", `${shop()}/sql`, { sql: "INSERT INTO orders (sku, qty, total) VALUES (?, 1, 5), (?, 1, -10)", params: ["B2", "B2"] });
    expect(viaSql.status).toBe(422);
    expect(viaSql.body.error).toMatchObject({ code: "trigger_rejected", trigger: "validate-order" });

    const after = await rows("orders");
    expect(after).toHaveLength(before.length + 1);
    expect(after.some((row) => row.total === -10 || row.sku === "B2")).toBe(false);
  });

  it("runs process-order as one transaction: the answer is right and its writes are visible afterwards", async () => {
    const order = (await call("POST", `${shop()}/tables/orders/rows`, { sku: "A1", qty: 3, total: 30 })).body.row;
    const stockBefore = await stockOf("A1");
    const eventsBefore = await rows("order_events");

    const invoke = () =>
      fetch(`${server.baseUrl}/v1/functions/process-order/invoke?region=${region}`, { method: "POST", body: JSON.stringify({ orderId: order.id }) });
    const response = await invoke();
    const answer = (await response.json()) as any;
    expect(response.status, JSON.stringify(answer)).toBe(200);
    expect(answer).toMatchObject({ ok: true, orderId: order.id, sku: "A1", qty: 3, total: 30, stockLeft: stockBefore - 3 });

    expect(await stockOf("A1")).toBe(stockBefore - 3);
    const events = await rows("order_events");
    expect(events).toHaveLength(eventsBefore.length + 1);
    expect(events[events.length - 1]).toMatchObject({ id: answer.eventId, order_id: order.id, kind: "processed" });
    expect((await call("GET", `${shop()}/tables/orders/rows/${order.id}`)).body.row).toMatchObject({ status: "processed" });

    // Processing it again is refused by the procedure and changes nothing.
    const again = (await (await invoke()).json()) as any;
    expect(again).toMatchObject({ ok: false, error: expect.stringContaining("already processed") });
    expect(await stockOf("A1")).toBe(stockBefore - 3);
    expect(await rows("order_events")).toHaveLength(eventsBefore.length + 1);
  });
});
