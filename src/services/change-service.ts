// The change stream as the HTTP API sees it: GET .../changes (at once or as a long poll). The database object does
// the reading (src/database/change-stream.ts); this turns its answers into the catalogued errors.

import type { ChangeEntry } from "../database/change-log.ts";
import type { ChangeRead } from "../database/change-stream.ts";
import type { Env } from "../env.ts";
import { databaseIn } from "./database-service.ts";
import { CursorAheadError, CursorExpiredError, UnknownDatabaseError } from "./errors.ts";

export interface ChangePage {
  changes: ChangeEntry[];
  headSeq: number;
}

/** The entries after `after` (long-polling up to `waitMs` when there are none yet). */
export async function readChanges(env: Env, region: string, db: string, after: number, limit: number, waitMs: number): Promise<ChangePage> {
  const read = await databaseIn(env, region, db).changes(after, limit, waitMs);
  return unwrapChangeRead(read, region, db, after);
}

/** A read's answer, or the catalogued error it stands for. */
export function unwrapChangeRead(read: ChangeRead, region: string, db: string, after: number): ChangePage {
  if (read.ok) return { changes: read.changes, headSeq: read.headSeq };
  switch (read.code) {
    case "unknown_database":
      throw new UnknownDatabaseError(region, db);
    case "cursor_expired":
      throw new CursorExpiredError(after, read.earliestSeq, read.headSeq);
    case "cursor_ahead":
      throw new CursorAheadError(after, read.headSeq);
  }
}
