// Subscriptions of a database (its change log delivered to functions): each one's state, cursor, head and lag; for
// one, its lag over time (sampled every few seconds while the view is open: the API answers the current lag) and
// its dead letters, each replayed or discarded behind a confirmation.

import { useEffect, useState } from "preact/hooks";
import { ok } from "../api.ts";
import { type ChartSeries, Chart } from "../components/chart.tsx";
import { type ConfirmRequest, ConfirmDialog } from "../components/confirm.tsx";
import { ErrorBox } from "../components/error-box.tsx";
import { href } from "../route.ts";
import { useSession } from "../session-context.ts";
import { type DbRef, discardDeadLetter, getSubscription, listDeadLetters, listSubscriptions, replayDeadLetter, type SubscriptionView } from "../subscriptions-api.ts";
import { useLoad } from "../use-load.ts";

const SAMPLE_MS = 3_000;
/** Lag samples kept on the chart: 20 minutes at one every 3 s. */
const MAX_SAMPLES = 400;

export function Subscriptions({ region, db, name }: { region?: string; db?: string; name?: string }) {
  const { api } = useSession();
  const regions = useLoad(() => ok(api.v1.regions.$get()), []);
  const chosen = region ?? regions.data?.default;
  const dbs = useLoad(async () => (chosen ? ok(api.v1.regions[":region"].databases.$get({ param: { region: chosen } })) : null), [chosen]);
  return (
    <section aria-labelledby="subscriptions-title">
      <div class="view-head"><h2 id="subscriptions-title">Subscriptions</h2></div>
      <ErrorBox error={regions.error ?? dbs.error} />
      <div class="inline-form">
        <label for="sub-region">Region</label>
        <select id="sub-region" value={chosen} onChange={(e) => (location.hash = href("subscriptions", e.currentTarget.value))}>
          {regions.data?.regions.map((r) => <option key={r.name} value={r.name}>{r.name}</option>)}
        </select>
        <label for="sub-db">Database</label>
        <select id="sub-db" value={db ?? ""} onChange={(e) => (location.hash = href("subscriptions", chosen!, e.currentTarget.value))}>
          <option value="">Choose…</option>
          {dbs.data?.databases.map((d) => <option key={d.name} value={d.name}>{d.name}</option>)}
        </select>
      </div>
      {chosen && db && <SubscriptionList at={{ region: chosen, db }} selected={name} />}
      {chosen && db && name && <SubscriptionDetail at={{ region: chosen, db }} name={name} />}
    </section>
  );
}

function SubscriptionList({ at, selected }: { at: DbRef; selected?: string }) {
  const { api } = useSession();
  const list = useLoad(() => listSubscriptions(api, at), [at.region, at.db]);
  return (
    <>
      <ErrorBox error={list.error} />
      {list.data && (list.data.subscriptions.length === 0 ? <p class="muted">No subscriptions on {at.db}.</p> : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Subscriptions of {at.db}</caption>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Function</th><th scope="col">State</th><th scope="col" class="num">Cursor</th><th scope="col" class="num">Head</th><th scope="col" class="num">Lag</th><th scope="col" class="num">Dead letters</th><th scope="col">Last error</th></tr>
            </thead>
            <tbody>
              {list.data.subscriptions.map((s) => (
                <tr key={s.name} data-subscription={s.name} aria-current={s.name === selected ? "true" : undefined}>
                  <th scope="row"><a href={href("subscriptions", at.region, at.db, s.name)}>{s.name}</a></th>
                  <td><a href={href("functions", s.function)}>{s.function}</a></td>
                  <td>{s.state}{s.pausedReason ? ` (${s.pausedReason})` : ""}</td>
                  <td class="num">{s.cursor}</td>
                  <td class="num">{s.headSeq}</td>
                  <td class="num" data-cell="lag">{s.lag}</td>
                  <td class="num" data-cell="dead-letters">{s.deadLetters}</td>
                  <td>{s.lastError ? <><code>{s.lastError.code}</code> {s.lastError.message}</> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

function SubscriptionDetail({ at, name }: { at: DbRef; name: string }) {
  const { api } = useSession();
  const [samples, setSamples] = useState<{ at: number; lag: number; view: SubscriptionView }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const letters = useLoad(() => listDeadLetters(api, at, name), [at.region, at.db, name]);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    let current = true;
    setSamples([]);
    const poll = async () => {
      try {
        const view = await getSubscription(api, at, name);
        if (current) setSamples((s) => [...s, { at: Date.now(), lag: view.lag, view }].slice(-MAX_SAMPLES));
        setError(null);
      } catch (e) {
        if (current) setError(e);
      }
    };
    void poll();
    const timer = setInterval(poll, SAMPLE_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [at.region, at.db, name]);

  const act = (id: string, verb: "Replay" | "Discard") =>
    setConfirm({
      title: `${verb} dead letter ${id}?`,
      detail: verb === "Replay" ? `Its change is delivered to the subscription's function again.` : `Its change is dropped for good: the function never sees it.`,
      action: `${verb} ${id}`,
      run: async () => {
        setError(null);
        try {
          if (verb === "Replay") await replayDeadLetter(api, at, name, id);
          else await discardDeadLetter(api, at, name, id);
          setNotice(verb === "Replay" ? `Dead letter ${id} queued for replay.` : `Dead letter ${id} discarded.`);
          letters.reload();
        } catch (e) {
          setError(e);
        }
      },
    });

  const last = samples[samples.length - 1]?.view;
  const lag: ChartSeries[] = [{ label: "lag (changes)", values: samples.map((s) => s.lag) }];
  return (
    <div class="subscription">
      <h3>{name}</h3>
      <ErrorBox error={error} />
      {notice && <p class="notice" role="status">{notice}</p>}
      {last && (
        <dl class="settings">
          {([
            ["State", last.state],
            ["Cursor", String(last.cursor)],
            ["Head", String(last.headSeq)],
            ["Lag", String(last.lag)],
            ["Oldest undelivered", last.oldestUndeliveredAge === null ? "—" : `${Math.round(last.oldestUndeliveredAge / 1000)} s`],
            ["Tables", last.tables === null ? "all" : last.tables.join(", ")],
            ["Events", last.events.join(", ")],
            ["On failure", `${last.onFailure} after ${last.maxAttempts} attempts`],
          ] as const).map(([k, v]) => <div key={k}><dt>{k}</dt><dd data-field={k}>{v}</dd></div>)}
        </dl>
      )}
      {samples.length > 1 && <Chart title="Lag while this view is open" times={samples.map((s) => s.at)} series={lag} unit="" />}
      <h4>Dead letters</h4>
      <ErrorBox error={letters.error} />
      {letters.data && (letters.data.deadLetters.length === 0 ? <p class="muted">No dead letters.</p> : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Dead letters of {name}</caption>
            <thead><tr><th scope="col">Id</th><th scope="col" class="num">Seq</th><th scope="col">Change</th><th scope="col">Error</th><th scope="col" class="num">Attempts</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {letters.data.deadLetters.map((d) => (
                <tr key={d.id} data-dead-letter={d.id}>
                  <th scope="row">{d.id}</th>
                  <td class="num">{d.seq}</td>
                  <td><code class="change">{JSON.stringify(d.change)}</code></td>
                  <td><code>{d.error.code}</code> {d.error.message}</td>
                  <td class="num">{d.attempts}</td>
                  <td class="actions-cell">
                    {d.state === "replaying" ? <span class="muted">replaying</span> : (
                      <>
                        <button type="button" onClick={() => act(d.id, "Replay")}>Replay {d.id}</button>{" "}
                        <button type="button" class="danger" onClick={() => act(d.id, "Discard")}>Discard {d.id}</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <button type="button" onClick={letters.reload}>Refresh dead letters</button>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </div>
  );
}
