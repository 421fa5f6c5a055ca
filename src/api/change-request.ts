// Parsing the change stream's query parameters: `after` (a seq), `limit` and `wait` (seconds). Every refusal is
// invalid_request naming its field.

import { MAX_CHANGES_PER_READ } from "../database/change-log.ts";
import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_WAIT_SECONDS } from "../database/change-stream.ts";
import { InvalidRequestError } from "./errors.ts";

export interface ChangeQuery {
  after: number;
  limit: number;
  waitMs: number;
}

/** `?after=` a seq (default 0: from the start of the log). */
export function parseAfter(after: string | undefined): number {
  if (after === undefined || after === "") return 0;
  if (!/^\d{1,15}$/.test(after)) throw InvalidRequestError.of("after", "must be a sequence number: an integer of 0 or more");
  return Number(after);
}

/** `?after=&limit=&wait=` of GET .../changes. */
export function parseChangeQuery(query: { after?: string; limit?: string; wait?: string }): ChangeQuery {
  let limit = DEFAULT_CHANGES_LIMIT;
  if (query.limit !== undefined) {
    if (!/^\d{1,7}$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > MAX_CHANGES_PER_READ) {
      throw InvalidRequestError.of("limit", `must be an integer from 1 to ${MAX_CHANGES_PER_READ}`);
    }
    limit = Number(query.limit);
  }
  let waitMs = 0;
  if (query.wait !== undefined) {
    if (!/^\d{1,3}(\.\d{1,3})?$/.test(query.wait) || Number(query.wait) > MAX_CHANGES_WAIT_SECONDS) {
      throw InvalidRequestError.of("wait", `must be a number of seconds from 0 to ${MAX_CHANGES_WAIT_SECONDS}`);
    }
    waitMs = Math.round(Number(query.wait) * 1000);
  }
  return { after: parseAfter(query.after), limit, waitMs };
}
