// Shapes of API answers the route declarations leave open (documented in the README's API table); type-only imports
// from the server, so nothing of it is bundled.

import type { FunctionMetrics, MetricsMinute } from "@helios/api/services/observation-service";
import type { MetricsSummary } from "@helios/api/observe/metrics-window";
import type { StoredLogLine } from "@helios/api/observe/stored-log";

export type { FunctionMetrics, MetricsMinute, MetricsSummary, StoredLogLine };

/** Failed invocations over all invocations, 0 when there were none. */
export function errorRate(summary: MetricsSummary): number {
  const errors = Object.values(summary.errors).reduce((a, b) => a + b, 0);
  return summary.invocations === 0 ? 0 : errors / summary.invocations;
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.01 ? 2 : 1)}%`;
}
