// A function's metrics over time (GET .../metrics/series, minute by minute): invocations, errors by code, and fuel
// and duration percentiles, charted with uPlot; the window and region are chosen here.

import { useMemo, useState } from "preact/hooks";
import { ok } from "../api.ts";
import { type ChartSeries, Chart } from "../components/chart.tsx";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";
import type { MetricsMinute } from "../types.ts";
import { useLoad } from "../use-load.ts";

const WINDOWS = [15, 60, 360, 1440];

export function FunctionMetricsView({ name }: { name: string }) {
  const { api } = useSession();
  const [windowMinutes, setWindow] = useState(60);
  const series = useLoad(
    () => ok(api.v1.functions[":name"].metrics.series.$get({ param: { name }, query: { window: String(windowMinutes) } })),
    [name, windowMinutes],
  );
  const charts = useMemo(() => (series.data ? chartsOf(series.data.minutes as unknown as MetricsMinute[]) : null), [series.data]);
  return (
    <div class="metrics">
      <div class="inline-form">
        <label for="metrics-window">Window</label>
        <select id="metrics-window" value={windowMinutes} onChange={(e) => setWindow(Number(e.currentTarget.value))}>
          {WINDOWS.map((w) => <option key={w} value={w}>{w < 60 ? `${w} minutes` : `${w / 60} hour${w === 60 ? "" : "s"}`}</option>)}
        </select>
        <button type="button" onClick={series.reload}>Refresh</button>
      </div>
      <ErrorBox error={series.error} />
      {charts && (
        <>
          <p class="muted" data-total-invocations={charts.total}>{charts.total} invocations in the window.</p>
          <div class="charts">
            <Chart title="Invocations per minute" times={charts.times} series={charts.invocations} unit="" />
            <Chart title="Errors per minute by code" times={charts.times} series={charts.errors} unit="" />
            <Chart title="Fuel used (percentiles)" times={charts.times} series={charts.fuel} unit="" />
            <Chart title="Duration (percentiles)" times={charts.times} series={charts.duration} unit=" ms" />
          </div>
        </>
      )}
    </div>
  );
}

function chartsOf(minutes: MetricsMinute[]) {
  const times = minutes.map((m) => m.at);
  const codes = [...new Set(minutes.flatMap((m) => Object.keys(m.errors)))].sort();
  // Percentiles of a minute without invocations are not zero but absent: a gap, not a dip.
  const pct = (pick: (m: MetricsMinute) => { p50: number; p95: number; p99: number }): ChartSeries[] =>
    (["p50", "p95", "p99"] as const).map((q) => ({ label: q, values: minutes.map((m) => (m.invocations === 0 ? null : pick(m)[q])) }));
  return {
    times,
    total: minutes.reduce((sum, m) => sum + m.invocations, 0),
    invocations: [{ label: "invocations", values: minutes.map((m) => m.invocations) }],
    errors: codes.length === 0 ? [{ label: "errors", values: minutes.map(() => 0) }] : codes.map((code) => ({ label: code, values: minutes.map((m) => m.errors[code] ?? 0) })),
    fuel: pct((m) => m.fuel),
    duration: pct((m) => m.durationMs),
  };
}
