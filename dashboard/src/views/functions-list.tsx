// Every function the token may see: its current version, regions, profile, privacy, and the last hour's
// invocations and error rate (GET /v1/functions, then each one's GET .../metrics).

import { useEffect, useState } from "preact/hooks";
import { ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";
import { errorRate, type FunctionMetrics, percent } from "../types.ts";
import { useLoad } from "../use-load.ts";

const WINDOW_MINUTES = 60;

export function FunctionsList() {
  const { api } = useSession();
  const list = useLoad(() => ok(api.v1.functions.$get()), []);
  const [metrics, setMetrics] = useState<Record<string, FunctionMetrics | Error>>({});

  useEffect(() => {
    const functions = list.data?.functions ?? [];
    let current = true;
    for (const fn of functions) {
      ok(api.v1.functions[":name"].metrics.$get({ param: { name: fn.name }, query: { window: String(WINDOW_MINUTES) } }))
        .then((m) => m as unknown as FunctionMetrics, (e: Error) => e)
        .then((m) => current && setMetrics((all) => ({ ...all, [fn.name]: m })));
    }
    return () => {
      current = false;
    };
  }, [list.data]);

  return (
    <section aria-labelledby="functions-title">
      <div class="view-head">
        <h2 id="functions-title">Functions</h2>
        <button type="button" onClick={list.reload}>Refresh</button>
      </div>
      <ErrorBox error={list.error} />
      {list.data === undefined ? (
        list.loading && <p aria-busy="true">Loading functions…</p>
      ) : list.data.functions.length === 0 ? (
        <p>No functions yet. <a href={href("deploy")}>Deploy one</a>.</p>
      ) : (
        <div class="table-wrap">
          <table class="functions">
            <caption class="visually-hidden">Functions, with the last {WINDOW_MINUTES} minutes' invocations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col">Regions</th>
                <th scope="col">Profile</th>
                <th scope="col">Private</th>
                <th scope="col" class="num">Invocations ({WINDOW_MINUTES} min)</th>
                <th scope="col" class="num">Error rate</th>
              </tr>
            </thead>
            <tbody>
              {list.data.functions.map((fn) => {
                const m = metrics[fn.name];
                return (
                  <tr key={fn.name} data-function={fn.name}>
                    <th scope="row"><a href={href("functions", fn.name)}>{fn.name}</a></th>
                    <td>v{fn.version}{tagOf(fn) ? <span class="tag">{tagOf(fn)}</span> : null}</td>
                    <td>{fn.regions.join(", ")}</td>
                    <td>{fn.profile.join(", ")}</td>
                    <td>{fn.private ? "yes" : "no"}</td>
                    <td class="num" data-cell="invocations">{m === undefined ? "…" : m instanceof Error ? "—" : m.total.invocations}</td>
                    <td class="num" data-cell="error-rate">{m === undefined ? "…" : m instanceof Error ? "—" : percent(errorRate(m.total))}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The version's tag: in every answer, though the route's schema does not declare it. */
function tagOf(fn: object): string | undefined {
  return (fn as { tag?: string }).tag;
}
