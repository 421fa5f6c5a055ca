// heliosdb_db_query (profile `database_read`) and heliosdb_db_execute (profile `database`): one SQL statement
// against the function's own database, in the region it runs in. SQL text and parameters (a JSON array) arrive
// separately and are bound by SQLite; nothing is ever built by concatenating strings. The sandbox checks what it
// can without the database (memory, UTF-8, caps, the parameters' shape); the parent (the database's object, through
// the host bridge) checks the statement itself, runs it, and answers the result as JSON, which lands in guest
// memory as one host-made block placed through the AllocationTracker.

import { HOST_MODULE } from "./guest-abi.ts";
import type { DbCallOutcome, DbParam, HostBridge } from "./host-bridge.ts";
import { billable, chargeHostCall, chargeHostCallRest, guarded, guardedAsync, HOST_CALL_BYTES_PER_FUEL, type HostContext } from "./host-call.ts";
import { type CallCounter, defineHostState, type HostCallPrice, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import type { CapabilityProfileName } from "./capabilities.ts";
import { HostStatus } from "./host-status.ts";
import { SandboxError } from "./errors.ts";
import { takeHandoff } from "./bridge-handoff.ts";

const I32 = "i32" as const;

/** Longest SQL text one call sends (sql.exec's own statement limit is 100 KB). */
export const MAX_DB_SQL_BYTES = 100_000;
/** Longest parameter text (the JSON array) one call sends. */
export const MAX_DB_PARAMS_TEXT_BYTES = 1024 * 1024;
/** Most bound parameters one statement takes (sql.exec's own limit). */
export const MAX_DB_PARAMS = 100;
/** Most rows one result holds; a statement answering more is refused with resultTooLarge, nothing placed. */
export const MAX_DB_RESULT_ROWS = 10_000;
/** Largest result (its JSON) one call places in guest memory. */
export const MAX_DB_RESULT_BYTES = 1024 * 1024;
/** Database calls one invocation may make. */
export const MAX_DB_CALLS_PER_INVOCATION = 1_000;
/** Base fuel of a database call: it is a round trip to the database's object. */
export const DB_CALL_BASE_FUEL = 2_000;
/** Fuel per row the statement read or wrote (SQLite's own counts), so a scan costs what it reads. */
export const DB_CALL_FUEL_PER_ROW = 20;

export const DB_CALL_PRICE: HostCallPrice = Object.freeze({ base: DB_CALL_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL, perRow: DB_CALL_FUEL_PER_ROW });

/** Statuses whose outcome carries a `{ "error": { code, message } }` block for the guest to read. */
export const DB_MESSAGE_STATUSES: ReadonlySet<number> = new Set([HostStatus.sqlRefused, HostStatus.sqlError, HostStatus.readOnly, HostStatus.triggerRejected]);

/** Database calls made so far by the invocation (db_query and db_execute together). */
export const DB_CALL_STATE = defineHostState<CallCounter>("database calls", () => ({ count: 0 }));

type DbParentCall = "dbQuery" | "dbExecute";

/**
 * The parameters as SQLite binds them, or a status: not JSON, not an array, or an element that is not a string,
 * a number, a boolean (bound as 1 / 0) or null is invalidArgument; more than MAX_DB_PARAMS is tooLarge. A string
 * holding a lone surrogate (JSON can escape one) is invalidArgument, since UTF-8 cannot store it without loss.
 */
export function parseDbParams(text: string): DbParam[] | number {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return HostStatus.invalidArgument;
  }
  if (!Array.isArray(value)) return HostStatus.invalidArgument;
  if (value.length > MAX_DB_PARAMS) return HostStatus.tooLarge;
  const params: DbParam[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item === null || typeof item === "number") params[i] = item;
    else if (typeof item === "boolean") params[i] = item ? 1 : 0;
    else if (typeof item === "string" && isWellFormed(item)) params[i] = item;
    else return HostStatus.invalidArgument;
  }
  return params;
}

function isWellFormed(text: string): boolean {
  return /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/.test(text);
}

/**
 * heliosdb_db_query / heliosdb_db_execute(sqlPtr, sqlLen, paramsPtr, paramsLen, outPtrPtr, outLenPtr) -> status.
 * paramsLen 0 means no parameters. outPtrPtr and outLenPtr (u32 slots) are validated before anything else; on
 * success the result block's address and length are written there, and only then. The block is the guest's to
 * free with heliosdb_dealloc.
 */
function dbFunction(name: string, grantedBy: CapabilityProfileName, parentCall: DbParentCall): HostFunctionDefinition {
  return {
    name,
    grantedBy,
    type: { params: [I32, I32, I32, I32, I32, I32], results: [I32] },
    async: true,
    price: DB_CALL_PRICE,
    parentCalls: [parentCall],
    create: (context, price) => (sqlPtr, sqlLen, paramsPtr, paramsLen, outPtrPtr, outLenPtr) =>
      guarded(() => {
        chargeHostCall(context, price, billable(sqlLen, MAX_DB_SQL_BYTES) + billable(paramsLen, MAX_DB_PARAMS_TEXT_BYTES));
        const memory = context.memory!;
        memory.checkRange(outPtrPtr, 4);
        memory.checkRange(outLenPtr, 4);
        const sql = memory.readString(sqlPtr, sqlLen, MAX_DB_SQL_BYTES);
        const params = paramsLen === 0 ? [] : parseDbParams(memory.readString(paramsPtr, paramsLen, MAX_DB_PARAMS_TEXT_BYTES));
        if (typeof params === "number") return params;
        const calls = hostState(context, DB_CALL_STATE);
        if (calls.count >= MAX_DB_CALLS_PER_INVOCATION) return HostStatus.quotaExceeded;
        const bridge: HostBridge | null = context.bridge;
        if (bridge === null) return HostStatus.notPermitted;
        calls.count++;
        return bridge[parentCall]({ sql, params }).then((outcome) =>
          guardedAsync(async () => {
            takeHandoff(context, outcome);
            return deliver(context, price, outcome, outPtrPtr, outLenPtr);
          }),
        );
      }),
  };
}

/**
 * Charges the rows and bytes, then places the block and writes its location: all of it or, on any refusal, nothing.
 * A message block that cannot be placed (quota, allocator) is dropped and the call's own status kept.
 */
function deliver(context: HostContext, price: HostCallPrice, outcome: DbCallOutcome, outPtrPtr: number, outLenPtr: number): number {
  const body = outcome.body;
  chargeHostCallRest(context, price, body?.byteLength ?? 0, Math.max(0, outcome.rows | 0));
  const status = outcome.status;
  if (status !== HostStatus.ok && !DB_MESSAGE_STATUSES.has(status)) return status;
  // A result is never empty JSON; an empty block from the parent is a broken answer, placed as nothing.
  if (body === undefined || body.byteLength === 0) return status === HostStatus.ok ? HostStatus.sqlError : status;
  if (body.byteLength > MAX_DB_RESULT_BYTES) return status === HostStatus.ok ? HostStatus.resultTooLarge : status;
  try {
    place(context, body, outPtrPtr, outLenPtr);
  } catch (error) {
    if (status === HostStatus.ok || !(error instanceof SandboxError)) throw error;
  }
  return status;
}

function place(context: HostContext, body: Uint8Array, outPtrPtr: number, outLenPtr: number): void {
  const memory = context.memory!;
  memory.checkRange(outPtrPtr, 4);
  memory.checkRange(outLenPtr, 4);
  const ptr = context.tracker!.alloc(body.byteLength);
  memory.writeBytes(ptr, body);
  memory.writeU32(outPtrPtr, ptr);
  memory.writeU32(outLenPtr, body.byteLength);
}

export const DB_QUERY_FUNCTION = dbFunction("heliosdb_db_query", "database_read", "dbQuery");
export const DB_EXECUTE_FUNCTION = dbFunction("heliosdb_db_execute", "database", "dbExecute");

export const DATABASE_MODULE: HostModule = {
  name: "database",
  importModule: HOST_MODULE,
  functions: [DB_QUERY_FUNCTION, DB_EXECUTE_FUNCTION],
  state: [DB_CALL_STATE],
  readsRequestHead: false,
};
