// Status codes host functions return to the guest. A host function never throws into the guest for bad input:
// it returns one of these (negative = refused, nothing changed). Documented in docs/abi.md ("Host functions").

import { HostErrorCode } from "./errors.ts";

/**
 * The memory-bridge codes (-1 to -10, HostErrorCode in errors.ts) plus the codes of the host calls that reach
 * beyond the instance (-11 and below). Appended, never renumbered.
 */
export const HostStatus = {
  ok: 0,
  ...HostErrorCode,
  /** The named thing does not exist: a config key, a function (in that region), a region. */
  notFound: -11,
  /** The capability does not reach it: an HTTP host not on the function's allow-list, a URL scheme other than http(s). */
  notPermitted: -12,
  /** edge_invoke: the call chain is already as deep as the limit allows. */
  callDepthExceeded: -13,
  /** edge_invoke: the callee is already on the call chain (A -> A, A -> B -> A). */
  callCycle: -14,
  /** The chain's deadline passed before or while the host call waited. */
  deadlineExceeded: -15,
  /** edge_invoke: the callee ran and failed (trap, its own fuel or memory limit, bad output). */
  calleeFailed: -16,
  /** http_fetch: the request could not be completed (connection, DNS, TLS, an unreadable response). */
  upstreamFailed: -17,
  /** db_query/db_execute: the statement is refused before it runs (a second statement, transaction control, ATTACH,
   *  PRAGMA, a reserved name, an empty statement); a message block says why. */
  sqlRefused: -18,
  /** db_query/db_execute: SQLite refused or failed the statement (syntax, constraint, no such table, ...); a message
   *  block carries SQLite's message. */
  sqlError: -19,
  /** db_query/db_execute: the result is over the row or byte cap; nothing was placed. */
  resultTooLarge: -20,
  /** db_query: the statement wrote (the engine said so; it was rolled back); a message block says so. */
  readOnly: -21,
  /** db_execute: a BEFORE trigger rejected the write (it was rolled back); a message block names the trigger. */
  triggerRejected: -22,
  /** edge_invoke from inside a procedure to a function that has a database: refused, since it could wait on a
   *  database lock this call chain holds. */
  wouldDeadlock: -23,
} as const;

export type HostStatusCode = (typeof HostStatus)[keyof typeof HostStatus];

/** Every negative code a host function may return, with its name: what the property test holds them to. */
export const HOST_ERROR_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(HostStatus)
    .filter(([, code]) => code < 0)
    .map(([name, code]) => [code, name]),
);
