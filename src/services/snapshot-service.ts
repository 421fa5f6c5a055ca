// GET .../tables/:table/snapshot: a table's rows in key order, one keyset page at a time, with the seq of the change
// log they are consistent with (src/database/snapshot.ts). The page cursor carries the first page's seq.

import { decodeCursor, encodeCursor, keyShape, pageStatement, type SqlParam } from "../database/index.ts";
import type { SnapshotRead } from "../database/snapshot.ts";
import type { Env } from "../env.ts";
import { unwrapChangeRead } from "./change-service.ts";
import { databaseIn } from "./database-service.ts";
import { InvalidKeyError, UnknownDatabaseError, UnknownTableError } from "./errors.ts";
import { rowObjects, unwrapSql } from "./sql-outcome.ts";

export interface SnapshotPage {
  rows: Record<string, unknown>[];
  nextCursor: string | null;
  /** Follow GET .../changes?after=seq from here: every change after the snapshot. */
  seq: number;
}

const SNAPSHOT_CURSOR = /^(\d{1,15})\.([A-Za-z0-9_-]{1,8192})$/;

export async function snapshotTable(
  env: Env, region: string, db: string, tableName: string, options: { limit: number; cursor: string | null },
): Promise<SnapshotPage> {
  const stub = databaseIn(env, region, db);
  const lookup = await stub.tableInfo(tableName);
  if (!lookup.database) throw new UnknownDatabaseError(region, db);
  const table = lookup.table;
  if (table === null) throw new UnknownTableError(db, tableName);
  const keys = keyShape(table).columns;
  let seq: number | null = null;
  let after: SqlParam[] | null = null;
  if (options.cursor !== null) {
    const match = SNAPSHOT_CURSOR.exec(options.cursor);
    after = match === null ? null : decodeCursor(match[2]);
    if (match === null || after === null || after.length !== keys.length) {
      throw new InvalidKeyError(table.name, options.cursor, `not a snapshot cursor of "${table.name}"`);
    }
    seq = Number(match[1]);
  }
  // One row more than asked tells whether another page follows.
  const statement = pageStatement(table, after, options.limit + 1);
  // The RPC result type loses the union's narrowing (its members gain Disposable): named back here.
  const read = (await stub.snapshot(statement.sql, statement.params, seq)) as SnapshotRead | { ok: false; code: "unknown_database" };
  if (!read.ok) {
    if (read.code === "unknown_database") throw new UnknownDatabaseError(region, db);
    unwrapChangeRead(read, region, db, seq ?? 0);
    throw new Error("unreachable: a refused snapshot read");
  }
  const rows = rowObjects(unwrapSql(read.outcome));
  const more = rows.length > options.limit;
  const page = more ? rows.slice(0, options.limit) : rows;
  const last = page[page.length - 1];
  return { rows: page, nextCursor: more ? `${read.seq}.${encodeCursor(keys.map((k) => last[k]))}` : null, seq: read.seq };
}
