// Reading a function's observations across regions: its log lines merged by time, its metrics summed (histograms
// merge bin by bin, so the percentiles of the sum are exact to the bins), its live tail merged into one event
// stream, and every function's metrics as Prometheus text.

import type { Env } from "../env.ts";
import {
  emptyMinute,
  type LogQuery,
  type MetricsSummary,
  mergeMinutes,
  minuteOf,
  observationStub,
  type StoredLogLine,
  summarize,
} from "../observe/index.ts";
import type { LogLevel } from "../sandbox/index.ts";

export async function readLogs(env: Env, name: string, regions: string[], query: LogQuery): Promise<StoredLogLine[]> {
  const perRegion = await Promise.all(regions.map((region) => observationStub(env, name, region).logs(name, region, query)));
  const lines = perRegion.flat().sort((a, b) => a.at - b.at || (a.region < b.region ? -1 : a.region > b.region ? 1 : a.id - b.id));
  // Oldest first either way: from `since` onwards the first `limit`, else the newest `limit`.
  return query.since !== undefined ? lines.slice(0, query.limit) : lines.slice(-query.limit);
}

export interface FunctionMetrics {
  function: string;
  windowMinutes: number;
  total: MetricsSummary;
  regions: Record<string, MetricsSummary>;
}

export async function readMetrics(env: Env, name: string, regions: string[], windowMinutes: number): Promise<FunctionMetrics> {
  const stats = await Promise.all(regions.map((region) => observationStub(env, name, region).stats(windowMinutes)));
  const total = emptyMinute();
  const byRegion: Record<string, MetricsSummary> = {};
  stats.forEach((s, i) => {
    mergeMinutes(total, s);
    byRegion[regions[i]!] = summarize(s);
  });
  return { function: name, windowMinutes, total: summarize(total), regions: byRegion };
}

/** One minute of a function's metrics over its regions: `at` is the minute's start (epoch ms). */
export interface MetricsMinute extends MetricsSummary {
  at: number;
}

export interface FunctionMetricsSeries {
  function: string;
  windowMinutes: number;
  /** Every minute of the window, oldest first, including minutes without invocations (zeros), so charts need no gaps filled. */
  minutes: MetricsMinute[];
}

/** The window minute by minute, each minute summed over `regions` (histograms merged, so percentiles stay exact to the bins). */
export async function readMetricsSeries(env: Env, name: string, regions: string[], windowMinutes: number, now = Date.now()): Promise<FunctionMetricsSeries> {
  const perRegion = await Promise.all(regions.map((region) => observationStub(env, name, region).series(windowMinutes, now)));
  const last = minuteOf(now);
  const first = last - windowMinutes + 1;
  const merged = Array.from({ length: windowMinutes }, () => emptyMinute());
  for (const rows of perRegion) {
    for (const row of rows) if (row.minute >= first && row.minute <= last) mergeMinutes(merged[row.minute - first]!, row.stats);
  }
  return { function: name, windowMinutes, minutes: merged.map((stats, i) => ({ at: (first + i) * 60_000, ...summarize(stats) })) };
}

/**
 * One server-sent event stream of the lines stored from now on in each region. Each region's stream is read as
 * whole events (up to a blank line), so events from two regions never interleave mid-event.
 */
export async function openTail(env: Env, name: string, regions: string[], level: LogLevel | undefined): Promise<Response> {
  const query = level === undefined ? "" : `?level=${level}`;
  const sources = await Promise.all(regions.map((region) => observationStub(env, name, region).fetch(`https://observations/tail${query}`)));
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // Not awaited: a write resolves only once the client reads, which it cannot before this returns the response.
  writer.write(encoder.encode(`: tail of ${name} in ${regions.join(", ")}\n\n`)).catch(() => undefined);
  const pumps = sources.map(async (source) => {
    if (!source.ok || source.body === null) return;
    const reader = source.body.getReader();
    let pending = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      pending += decoder.decode(value, { stream: true });
      const end = pending.lastIndexOf("\n\n");
      if (end < 0) continue;
      const events = pending.slice(0, end + 2);
      pending = pending.slice(end + 2);
      // The stores' own open comments stay out: the client got one already.
      const forwarded = events.split("\n\n").filter((event) => event !== "" && !event.startsWith(":")).map((event) => `${event}\n\n`).join("");
      if (forwarded !== "") await writer.write(encoder.encode(forwarded));
    }
  });
  // When the client goes away the writes fail; cancel every source so their stores forget the tail.
  Promise.all(pumps).catch(() => undefined).finally(() => {
    for (const source of sources) source.body?.cancel().catch(() => undefined);
    writer.close().catch(() => undefined);
  });
  return new Response(readable, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
}
