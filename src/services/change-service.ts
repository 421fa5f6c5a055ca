// The change stream as the HTTP API sees it: GET .../changes (at once or as a long poll) and the WebSocket tail. The database object does
// the reading (src/database/change-stream.ts); this turns its answers into the catalogued errors.

import type { ChangeEntry } from "../database/change-log.ts";
import type { ChangeRead } from "../database/change-stream.ts";
import type { TailOpen } from "../database/change-tail.ts";
import type { Env } from "../env.ts";
import { databaseIn } from "./database-service.ts";
import { CursorAheadError, CursorExpiredError, TooManyChangeTailsError, UnknownDatabaseError } from "./errors.ts";

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

/**
 * Opens a WebSocket tail from `after`: the database object accepts the upgrade request (its 101 answer is passed
 * on as it is) or refuses it with a JSON refusal, raised here as its catalogued error.
 */
export async function openChangeTail(env: Env, region: string, db: string, after: number, upgrade: Request): Promise<Response> {
  const url = new URL(upgrade.url);
  url.search = `?after=${after}`;
  const response = await databaseIn(env, region, db).fetch(new Request(url, upgrade));
  if (response.status === 101) return response;
  const refusal = (await response.json()) as Extract<TailOpen, { ok: false }>["refusal"];
  if (!refusal.ok && refusal.code === "too_many_tails") throw new TooManyChangeTailsError(db, refusal.max);
  unwrapChangeRead(refusal as ChangeRead, region, db, after);
  throw new Error(`the database object refused a change tail with ${response.status}`);
}
