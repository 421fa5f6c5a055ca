// A function's log: the newest stored lines (GET .../logs), then new ones live (GET .../logs/tail, server-sent
// events read from a fetch so the token goes as a header), filtered by level on the server; reopened on a change.

import { useEffect, useState } from "preact/hooks";
import { errorOf, ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";
import { readEvents } from "../sse.ts";
import type { StoredLogLine } from "../types.ts";

const LEVELS = ["debug", "info", "warn", "error"] as const;
/** Lines kept on screen; older ones scroll away. */
const MAX_LINES = 500;

export function FunctionLogs({ name }: { name: string }) {
  const { api } = useSession();
  const [level, setLevel] = useState<(typeof LEVELS)[number]>("debug");
  const [lines, setLines] = useState<StoredLogLine[]>([]);
  const [live, setLive] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const abort = new AbortController();
    setLines([]);
    setError(null);
    setLive(false);
    const add = (more: StoredLogLine[]) => setLines((all) => [...all, ...more].slice(-MAX_LINES));
    (async () => {
      // The tail first, so no line stored between the two reads is missed; duplicates are dropped by id and region.
      const tail = await api.v1.functions[":name"].logs.tail.$get({ param: { name }, query: { level } }, { init: { signal: abort.signal } });
      if (!tail.ok) throw await errorOf(tail as unknown as Response);
      const recent = await ok(api.v1.functions[":name"].logs.$get({ param: { name }, query: { level, limit: "100" } }));
      const seen = new Set(recent.lines.map((l) => `${l.region}/${l.id}`));
      add(recent.lines as unknown as StoredLogLine[]);
      setLive(true);
      await readEvents(tail as unknown as Response, (type, data) => {
        if (type !== "log") return;
        const line = JSON.parse(data) as StoredLogLine;
        if (!seen.has(`${line.region}/${line.id}`)) add([line]);
      }, abort.signal);
      if (!abort.signal.aborted) setLive(false);
    })().catch((e) => {
      if (!abort.signal.aborted) {
        setError(e);
        setLive(false);
      }
    });
    return () => abort.abort();
  }, [name, level]);

  return (
    <div class="logs">
      <div class="inline-form">
        <label for="log-level">Level</label>
        <select id="log-level" value={level} onChange={(e) => setLevel(e.currentTarget.value as (typeof LEVELS)[number])}>
          {LEVELS.map((l) => <option key={l} value={l}>{l} and above</option>)}
        </select>
        <span class={live ? "live on" : "live"} role="status">{live ? "Live" : "Not connected"}</span>
      </div>
      <ErrorBox error={error} />
      <ol class="log-lines" aria-label="Log lines, oldest first" aria-live="polite">
        {lines.map((l) => (
          <li key={`${l.region}/${l.id}`} class={`log-line level-${l.level}`} data-level={l.level}>
            <time dateTime={new Date(l.at).toISOString()}>{new Date(l.at).toLocaleTimeString()}</time>
            <span class="log-level">{l.level}</span>
            <span class="log-meta">{l.region} v{l.version}</span>
            <span class="log-message">{l.message}</span>
          </li>
        ))}
      </ol>
      {lines.length === 0 && <p class="muted">No log lines yet.</p>}
    </div>
  );
}
