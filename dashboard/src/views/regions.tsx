// The configured regions (GET /v1/regions): which is the default and which is nearest to this browser, and per
// region the functions deployed there and its databases.

import { ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";
import { useLoad } from "../use-load.ts";

export function Regions() {
  const { api } = useSession();
  const data = useLoad(async () => {
    const [regions, functions] = await Promise.all([ok(api.v1.regions.$get()), ok(api.v1.functions.$get())]);
    const databases = await Promise.all(
      regions.regions.map((r) => ok(api.v1.regions[":region"].databases.$get({ param: { region: r.name } })).then((d) => d.databases.map((db) => db.name), () => null)),
    );
    return { ...regions, functions: functions.functions, databases };
  }, []);
  return (
    <section aria-labelledby="regions-title">
      <div class="view-head"><h2 id="regions-title">Regions</h2></div>
      <ErrorBox error={data.error} />
      {data.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr><th scope="col">Region</th><th scope="col">Role</th><th scope="col">Location</th><th scope="col" class="num">Functions</th><th scope="col">Databases</th></tr>
            </thead>
            <tbody>
              {data.data.regions.map((r, i) => {
                const deployed = data.data!.functions.filter((f) => f.regions.includes(r.name));
                const dbs = data.data!.databases[i];
                return (
                  <tr key={r.name} data-region={r.name}>
                    <th scope="row">{r.name}</th>
                    <td>{[r.default ? "default" : null, data.data!.nearest === r.name ? "nearest" : null].filter(Boolean).join(", ") || "—"}</td>
                    <td>{r.location ? `${r.location.latitude.toFixed(1)}, ${r.location.longitude.toFixed(1)}` : "—"}</td>
                    <td class="num" data-cell="functions">{deployed.length}</td>
                    <td>{dbs === null ? "—" : dbs.length === 0 ? "none" : dbs.map((db, j) => <>{j > 0 && ", "}<a href={href("databases", r.name, db)}>{db}</a></>)}</td>
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
