// Every function's metrics (over one window) in the Prometheus text exposition format, version 0.0.4. The values
// describe the window, not the process's lifetime, so every family is a gauge (a window's count can go down) with
// the window in a `window_minutes` label; percentiles are `quantile` labels as a summary would have them.

import type { FunctionMetrics } from "./observation-service.ts";

interface Family {
  name: string;
  help: string;
}

const FAMILIES = {
  invocations: { name: "helios_invocations", help: "Invocations in the window." },
  errors: { name: "helios_invocation_errors", help: "Failed invocations in the window, by error code." },
  fuel: { name: "helios_fuel_used", help: "Fuel used per invocation: p50, p95, p99 (upper bound of the histogram bin)." },
  duration: { name: "helios_duration_ms", help: "Invocation duration in milliseconds: p50, p95, p99 (upper bound of the histogram bin)." },
  bytesIn: { name: "helios_bytes_in", help: "Request payload bytes in the window." },
  bytesOut: { name: "helios_bytes_out", help: "Response bytes in the window." },
  hostCalls: { name: "helios_host_calls", help: "Host calls in the window, by host function." },
} satisfies Record<string, Family>;

function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `{${parts.join(",")}}`;
}

export function prometheusText(all: FunctionMetrics[]): string {
  const lines = new Map<Family, string[]>(Object.values(FAMILIES).map((family) => [family, []]));
  const add = (family: Family, values: Record<string, string>, value: number) => lines.get(family)!.push(`${family.name}${labels(values)} ${value}`);
  for (const metrics of all) {
    for (const [region, summary] of Object.entries(metrics.regions)) {
      const base = { function: metrics.function, region, window_minutes: String(metrics.windowMinutes) };
      add(FAMILIES.invocations, base, summary.invocations);
      for (const [code, count] of Object.entries(summary.errors)) add(FAMILIES.errors, { ...base, code }, count);
      for (const [q, key] of [["0.5", "p50"], ["0.95", "p95"], ["0.99", "p99"]] as const) {
        add(FAMILIES.fuel, { ...base, quantile: q }, summary.fuel[key]);
        add(FAMILIES.duration, { ...base, quantile: q }, summary.durationMs[key]);
      }
      add(FAMILIES.bytesIn, base, summary.bytesIn);
      add(FAMILIES.bytesOut, base, summary.bytesOut);
      for (const [name, count] of Object.entries(summary.hostCalls)) add(FAMILIES.hostCalls, { ...base, host_function: name }, count);
    }
  }
  let text = "";
  for (const [family, samples] of lines) text += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n${samples.map((s) => `${s}\n`).join("")}`;
  return text;
}
