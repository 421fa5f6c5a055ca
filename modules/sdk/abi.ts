// The guest side of the ABI: the allocator pair the host writes through, the payload, and the output.

import { JsonParseResult, JsonValue, parseJson } from "./json";

@external("heliosdb", "heliosdb_output")
declare function heliosdb_output(ptr: usize, len: usize): i32;

/** Called by the host to get `size` bytes for the payload or a host-made block. Exported by every function module. */
export function helios_alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}

/** Called by the host when the guest frees a host-made block (heliosdb_dealloc). Optional in the ABI. */
export function helios_dealloc(ptr: usize, size: i32): void {
  heap.free(ptr);
}

/** A copy of the payload the host wrote at (ptr, len). */
export function input(ptr: usize, len: usize): Uint8Array {
  const bytes = new Uint8Array(<i32>len);
  memory.copy(bytes.dataStart, ptr, len);
  return bytes;
}

/** The payload as UTF-8 text (invalid sequences become U+FFFD). */
export function inputString(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len, false);
}

/** The handler's return value for `len` bytes of output at `ptr`: pointer in the high half, length in the low. */
export function output(ptr: usize, len: usize): u64 {
  return (<u64>ptr << 32) | <u64>(<u32>len);
}

/** Returns `bytes` as the output. The host copies them out after the handler returns. */
export function outputBytes(bytes: Uint8Array): u64 {
  return output(bytes.dataStart, <usize>bytes.length);
}

/** Returns `text`, UTF-8 encoded, as the output. */
export function outputString(text: string): u64 {
  const encoded = String.UTF8.encode(text, false);
  return output(changetype<usize>(encoded), <usize>encoded.byteLength);
}

/** The handler's return value when everything was emitted with `emit`/`emitString`: nothing more. */
export function noMoreOutput(): u64 {
  return 0;
}

/**
 * Appends bytes to the response now (heliosdb_output, capability "minimal"); the response is everything emitted,
 * followed by whatever the handler returns. Returns the host's status: TooLarge past maxResponseBytes.
 */
export function emit(bytes: Uint8Array): i32 {
  return heliosdb_output(bytes.dataStart, <usize>bytes.length);
}

export function emitString(text: string): i32 {
  const encoded = String.UTF8.encode(text, false);
  return heliosdb_output(changetype<usize>(encoded), <usize>encoded.byteLength);
}

/** The payload parsed as JSON (check `.ok`; `.error` and `.offset` say what is wrong). */
export function inputJson(ptr: usize, len: usize): JsonParseResult {
  return parseJson(inputString(ptr, len));
}

/** Returns `value`, serialized as JSON, as the output. */
export function outputJson(value: JsonValue): u64 {
  return outputString(value.stringify());
}
