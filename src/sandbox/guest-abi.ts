// The names and encodings of the first guest ABI (docs/abi.md): what a guest module exports and imports.

/** Import module every host function lives in. */
export const HOST_MODULE = "heliosdb";

/** The guest's linear memory export. */
export const MEMORY_EXPORT = "memory";
/** `helios_alloc(size: i32) -> i32`: returns a block of `size` bytes the host may write into. */
export const ALLOC_EXPORT = "helios_alloc";
/** Optional `helios_dealloc(ptr: i32, size: i32)`: frees a block helios_alloc returned (used for host-made blocks). */
export const DEALLOC_EXPORT = "helios_dealloc";
/** `handle(ptr: i32, len: i32) -> i64`: runs the function on the payload at (ptr, len); returns packed output. */
export const HANDLER_EXPORT = "handle";

/**
 * The handler's result packs the output location into one i64: pointer in the high 32 bits, length in the low 32,
 * both unsigned. AssemblyScript (and most toolchains) cannot return two values portably; one i64 always can.
 */
export interface GuestOutputLocation {
  ptr: number;
  len: number;
}

export function unpackOutputLocation(packed: bigint): GuestOutputLocation {
  const bits = BigInt.asUintN(64, packed);
  return { ptr: Number(bits >> 32n), len: Number(bits & 0xffff_ffffn) };
}

export function packOutputLocation(ptr: number, len: number): bigint {
  return (BigInt(ptr >>> 0) << 32n) | BigInt(len >>> 0);
}
