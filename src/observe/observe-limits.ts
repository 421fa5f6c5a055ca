// Bounds of the per-function-and-region observation store (docs/limits.md, "Logs and metrics").

/** Log lines kept per function and region: the oldest go first. */
export const MAX_STORED_LOG_LINES = 5_000;
/** Log lines older than this are pruned on the next write. */
export const LOG_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Per-minute metric buckets kept: 24 hours. */
export const METRICS_RETENTION_MINUTES = 24 * 60;
/** The window GET .../metrics and GET /metrics summarize unless asked otherwise (?window=, in minutes). */
export const DEFAULT_METRICS_WINDOW_MINUTES = 60;
/** Most lines one GET .../logs answers (?limit=), and its default. */
export const MAX_LOG_QUERY_LIMIT = 1_000;
export const DEFAULT_LOG_QUERY_LIMIT = 100;
/** Live tails one function-and-region store serves at once; a further one is refused (tail_limit_exceeded). */
export const MAX_TAILS_PER_STORE = 16;
/** Records one isolate buffers before a flush; further ones are dropped (and counted) until it flushes. */
export const MAX_BUFFERED_RECORDS = 1_000;
/** How long the isolate gathers records into one batch per store before it flushes them. */
export const FLUSH_DELAY_MS = 50;
