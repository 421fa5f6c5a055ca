// A function's current settings, its versions with all their settings and what each serves, rollback to any
// other version, and its aliases (set, delete): every change behind a confirmation, made through the API.

import { useState } from "preact/hooks";
import { ok } from "../api.ts";
import { type ConfirmRequest, ConfirmDialog } from "../components/confirm.tsx";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";
import { useLoad } from "../use-load.ts";

interface Share {
  version: number;
  percent: number;
}
interface VersionView {
  version: number;
  sha256: string;
  regions: string[];
  profile: string[];
  limits: Record<string, number>;
  config: Record<string, string>;
  private: boolean;
  database?: string;
  allowedHosts?: string[];
  secrets: string[];
  deployedAt: string;
}

/** What a version serves in the deployment: "default", "default 90%", "@beta". */
function serves(version: number, routes: { default: Share[]; aliases: Record<string, Share[]> } | null): string[] {
  if (routes === null) return [];
  const label = (shares: Share[], name: string) => {
    const share = shares.find((s) => s.version === version);
    return share === undefined ? null : share.percent === 100 ? name : `${name} ${share.percent}%`;
  };
  return [label(routes.default, "default"), ...Object.entries(routes.aliases).map(([alias, shares]) => label(shares, `@${alias}`))].filter((s): s is string => s !== null);
}

export function FunctionOverview({ name, current, onChange }: { name: string; current: VersionView; onChange(): void }) {
  const { api } = useSession();
  const versions = useLoad(() => ok(api.v1.functions[":name"].versions.$get({ param: { name }, query: { limit: "20" } })), [name]);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");

  const act = (request: Omit<ConfirmRequest, "run">, run: () => Promise<string>) =>
    setConfirm({
      ...request,
      run: async () => {
        setActionError(null);
        try {
          setNotice(await run());
          versions.reload();
          onChange();
        } catch (e) {
          setActionError(e);
        }
      },
    });

  const rollback = (version: number) =>
    act({ title: `Roll back ${name} to v${version}?`, detail: `A new deployment: v${version} serves all of ${name}'s default traffic in every region it is deployed to. Nothing is uploaded.`, action: `Roll back to v${version}` }, async () => {
      const result = await ok(api.v1.functions[":name"].rollback.$post({ param: { name }, json: { version } }));
      return `Rolled back: v${result.function.version} now serves (deployment ${result.deployment.seq}).`;
    });

  const routes = versions.data?.deployment.routes ?? null;
  return (
    <div class="overview">
      <ErrorBox error={actionError} />
      {notice && <p class="notice" role="status">{notice}</p>}
      <h3>Current version: v{current.version}</h3>
      <Settings version={current} />
      <h3>Versions</h3>
      <ErrorBox error={versions.error} />
      {versions.data && (
        <div class="table-wrap">
          <table class="versions">
            <thead>
              <tr><th scope="col">Version</th><th scope="col">Serves</th><th scope="col">Deployed</th><th scope="col">Settings</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {versions.data.versions.map((v) => {
                const what = serves(v.version, routes);
                return (
                  <tr key={v.version} data-version={v.version}>
                    <th scope="row">v{v.version}</th>
                    <td data-cell="serves">{what.join(", ") || "—"}</td>
                    <td><time dateTime={v.deployedAt}>{new Date(v.deployedAt).toLocaleString()}</time></td>
                    <td class="settings-cell">{v.profile.join(", ")} · fuel {v.limits.fuel.toLocaleString()} · {v.private ? "private" : "public"} · <code title={v.sha256}>{v.sha256.slice(0, 12)}</code></td>
                    <td>{!what.includes("default") && <button type="button" onClick={() => rollback(v.version)}>Roll back to v{v.version}</button>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Aliases name={name} aliases={routes?.aliases ?? {}} act={act} />
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </div>
  );
}

function Settings({ version }: { version: VersionView }) {
  const rows: [string, string][] = [
    ["Regions", version.regions.join(", ")],
    ["Profile", version.profile.join(", ")],
    ["Private", version.private ? "yes" : "no"],
    ["Limits", Object.entries(version.limits).map(([k, v]) => `${k} ${v.toLocaleString()}`).join(" · ")],
    ["Database", version.database ?? "—"],
    ["Allowed hosts", (version.allowedHosts ?? []).join(", ") || "—"],
    ["Config", Object.entries(version.config).map(([k, v]) => `${k}=${v}`).join(" · ") || "—"],
    ["Secrets", version.secrets.join(", ") || "—"],
    ["sha256", version.sha256],
    ["Deployed", new Date(version.deployedAt).toLocaleString()],
  ];
  return (
    <dl class="settings">
      {rows.map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
      ))}
    </dl>
  );
}

function Aliases({ name, aliases, act }: { name: string; aliases: Record<string, Share[]>; act(r: Omit<ConfirmRequest, "run">, run: () => Promise<string>): void }) {
  const { api } = useSession();
  const [alias, setAlias] = useState("");
  const [version, setVersion] = useState("");
  const describe = (shares: Share[]) => shares.map((s) => (s.percent === 100 ? `v${s.version}` : `v${s.version} ${s.percent}%`)).join(", ");

  const submit = (event: Event) => {
    event.preventDefault();
    const v = Number(version);
    act({ title: `Point @${alias} at v${v}?`, detail: `${name}@${alias} will serve v${v} (a new deployment).`, action: `Set @${alias}` }, async () => {
      await ok(api.v1.functions[":name"].aliases[":alias"].$put({ param: { name, alias }, json: { version: v } }));
      return `@${alias} now serves v${v}.`;
    });
  };
  const remove = (a: string) =>
    act({ title: `Delete @${a}?`, detail: `${name}@${a} will stop answering (a new deployment).`, action: `Delete @${a}` }, async () => {
      await ok(api.v1.functions[":name"].aliases[":alias"].$delete({ param: { name, alias: a } }));
      return `@${a} deleted.`;
    });

  return (
    <>
      <h3>Aliases</h3>
      {Object.keys(aliases).length === 0 ? <p class="muted">No aliases.</p> : (
        <ul class="aliases">
          {Object.entries(aliases).map(([a, shares]) => (
            <li key={a} data-alias={a}><code>{name}@{a}</code> → {describe(shares)} <button type="button" class="danger" onClick={() => remove(a)}>Delete @{a}</button></li>
          ))}
        </ul>
      )}
      <form class="inline-form" onSubmit={submit}>
        <label for="alias-name">Alias</label>
        <input id="alias-name" required value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
        <label for="alias-version">Version</label>
        <input id="alias-version" required type="number" min="1" value={version} onInput={(e) => setVersion(e.currentTarget.value)} />
        <button type="submit">Set alias</button>
      </form>
    </>
  );
}
