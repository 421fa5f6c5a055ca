// Bounds of asynchronous invocations (docs/limits.md, "Asynchronous invocations").

/** Largest payload an asynchronous invocation queues (it is stored until it succeeds; a row holds at most 2 MB). */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;
/** Output bytes kept per result; a longer output is kept up to here and marked `outputTruncated`. */
export const MAX_ASYNC_RESULT_BYTES = 1024 * 1024;
/** How long a succeeded invocation's result can be read. */
export const RESULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long a dead-lettered invocation stays on its list (replayable) before it is dropped. */
export const DEAD_LETTER_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** An attempt still running after this long was lost (its object restarted) and is retried. */
export const ATTEMPT_LEASE_MS = 120_000;
/** Due invocations one alarm run starts at once. */
export const ALARM_BATCH = 16;
/** Entries one dead-letter listing returns per shard at most. */
export const MAX_LIST = 100;
