// Calling another function through the runtime (capability "invoke"). The callee runs on this invocation's
// remaining fuel; cycles (A -> A, A -> B -> A) and chains deeper than the limit are refused.

import { HostStatus, statusName } from "./status";

@external("heliosdb", "heliosdb_edge_invoke")
declare function heliosdb_edge_invoke(
  namePtr: usize, nameLen: usize, regionPtr: usize, regionLen: usize, payloadPtr: usize, payloadLen: usize,
  outPtr: usize, outCap: usize, outLenPtr: usize,
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
