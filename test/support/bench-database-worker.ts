// Benchmark-only Worker entry (scripts/bench-database.mjs starts it through startLocalRuntime's `main` option):
// the runtime exactly as src/index.ts exports it, except that DatabaseObject gains `benchExec`, which runs one
// statement k times with plain `sql.exec` inside the object, and the Worker answers
// POST /__bench/sql-exec?db=&k= with it. That is the honest baseline of a guest's db_query: the same statement on
// the same object, with no sandbox, no host call, no JSON. Timed from outside as t(k) - t(0), since a Worker's
// clock does not advance during synchronous code. Never part of the production bundle.

import { DatabaseObject as RuntimeDatabaseObject } from "../../src/database/index.ts";
import type { Env } from "../../src/env.ts";
import runtime from "../../src/index.ts";
import { databaseObjectName } from "../../src/runtime/index.ts";

export * from "../../src/index.ts";

export class DatabaseObject extends RuntimeDatabaseObject {
  /** Runs `sql` k times, reading every row (as db_query does); returns the rows read in all. */
  async benchExec(sql: string, k: number): Promise<number> {
    let rows = 0;
    for (let i = 0; i < k; i++) rows += this.ctx.storage.sql.exec(sql).toArray().length;
    return rows;
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== "/__bench/sql-exec") return runtime.fetch(request, env, ctx);
    const db = url.searchParams.get("db") ?? "";
    const k = Number(url.searchParams.get("k") ?? "0");
    const stub = env.DATABASE.get(env.DATABASE.idFromName(databaseObjectName("wnam", db))) as unknown as DurableObjectStub<DatabaseObject>;
    return Response.json({ rows: await stub.benchExec(await request.text(), k) });
  },
} satisfies ExportedHandler<Env>;
