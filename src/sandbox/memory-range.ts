// The one bounds rule for guest (ptr, len) pairs until SafeMemory (issue #4) takes over every access.

/**
 * True when [ptr, ptr + len) lies inside a memory of `byteLength` bytes. Both values are read as unsigned 32-bit
 * (a guest i32 of -1 is 0xFFFFFFFF), and the sum is computed in float64, which is exact far past 2^33, so it cannot
 * wrap the way `(ptr + len) >>> 0` would. A zero-length range is inside when ptr <= byteLength.
 */
export function isInsideMemory(ptr: number, len: number, byteLength: number): boolean {
  return (ptr >>> 0) + (len >>> 0) <= byteLength;
}
