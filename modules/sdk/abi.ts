// The guest side of the first ABI: the allocator the host writes the payload through, and the packed output.

/** Called by the host to get `size` bytes for the payload. Exported by every function module. */
export function helios_alloc(size: i32): usize {
  return heap.alloc(<usize>size);
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
