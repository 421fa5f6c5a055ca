// The request id every invocation answers with (x-helios-request-id): the caller's own when it sent a valid one, so
// a caller can follow its request through the logs, else a fresh one. It travels down the call chain to edge_invoke
// callees, whose logs carry it too.

export const REQUEST_ID_HEADER = "x-helios-request-id";

/** What a caller's id may look like: 1 to 128 of [A-Za-z0-9._:-] (a UUID, a trace id, a ULID all fit). */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when it is valid; otherwise (absent, too long, other characters) a new random UUID. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming !== null && incoming !== undefined && VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}
