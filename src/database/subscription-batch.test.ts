import { describe, expect, it } from "vitest";
import type { ChangeEntry } from "./change-log.ts";
import { batchOf, idempotencyKey, wants } from "./subscription-batch.ts";

const change = (over: Partial<ChangeEntry>): ChangeEntry => ({
  seq: 7, txId: "t", table: "orders", op: "insert", key: 1, old: null, new: { id: 1 }, committedAt: "2026-12-03T10:00:00.000Z", origin: null, ...over,
});
const all = { function: "feed", tables: null, events: ["insert", "update", "delete"] as ChangeEntry["op"][], includeOwnWrites: false };

describe("wants", () => {
  it("filters by event, table (as SQLite compares names) and the consumer's own writes", () => {
    expect(wants(all, change({}))).toBe(true);
    expect(wants(all, change({ op: "schema" }))).toBe(false);
    expect(wants({ ...all, events: ["schema"] }, change({ op: "schema" }))).toBe(true);
    expect(wants({ ...all, tables: ["ORDERS"] }, change({}))).toBe(true);
    expect(wants({ ...all, tables: ["audit"] }, change({}))).toBe(false);
    expect(wants(all, change({ origin: "feed" }))).toBe(false);
    expect(wants({ ...all, includeOwnWrites: true }, change({ origin: "feed" }))).toBe(true);
    expect(wants(all, change({ origin: "other" }))).toBe(true);
  });
});

describe("batchOf", () => {
  it("names region, database and subscription, and gives each change its idempotency key and row key", () => {
    expect(idempotencyKey("wnam", "shop", 7)).toBe("wnam/shop/7");
    expect(batchOf("wnam", "shop", "s", [change({ key: [1, "a"] })])).toEqual({
      region: "wnam",
      database: "shop",
      subscription: "s",
      changes: [{ seq: 7, key: "wnam/shop/7", txId: "t", table: "orders", op: "insert", rowKey: [1, "a"], old: null, new: { id: 1 }, committedAt: "2026-12-03T10:00:00.000Z" }],
    });
  });
});
