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

// --- Version 2 and WASI (docs/abi.md "Version 2", "WASI preview1").

/** Version 2: `handle_request() -> ()` reads the request and sets the response through host calls. */
export const HANDLE_REQUEST_EXPORT = "handle_request";
/** A WASI command's entry point: runs once per invocation; stdin is the body, stdout the response. */
export const WASI_START_EXPORT = "_start";
/** A WASI reactor's initializer: runs first, then the module's handler (`handle_request` or `handle`). */
export const WASI_INITIALIZE_EXPORT = "_initialize";
/** The import module of WASI preview1. */
export const WASI_MODULE = "wasi_snapshot_preview1";

/**
 * How a module is run, from its exports, in this order: a WASI command (`_start`), then a version-2 handler
 * (`handle_request`), else version 1 (`handle` with `helios_alloc`). Reactors (`_initialize`) run that first.
 */
export type GuestEntryKind = "command" | "v2" | "v1";

export function guestEntryKind(hasExport: (name: string) => boolean): GuestEntryKind {
  if (hasExport(WASI_START_EXPORT)) return "command";
  if (hasExport(HANDLE_REQUEST_EXPORT)) return "v2";
  return "v1";
}
