// The SQL console: one statement with bound parameters (a JSON array) through POST .../databases/:db/sql; shows the
// columns and rows, rows read and written, and the API's error (code and message) for a refused statement.

import { useState } from "preact/hooks";
import { ApiError, ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";
import { ResultTable } from "./result-table.tsx";

interface SqlAnswer {
  columns: string[];
  rows: unknown[][];
  rowsRead: number;
  rowsWritten: number;
  lastRowId?: number | null;
}

export function SqlConsole({ region, db, onWrite }: { region: string; db: string; onWrite(): void }) {
  const { api } = useSession();
  const [sql, setSql] = useState("SELECT name FROM sqlite_master WHERE type = 'table'");
  const [params, setParams] = useState("[]");
  const [answer, setAnswer] = useState<SqlAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function run(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let bound: unknown;
      try {
        bound = JSON.parse(params || "[]");
      } catch {
        throw new ApiError("invalid_params", "the parameters must be a JSON array, e.g. [\"A1\", 2]", 0);
      }
      const result = (await ok(api.v1.regions[":region"].databases[":db"].sql.$post({ param: { region, db }, json: { sql, params: bound as never } }))) as unknown as SqlAnswer;
      setAnswer(result);
      if (result.rowsWritten > 0) onWrite();
    } catch (e) {
      setAnswer(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="sql" aria-labelledby="sql-title">
      <h4 id="sql-title">SQL console</h4>
      <form class="playground" onSubmit={run}>
        <label for="sql-text">Statement</label>
        <textarea id="sql-text" class="mono" rows={4} value={sql} onInput={(e) => setSql(e.currentTarget.value)} />
        <label for="sql-params">Parameters (JSON array, bound to ?)</label>
        <input id="sql-params" class="mono" value={params} onInput={(e) => setParams(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? "Running…" : "Run"}</button>
      </form>
      <ErrorBox error={error} />
      {answer && (
        <div class="sql-answer">
          <p class="muted" data-sql-stats>{answer.rows.length} rows · {answer.rowsRead} read · {answer.rowsWritten} written</p>
          {answer.columns.length > 0 && <ResultTable columns={answer.columns} rows={answer.rows} label="Query result" />}
        </div>
      )}
    </section>
  );
}
