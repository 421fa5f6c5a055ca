// A log line as the store keeps and answers it (GET /v1/functions/:name/logs, the tail's `log` events).

import type { LogLevel } from "../sandbox/index.ts";

export interface StoredLogLine {
  /** Increasing per function and region: a tail or a reader can tell lines apart and resume after one. */
  id: number;
  /** Epoch milliseconds of the invocation's end. */
  at: number;
  function: string;
  region: string;
  version: number;
  requestId: string;
  /** The invocation's outcome: "ok" or its error code. */
  outcome: string;
  level: LogLevel;
  message: string;
}

export interface LogQuery {
  /** Epoch milliseconds: lines at or after it, oldest first; absent: the newest `limit` lines. */
  since?: number;
  limit: number;
  /** Lines at this level or above. */
  level?: LogLevel;
}

export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };
