// The per-invocation bridge the parent hands the sandbox isolate (a Workers RPC target passed as an argument of
// invoke()): the only way a guest's async host calls reach beyond its isolate, which has no network and no bindings.
// The parent holds the call chain, the deadline and the allow-list; the sandbox only forwards validated requests.

export interface EdgeInvokeRequest {
  functionName: string;
  /** Empty: the caller's own region. */
  region: string;
  payload: Uint8Array;
  /** The caller's fuel left after the call's own charge; the callee never gets more. */
  fuel: number;
  /** The caller's output buffer capacity: the callee's response must fit it. */
  maxResponseBytes: number;
}

/**
 * Every outcome may name the bridge the sandbox must use for its next call (the parent then makes one bridge per
 * call; see src/database/database-host-bridge.ts for why). Absent: keep using the same one.
 */
export interface BridgeHandoff {
  next?: HostBridge;
}

export interface EdgeInvokeOutcome extends BridgeHandoff {
  /** HostStatus.ok or a negative HostStatus code. */
  status: number;
  output?: Uint8Array;
  /** Fuel the callee (and its own callees) used: charged to the caller. */
  fuelUsed: number;
  /** bufferTooSmall: the length the output needed. */
  required?: number;
  /** The callee ran out of the fuel the caller handed down: the caller has none left either. */
  callerOutOfFuel?: boolean;
  /** Why it failed (an error code such as "guest_trap"), for the caller's log. */
  reason?: string;
}

export interface EdgeInvokeAsyncRequest {
  functionName: string;
  /** Empty: the caller's own region. */
  region: string;
  payload: Uint8Array;
  /**
   * Fuel the caller hands the queued invocation for all of its attempts together (charged to the caller when the
   * invocation is queued): what bounds a tree that goes on through the queue (runtime/call-tree.ts).
   */
  fuel: number;
}

export interface EdgeInvokeAsyncOutcome extends BridgeHandoff {
  /** HostStatus.ok or a negative HostStatus code; nothing was queued unless ok. */
  status: number;
  /** ok: the invocation id (`inv_<region>_<shard>_<32 hex>`), read back at GET /v1/invocations/:id. */
  id?: string;
  /** Why it was refused, for the caller's log. */
  reason?: string;
}

export interface HttpFetchRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

export interface HttpFetchOutcome extends BridgeHandoff {
  /** HostStatus.ok or a negative HostStatus code. */
  status: number;
  httpStatus?: number;
  headers?: [string, string][];
  body?: Uint8Array;
  reason?: string;
}

/** A value a db call binds to a `?` parameter (JSON booleans arrive as 1 / 0). */
export type DbParam = string | number | null;

export interface DbCallRequest {
  /** The statement as the guest sent it (strict UTF-8, within MAX_DB_SQL_BYTES); the parent checks it. */
  sql: string;
  params: DbParam[];
}

export interface DbCallOutcome extends BridgeHandoff {
  /** HostStatus.ok or a negative HostStatus code. */
  status: number;
  /**
   * ok: the result as JSON `{ columns, rows, rowsRead, rowsWritten, lastRowId }`. sqlRefused, sqlError, readOnly,
   * triggerRejected: `{ "error": { code, message } }`, so the guest can read why. Absent otherwise.
   */
  body?: Uint8Array;
  /** Rows the statement read plus rows it wrote: charged per row. */
  rows: number;
}

export interface HostBridge {
  edgeInvoke(request: EdgeInvokeRequest): Promise<EdgeInvokeOutcome>;
  /** Queues an asynchronous invocation (in the callee's region's queue) carrying this call tree's bounds. */
  edgeInvokeAsync(request: EdgeInvokeAsyncRequest): Promise<EdgeInvokeAsyncOutcome>;
  httpFetch(request: HttpFetchRequest): Promise<HttpFetchOutcome>;
  /** One read-only statement against the function's own database (always rolled back; refused if it wrote). */
  dbQuery(request: DbCallRequest): Promise<DbCallOutcome>;
  /** One statement against the function's own database, inside the procedure's transaction, through its triggers. */
  dbExecute(request: DbCallRequest): Promise<DbCallOutcome>;
}
