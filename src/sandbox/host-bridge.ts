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

export interface EdgeInvokeOutcome {
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

export interface HttpFetchRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
}

export interface HttpFetchOutcome {
  /** HostStatus.ok or a negative HostStatus code. */
  status: number;
  httpStatus?: number;
  headers?: [string, string][];
  body?: Uint8Array;
  reason?: string;
}

export interface HostBridge {
  edgeInvoke(request: EdgeInvokeRequest): Promise<EdgeInvokeOutcome>;
  httpFetch(request: HttpFetchRequest): Promise<HttpFetchOutcome>;
}
