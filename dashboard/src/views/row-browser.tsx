// One table's rows in key order, a page at a time (GET .../tables/:table/rows?limit=&cursor=, keyset cursors):
// next page from the answer's nextCursor, back through the cursors seen.

import { useState } from "preact/hooks";
import { ok } from "../api.ts";
import { ErrorBox } from "../components/error-box.tsx";
import { useSession } from "../session-context.ts";
import { useLoad } from "../use-load.ts";
import { ResultTable } from "./result-table.tsx";

const PAGE_ROWS = 25;

export function RowBrowser({ region, db, table }: { region: string; db: string; table: string }) {
  const { api } = useSession();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () => ok(api.v1.regions[":region"].databases[":db"].tables[":table"].rows.$get({ param: { region, db, table }, query: { limit: String(PAGE_ROWS), ...(cursor ? { cursor } : {}) } })),
    [region, db, table, cursor],
  );
  const rows = (page.data?.rows ?? []) as Record<string, unknown>[];
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <section class="rows" aria-label={`Rows of ${table}`}>
      <h4>Rows of <code>{table}</code> <span class="muted">page {cursors.length}</span></h4>
      <ErrorBox error={page.error} />
      {page.data && (rows.length === 0 ? <p class="muted">No rows.</p> : <ResultTable columns={columns} rows={rows.map((r) => columns.map((c) => r[c]))} label={`Rows of ${table}`} />)}
      <div class="inline-form">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>Previous page</button>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => setCursors((c) => [...c, page.data!.nextCursor!])}>Next page</button>
      </div>
    </section>
  );
}
