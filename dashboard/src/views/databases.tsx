// Databases: pick a region and a database (GET .../databases), then its tables with columns and row counts, size and
// triggers (GET .../databases/:db), a paginated row browser, and the SQL console.

import { useState } from "preact/hooks";
import { ok } from "../api.ts";
import { type ConfirmRequest, ConfirmDialog } from "../components/confirm.tsx";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";
import { useLoad } from "../use-load.ts";
import { RowBrowser } from "./row-browser.tsx";
import { SqlConsole } from "./sql-console.tsx";

export function Databases({ region, db }: { region?: string; db?: string }) {
  const { api } = useSession();
  const regions = useLoad(() => ok(api.v1.regions.$get()), []);
  const chosen = region ?? regions.data?.default;
  const list = useLoad(async () => (chosen ? ok(api.v1.regions[":region"].databases.$get({ param: { region: chosen } })) : null), [chosen]);
  return (
    <section aria-labelledby="databases-title">
      <div class="view-head"><h2 id="databases-title">Databases</h2></div>
      <ErrorBox error={regions.error ?? list.error} />
      <div class="inline-form">
        <label for="db-region">Region</label>
        <select id="db-region" value={chosen} onChange={(e) => (location.hash = href("databases", e.currentTarget.value))}>
          {regions.data?.regions.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
        </select>
        {list.data && (
          <nav aria-label="Databases in this region" class="db-list">
            {list.data.databases.length === 0 ? <span class="muted">No databases in {chosen}.</span> : list.data.databases.map((d) => (
              <a key={d.name} href={href("databases", chosen!, d.name)} aria-current={d.name === db ? "page" : undefined}>{d.name}</a>
            ))}
          </nav>
        )}
      </div>
      {chosen && db && <DatabaseView region={chosen} db={db} />}
    </section>
  );
}

function DatabaseView({ region, db }: { region: string; db: string }) {
  const { api } = useSession();
  const info = useLoad(() => ok(api.v1.regions[":region"].databases[":db"].$get({ param: { region, db } })), [region, db]);
  const [table, setTable] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [error, setError] = useState<unknown>(null);
  const removeTrigger = (name: string) =>
    setConfirm({
      title: `Remove trigger ${name}?`,
      detail: `Writes to its table in ${db} (${region}) will no longer call its function.`,
      action: `Remove ${name}`,
      run: async () => {
        setError(null);
        try {
          await ok(api.v1.regions[":region"].databases[":db"].triggers[":name"].$delete({ param: { region, db, name } }));
          info.reload();
        } catch (e) {
          setError(e);
        }
      },
    });
  const current = table ?? info.data?.database.tables[0]?.name ?? null;
  return (
    <div class="database">
      <ErrorBox error={info.error ?? error} />
      {info.data && (
        <>
          <h3>{db} <span class="muted">in {region} · {info.data.database.sizeBytes.toLocaleString()} bytes</span></h3>
          <div class="table-wrap">
            <table class="db-tables">
              <caption class="visually-hidden">Tables</caption>
              <thead><tr><th scope="col">Table</th><th scope="col">Columns</th><th scope="col" class="num">Rows</th></tr></thead>
              <tbody>
                {info.data.database.tables.map((t) => (
                  <tr key={t.name} data-table={t.name}>
                    <th scope="row"><button type="button" class="link" aria-pressed={t.name === current} onClick={() => setTable(t.name)}>{t.name}</button></th>
                    <td>{t.columns.map((c) => `${c.name}${c.type ? ` ${c.type}` : ""}${c.primaryKey ? " (key)" : ""}`).join(", ")}</td>
                    <td class="num">{t.rows}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h4>Triggers</h4>
          {info.data.database.triggers.length === 0 ? <p class="muted">No triggers.</p> : (
            <ul class="triggers">
              {info.data.database.triggers.map((t) => (
                <li key={t.name} data-trigger={t.name}>
                  <code>{t.name}</code>: {t.timing} {t.events.join("/")} on <code>{t.table}</code> → <a href={href("functions", t.function)}>{t.function}</a>{" "}
                  <button type="button" class="danger" onClick={() => removeTrigger(t.name)}>Remove {t.name}</button>
                </li>
              ))}
            </ul>
          )}
          {current && <RowBrowser key={current} region={region} db={db} table={current} />}
          <SqlConsole region={region} db={db} onWrite={info.reload} />
        </>
      )}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </div>
  );
}
