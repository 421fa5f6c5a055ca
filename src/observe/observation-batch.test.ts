import { describe, expect, it } from "vitest";
import type { InvocationRecord } from "../runtime/invocation-observer.ts";
import { addRecord, emptyMinute, mergeMinutes, minuteOf } from "./metrics-window.ts";
import { batchOf } from "./observation-batch.ts";

const MINUTE = 60_000;

function record(at: number, overrides: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    functionName: "fn", version: 1, region: "wnam", requestId: `r${at}`, outcome: "ok", fuelUsed: 5_000 + at % 7_000,
    memoryPages: 1, durationMs: (at % 13) / 4, bytesIn: 64, bytesOut: 64, hostCalls: {}, logs: [], at, ...overrides,
  };
}

describe("observation batches", () => {
  it("sum each minute's records into that minute, exactly as adding them one by one does", () => {
    const base = 1_000 * MINUTE;
    const records = [
      record(base + 10),
      record(base + 20, { outcome: "guest_trap", hostCalls: { heliosdb_log: 2 } }),
      record(base + MINUTE + 5, { hostCalls: { heliosdb_log: 1, heliosdb_output: 3 } }),
      record(base + 30, { outcome: "out_of_fuel", fuelUsed: 10_000_000, durationMs: 950 }),
      record(base + 2 * MINUTE + 1),
    ];
    const batch = batchOf(records);
    expect(batch.records).toBe(5);
    const expected = new Map<number, ReturnType<typeof emptyMinute>>();
    for (const r of records) {
      const minute = minuteOf(r.at);
      if (!expected.has(minute)) expected.set(minute, emptyMinute());
      addRecord(expected.get(minute)!, r);
    }
    expect(new Map(batch.minutes)).toEqual(expected);
  });

  it("merged into a stored minute, give what adding the records to it one by one gave", () => {
    const at = 2_000 * MINUTE;
    const stored = emptyMinute();
    addRecord(stored, record(at - 1_000, { outcome: "guest_trap", hostCalls: { heliosdb_log: 4 } }));
    const records = [record(at + 1), record(at + 2, { outcome: "guest_trap", durationMs: 20_000, hostCalls: { heliosdb_log: 1 } })];
    const oneByOne = structuredClone(stored);
    for (const r of records) addRecord(oneByOne, r);
    const merged = structuredClone(stored);
    for (const [, stats] of batchOf(records).minutes) mergeMinutes(merged, stats);
    expect(merged).toEqual(oneByOne);
  });

  it("keep only the records with log lines, in the order they came", () => {
    const lines = (message: string) => [{ level: "info" as const, message }];
    const records = [record(1), record(2, { logs: lines("a") }), record(3), record(4, { logs: lines("b") })];
    expect(batchOf(records).logged.map((r) => r.logs[0]!.message)).toEqual(["a", "b"]);
    expect(batchOf([]).minutes).toEqual([]);
  });
});
