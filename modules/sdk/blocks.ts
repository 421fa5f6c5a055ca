// Host-made blocks (capability "compute"): blocks the host allocates in guest memory through helios_alloc and
// tracks; each must be freed with its exact size, and blocks never freed are reported as leaks (x-helios-leaks).

@external("heliosdb", "heliosdb_alloc")
declare function heliosdb_alloc(size: i32): i32;
@external("heliosdb", "heliosdb_dealloc")
declare function heliosdb_dealloc(ptr: usize, size: i32): i32;

export namespace hostBlocks {
  /** The block's address (0 for size 0), or a negative status (quota, size cap, or a bad allocator result). */
  export function alloc(size: i32): i32 {
    return heliosdb_alloc(size);
  }

  /** 0, or a negative status: UnknownAllocation for a block the host did not make or already freed, SizeMismatch. */
  export function free(ptr: usize, size: i32): i32 {
    return heliosdb_dealloc(ptr, size);
  }
}
