// One function: its tabs (overview with versions and aliases, metrics, logs, invoke), each its own URL fragment.

import { ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";
import { useLoad } from "../use-load.ts";
import { FunctionInvoke } from "./function-invoke.tsx";
import { FunctionLogs } from "./function-logs.tsx";
import { FunctionMetricsView } from "./function-metrics.tsx";
import { FunctionOverview } from "./function-overview.tsx";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "metrics", label: "Metrics" },
  { id: "logs", label: "Logs" },
  { id: "invoke", label: "Invoke" },
] as const;

export function FunctionPage({ name, tab }: { name: string; tab: string }) {
  const { api } = useSession();
  const fn = useLoad(() => ok(api.v1.functions[":name"].$get({ param: { name } })), [name]);
  const current = TABS.find((t) => t.id === tab)?.id ?? "overview";
  return (
    <section aria-labelledby="function-title">
      <p class="crumbs"><a href={href("functions")}>Functions</a> /</p>
      <div class="view-head">
        <h2 id="function-title">{name}</h2>
        {fn.data && <span class="muted">v{fn.data.function.version} · {fn.data.function.regions.join(", ")}</span>}
      </div>
      <nav aria-label="Function" class="tabs">
        <ul>
          {TABS.map((t) => (
            <li key={t.id}><a href={href("functions", name, t.id)} aria-current={current === t.id ? "page" : undefined}>{t.label}</a></li>
          ))}
        </ul>
      </nav>
      <ErrorBox error={fn.error} />
      {current === "overview" && fn.data && <FunctionOverview name={name} current={fn.data.function} onChange={fn.reload} />}
      {current === "metrics" && <FunctionMetricsView name={name} />}
      {current === "logs" && <FunctionLogs name={name} />}
      {current === "invoke" && <FunctionInvoke name={name} />}
    </section>
  );
}
