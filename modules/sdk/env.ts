// The function's environment (capability "compute"): deploy-time config, its own and its region's name, a coarse
// clock and random bytes.

import { HostStatus } from "./status";

@external("heliosdb", "heliosdb_config_get")
declare function heliosdb_config_get(keyPtr: usize, keyLen: usize, outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_function_name")
declare function heliosdb_function_name(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_region_name")
declare function heliosdb_region_name(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_clock_now_ms")
declare function heliosdb_clock_now_ms(): i64;
@external("heliosdb", "heliosdb_random_bytes")
declare function heliosdb_random_bytes(ptr: usize, len: usize): i32;

// Scratch for the u32 length every (outPtr, outCap, outLenPtr) call writes.
const lengthSlot = memory.data(4);

/** Calls `fill(buffer, capacity, lengthSlot)`, retrying once with the required size; the text, or null when refused. */
function readText(first: i32, fill: (ptr: usize, cap: usize, lenPtr: usize) => i32): string | null {
  let buffer = new Uint8Array(first);
  let status = fill(buffer.dataStart, <usize>buffer.length, lengthSlot);
  if (status == HostStatus.BufferTooSmall) {
    buffer = new Uint8Array(<i32>load<u32>(lengthSlot));
    status = fill(buffer.dataStart, <usize>buffer.length, lengthSlot);
  }
  if (status < 0) return null;
  return String.UTF8.decodeUnsafe(buffer.dataStart, <usize>load<u32>(lengthSlot), false);
}

// AssemblyScript closures cannot capture, so the key travels to the callback through this global.
let pendingKey: ArrayBuffer = new ArrayBuffer(0);

export namespace config {
  /** The value set at deploy for `key`, or null when it is not set. */
  export function get(key: string): string | null {
    pendingKey = String.UTF8.encode(key, false);
    return readText(256, (ptr: usize, cap: usize, lenPtr: usize): i32 =>
      heliosdb_config_get(changetype<usize>(pendingKey), <usize>pendingKey.byteLength, ptr, cap, lenPtr),
    );
  }

  /** The value for `key`, or `fallback` when it is not set. */
  export function getOr(key: string, fallback: string): string {
    const value = get(key);
    return value !== null ? value : fallback;
  }
}

/** This function's name. */
export function functionName(): string {
  const name = readText(64, (ptr: usize, cap: usize, lenPtr: usize): i32 => heliosdb_function_name(ptr, cap, lenPtr));
  return name !== null ? name : "";
}

/** The region this invocation runs in. */
export function regionName(): string {
  const name = readText(64, (ptr: usize, cap: usize, lenPtr: usize): i32 => heliosdb_region_name(ptr, cap, lenPtr));
  return name !== null ? name : "";
}

/** Milliseconds since the Unix epoch (whole milliseconds; does not advance while the guest computes). */
export function nowMs(): i64 {
  return heliosdb_clock_now_ms();
}

/** `length` cryptographically secure random bytes (at most 65,536 per call). */
export function randomBytes(length: i32): Uint8Array {
  const bytes = new Uint8Array(length);
  const status = heliosdb_random_bytes(bytes.dataStart, <usize>length);
  if (status < 0) abort("heliosdb_random_bytes failed: " + status.toString());
  return bytes;
}
