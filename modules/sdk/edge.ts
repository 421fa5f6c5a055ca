// Calling another function through the runtime (capability "invoke"). The callee runs on this invocation's
// remaining fuel; cycles (A -> A, A -> B -> A) and chains deeper than the limit are refused. edgeInvokeAsync queues
// an invocation instead and returns its id, handing it an explicit fuel grant.

import { HostStatus, statusName } from "./status";

@external("heliosdb", "heliosdb_edge_invoke")
declare function heliosdb_edge_invoke(
  namePtr: usize, nameLen: usize, regionPtr: usize, regionLen: usize, payloadPtr: usize, payloadLen: usize,
  outPtr: usize, outCap: usize, outLenPtr: usize,
): i32;

@external("heliosdb", "heliosdb_edge_invoke_async")
declare function heliosdb_edge_invoke_async(
  namePtr: usize, nameLen: usize, regionPtr: usize, regionLen: usize, payloadPtr: usize, payloadLen: usize,
  fuel: u32, idPtr: usize, idCap: usize, idLenPtr: usize,
): i32;

/** Output capacity used when the caller names none. */
export const DEFAULT_EDGE_CAPACITY: i32 = 64 * 1024;

export class EdgeResult {
  constructor(
    /** 0, or the negative host status (e.g. HostStatus.CallCycle). */
    public status: i32,
    public output: Uint8Array,
  ) {}

  get ok(): bool {
    return this.status == HostStatus.Ok;
  }

  /** The status's documented name: "ok", "callCycle", "notFound", ... */
  get error(): string {
    return statusName(this.status);
  }

  text(): string {
    return String.UTF8.decodeUnsafe(this.output.dataStart, <usize>this.output.length, false);
  }

  /** The output, or abort (guest_trap, reason in the logs) when the call failed. */
  unwrap(): Uint8Array {
    if (!this.ok) abort("edge invoke failed: " + this.error);
    return this.output;
  }
}

const lengthSlot = memory.data(4);

/**
 * Invokes `name` with `payload` in `region` ("" = this function's region). The callee's response must fit
 * `capacity` bytes; a larger one gives BufferTooSmall (the callee is not run twice).
 */
export function edgeInvoke(name: string, payload: Uint8Array, region: string = "", capacity: i32 = DEFAULT_EDGE_CAPACITY): EdgeResult {
  const encodedName = String.UTF8.encode(name, false);
  const encodedRegion = String.UTF8.encode(region, false);
  const out = new Uint8Array(capacity);
  const status = heliosdb_edge_invoke(
    changetype<usize>(encodedName), <usize>encodedName.byteLength,
    changetype<usize>(encodedRegion), <usize>encodedRegion.byteLength,
    payload.dataStart, <usize>payload.length,
    out.dataStart, <usize>capacity, lengthSlot,
  );
  if (status < 0) return new EdgeResult(status, new Uint8Array(0));
  return new EdgeResult(status, out.subarray(0, <i32>load<u32>(lengthSlot)));
}

export function edgeInvokeString(name: string, payload: string, region: string = "", capacity: i32 = DEFAULT_EDGE_CAPACITY): EdgeResult {
  return edgeInvoke(name, Uint8Array.wrap(String.UTF8.encode(payload, false)), region, capacity);
}

/** An invocation id is ASCII, at most this long (docs/abi.md, edge_invoke_async). */
const MAX_INVOCATION_ID: i32 = 80;

export class AsyncInvocation {
  constructor(
    /** 0, or the negative host status (e.g. HostStatus.CallCycle, HostStatus.QuotaExceeded). */
    public status: i32,
    /** The invocation id ("" when refused): its outcome is at GET /v1/invocations/:id (with the token). */
    public id: string,
  ) {}

  get ok(): bool {
    return this.status == HostStatus.Ok;
  }

  get error(): string {
    return statusName(this.status);
  }
}

/**
 * Queues an asynchronous invocation of `name` with `payload` in `region` ("" = this function's region) and returns
 * its id at once. `fuel` is what this invocation grants it for all its attempts: charged now, once queued (a grant
 * above the fuel left is QuotaExceeded, nothing queued). The callee runs later, with retries (docs/abi.md).
 */
export function edgeInvokeAsync(name: string, payload: Uint8Array, fuel: u32, region: string = ""): AsyncInvocation {
  const encodedName = String.UTF8.encode(name, false);
  const encodedRegion = String.UTF8.encode(region, false);
  const out = new Uint8Array(MAX_INVOCATION_ID);
  const status = heliosdb_edge_invoke_async(
    changetype<usize>(encodedName), <usize>encodedName.byteLength,
    changetype<usize>(encodedRegion), <usize>encodedRegion.byteLength,
    payload.dataStart, <usize>payload.length, fuel,
    out.dataStart, <usize>MAX_INVOCATION_ID, lengthSlot,
  );
  if (status < 0) return new AsyncInvocation(status, "");
  return new AsyncInvocation(status, String.UTF8.decodeUnsafe(out.dataStart, <usize>load<u32>(lengthSlot), false));
}

export function edgeInvokeAsyncString(name: string, payload: string, fuel: u32, region: string = ""): AsyncInvocation {
  return edgeInvokeAsync(name, Uint8Array.wrap(String.UTF8.encode(payload, false)), fuel, region);
}
