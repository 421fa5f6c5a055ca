import { describe, expect, it } from "vitest";
import { addRecord, emptyMinute, summarize } from "../observe/metrics-window.ts";
import type { InvocationRecord } from "../runtime/invocation-observer.ts";
import { prometheusText } from "./prometheus-text.ts";

function record(outcome: string, hostCalls: Record<string, number>): InvocationRecord {
  return {
    functionName: "f", version: 1, region: "wnam", requestId: "r", outcome, fuelUsed: 5_000, memoryPages: 1,
    durationMs: 1.5, bytesIn: 3, bytesOut: 4, hostCalls, logs: [], at: 0,
  };
}

describe("metrics summaries and their Prometheus text", () => {
  it("sums invocations, errors by code, bytes and host calls", () => {
    const stats = emptyMinute();
    addRecord(stats, record("ok", { heliosdb_log: 2 }));
    addRecord(stats, record("guest_trap", { heliosdb_log: 1 }));
    const summary = summarize(stats);
    expect(summary).toMatchObject({ invocations: 2, errors: { guest_trap: 1 }, bytesIn: 6, bytesOut: 8, hostCalls: { heliosdb_log: 3 } });
    expect(summary.fuel.p50).toBe(5_000);
    expect(summary.durationMs.p99).toBe(1.5);
  });

  it("writes one gauge family per metric, labelled, with label values escaped", () => {
    const stats = emptyMinute();
    addRecord(stats, record("ok", { heliosdb_log: 2 }));
    const text = prometheusText([{ function: 'we"ird', windowMinutes: 60, total: summarize(stats), regions: { wnam: summarize(stats) } }]);
    expect(text).toContain("# TYPE helios_invocations gauge\n");
    expect(text).toContain('helios_invocations{function="we\\"ird",region="wnam",window_minutes="60"} 1\n');
    expect(text).toContain('helios_host_calls{function="we\\"ird",region="wnam",window_minutes="60",host_function="heliosdb_log"} 2\n');
    expect(text).toContain('helios_fuel_used{function="we\\"ird",region="wnam",window_minutes="60",quantile="0.5"} 5000\n');
    // Every sample line is name{labels} value.
    for (const line of text.split("\n").filter((l) => l !== "" && !l.startsWith("#"))) expect(line).toMatch(/^[a-z_]+\{.*\} [0-9.e+]+$/);
  });
});
