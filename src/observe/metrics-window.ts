// Per-minute metrics of one function in one region: fixed buckets (one per minute) that merge by addition into
// the summary of any recent window.

import type { InvocationRecord } from "../runtime/invocation-observer.ts";
import { OUTCOME_OK } from "../runtime/invocation-observer.ts";
import { addValue, DURATION_BOUNDS_MS, emptyHistogram, FUEL_BOUNDS, type Histogram, mergeHistogram, quantile } from "./histogram.ts";

export interface MinuteStats {
  invocations: number;
  /** Failed invocations by error code. */
  errors: Record<string, number>;
  fuel: Histogram;
  durationMs: Histogram;
  bytesIn: number;
  bytesOut: number;
  hostCalls: Record<string, number>;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** What GET /v1/functions/:name/metrics answers per region (and summed over them). */
export interface MetricsSummary {
  invocations: number;
  errors: Record<string, number>;
  fuel: Percentiles;
  durationMs: Percentiles;
  bytesIn: number;
  bytesOut: number;
  hostCalls: Record<string, number>;
}

export function emptyMinute(): MinuteStats {
  return {
    invocations: 0,
    errors: {},
    fuel: emptyHistogram(FUEL_BOUNDS),
    durationMs: emptyHistogram(DURATION_BOUNDS_MS),
    bytesIn: 0,
    bytesOut: 0,
    hostCalls: {},
  };
}

export function minuteOf(epochMs: number): number {
  return Math.floor(epochMs / 60_000);
}

export function addRecord(stats: MinuteStats, record: InvocationRecord): void {
  stats.invocations++;
  if (record.outcome !== OUTCOME_OK) stats.errors[record.outcome] = (stats.errors[record.outcome] ?? 0) + 1;
  addValue(stats.fuel, FUEL_BOUNDS, record.fuelUsed);
  addValue(stats.durationMs, DURATION_BOUNDS_MS, record.durationMs);
  stats.bytesIn += record.bytesIn;
  stats.bytesOut += record.bytesOut;
  addCounts(stats.hostCalls, record.hostCalls);
}

export function mergeMinutes(into: MinuteStats, from: MinuteStats): void {
  into.invocations += from.invocations;
  addCounts(into.errors, from.errors);
  mergeHistogram(into.fuel, from.fuel);
  mergeHistogram(into.durationMs, from.durationMs);
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  addCounts(into.hostCalls, from.hostCalls);
}

export function summarize(stats: MinuteStats): MetricsSummary {
  const percentiles = (h: Histogram, bounds: readonly number[]): Percentiles => ({
    p50: quantile(h, bounds, 0.5),
    p95: quantile(h, bounds, 0.95),
    p99: quantile(h, bounds, 0.99),
  });
  return {
    invocations: stats.invocations,
    errors: { ...stats.errors },
    fuel: percentiles(stats.fuel, FUEL_BOUNDS),
    durationMs: percentiles(stats.durationMs, DURATION_BOUNDS_MS),
    bytesIn: stats.bytesIn,
    bytesOut: stats.bytesOut,
    hostCalls: { ...stats.hostCalls },
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}
