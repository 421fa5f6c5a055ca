// Registry of the blocks the host allocates in guest memory through the guest's own allocator, with per-invocation quotas.

import {
  AllocationSizeMismatchError,
  HostErrorCode,
  DoubleFreeError,
  InvalidAllocationError,
  LengthCapExceededError,
  QuotaExceededError,
  ReentrantAllocationError,
  UnknownAllocationError,
} from "./errors.ts";
import { toU32 } from "./safe-memory.ts";

/** The guest's exported allocator pair. Both run guest code, which may grow memory or call back into the host. */
export interface GuestAllocator {
  /** Returns the offset of `size` fresh bytes, or 0 when the guest is out of memory. */
  alloc(size: number): number;
  dealloc(ptr: number, size: number): void;
}

export interface AllocationQuotas {
  /** Largest single block. */
  maxAllocationBytes: number;
  /** Calls to the guest's allocator per invocation. Freeing does not give quota back. */
  maxBlocks: number;
  /** Bytes requested from the guest's allocator per invocation. Freeing does not give quota back. */
  maxBytes: number;
}

export const DEFAULT_ALLOCATION_QUOTAS: Readonly<AllocationQuotas> = Object.freeze({
  maxAllocationBytes: 4 * 1024 * 1024,
  maxBlocks: 4096,
  maxBytes: 16 * 1024 * 1024,
});

export interface LeakReport {
  leakedBlocks: number;
  leakedBytes: number;
}

function checkedQuotas(quotas: Partial<AllocationQuotas>): Readonly<AllocationQuotas> {
  const merged = { ...DEFAULT_ALLOCATION_QUOTAS, ...quotas };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`allocation quota ${name} must be an integer in [0, 2^32), got ${value}`);
    }
  }
  return Object.freeze(merged);
}

/**
 * Every block the host makes in guest memory goes through alloc() and is registered with its offset and size, so
 * free() can refuse anything else before the guest's deallocator ever sees it. Rules (each tested):
 * - Sizes are unsigned 32-bit (toU32). A size over maxAllocationBytes or a quota is refused before the guest's
 *   allocator is called. Every allocator call counts against the quotas, whether or not its result is usable.
 * - Size 0 never reaches the guest: alloc(0) returns 0, and free(0, 0) is accepted and does nothing.
 * - The allocator's result must be non-zero, end inside memory as it is after the call (the allocator may grow it),
 *   and not overlap a live block; otherwise InvalidAllocationError, and the block is neither registered nor freed.
 * - free() of an unknown, interior, already-freed or mis-sized block throws and never calls the guest's deallocator.
 * - The guest cannot re-enter alloc() or free() while its allocator or deallocator runs.
 * - finish() reports the blocks still live and starts a fresh invocation.
 */
export class AllocationTracker {
  readonly quotas: Readonly<AllocationQuotas>;
  private readonly memory: WebAssembly.Memory;
  private readonly allocator: GuestAllocator;

  // Live blocks sorted by start, as two parallel arrays: overlap checks and lookups are binary searches, and the
  // usual case (a bump allocator, frees in reverse order) only pushes and pops at the end.
  private starts: number[] = [];
  private sizes: number[] = [];
  // Addresses freed in this invocation, to tell a double free from a foreign one. Bounded by maxBlocks; an address
  // handed out again is live, and lookups check live blocks first.
  private freed = new Set<number>();
  private live = 0;
  private blocksRequested = 0;
  private bytesRequested = 0;
  private busy = false;
  // A WebAssembly memory never shrinks, so a block inside any size seen before is inside the current memory; the
  // memory.buffer getter, which costs more than the rest of the check, runs only when a block ends past that size.
  private knownByteLength = 0;

  constructor(memory: WebAssembly.Memory, allocator: GuestAllocator, quotas?: Partial<AllocationQuotas>) {
    this.memory = memory;
    this.allocator = allocator;
    // The defaults are frozen and valid: an invocation using them skips the merge and the checks.
    this.quotas = quotas === undefined ? DEFAULT_ALLOCATION_QUOTAS : checkedQuotas(quotas);
  }

  /** Blocks allocated and not yet freed. */
  get liveBlocks(): number {
    return this.starts.length;
  }

  get liveBytes(): number {
    return this.live;
  }

  /** Quota used so far in this invocation. */
  get requestedBlocks(): number {
    return this.blocksRequested;
  }

  get requestedBytes(): number {
    return this.bytesRequested;
  }

  /**
   * The refusal alloc(size) would throw before calling the guest's allocator (reentrantCall, tooLarge,
   * quotaExceeded) as its code, or 0; never throws. Host functions check with it first, so a refusal a guest
   * repeats in a loop costs no exception. (A failure of the allocator itself still throws, at most maxBlocks
   * times per invocation: every allocator call counts against the quota.)
   */
  allocStatus(size: number): number {
    if (this.busy) return HostErrorCode.reentrantCall;
    const length = toU32(size);
    const { maxAllocationBytes, maxBlocks, maxBytes } = this.quotas;
    if (length > maxAllocationBytes) return HostErrorCode.tooLarge;
    if (length === 0) return 0;
    if (this.blocksRequested + 1 > maxBlocks || this.bytesRequested + length > maxBytes) return HostErrorCode.quotaExceeded;
    return 0;
  }

  /** The refusal free(ptr, size) would throw (reentrantCall, unknownAllocation, sizeMismatch) as its code, or 0. */
  freeStatus(ptr: number, size: number): number {
    if (this.busy) return HostErrorCode.reentrantCall;
    const start = toU32(ptr);
    const length = toU32(size);
    if (start === 0 && length === 0) return 0;
    const index = this.indexOf(start);
    if (index < 0) return HostErrorCode.unknownAllocation;
    return this.sizes[index] === length ? 0 : HostErrorCode.sizeMismatch;
  }

  /** Allocates `size` bytes through the guest's allocator and returns their offset. */
  alloc(size: number): number {
    if (this.busy) throw new ReentrantAllocationError("alloc");
    const length = toU32(size);
    const { maxAllocationBytes, maxBlocks, maxBytes } = this.quotas;
    if (length > maxAllocationBytes) throw new LengthCapExceededError("allocation", length, maxAllocationBytes);
    if (length === 0) return 0;
    if (this.blocksRequested + 1 > maxBlocks) throw new QuotaExceededError("blocks", maxBlocks, this.blocksRequested + 1);
    if (this.bytesRequested + length > maxBytes) throw new QuotaExceededError("bytes", maxBytes, this.bytesRequested + length);
    this.blocksRequested += 1;
    this.bytesRequested += length;

    let result: unknown;
    this.busy = true;
    try {
      result = this.allocator.alloc(length);
    } finally {
      this.busy = false;
    }

    if (typeof result !== "number") throw new InvalidAllocationError(Number.NaN, length, "not a number");
    const ptr = toU32(result);
    if (ptr === 0) throw new InvalidAllocationError(ptr, length, "the allocator returned 0 (out of memory)");
    if (ptr + length > this.knownByteLength) {
      this.knownByteLength = this.memory.buffer.byteLength;
      if (ptr + length > this.knownByteLength) {
        throw new InvalidAllocationError(ptr, length, `it ends past the ${this.knownByteLength}-byte memory`);
      }
    }
    this.register(ptr, length);
    return ptr;
  }

  /** Frees a block made by alloc(), with the size it was allocated with, through the guest's deallocator. */
  free(ptr: number, size: number): void {
    if (this.busy) throw new ReentrantAllocationError("free");
    const start = toU32(ptr);
    const length = toU32(size);
    if (start === 0 && length === 0) return;
    const index = this.indexOf(start);
    if (index < 0) {
      if (this.freed.has(start)) throw new DoubleFreeError(start);
      throw new UnknownAllocationError(start, length);
    }
    const allocated = this.sizes[index];
    if (allocated !== length) throw new AllocationSizeMismatchError(start, length, allocated);

    this.busy = true;
    try {
      this.allocator.dealloc(start, length);
    } finally {
      this.busy = false;
    }
    // Unregistered only once the guest has freed it: a deallocator that traps leaves the block live and reported.
    if (index === this.starts.length - 1) {
      this.starts.pop();
      this.sizes.pop();
    } else {
      this.starts.splice(index, 1);
      this.sizes.splice(index, 1);
    }
    this.live -= length;
    this.freed.add(start);
  }

  /** Ends the invocation: reports what is still live, then forgets every block and resets the quotas. */
  finish(): LeakReport {
    const report = { leakedBlocks: this.starts.length, leakedBytes: this.live };
    this.starts = [];
    this.sizes = [];
    this.freed = new Set();
    this.live = 0;
    this.blocksRequested = 0;
    this.bytesRequested = 0;
    return report;
  }

  private register(ptr: number, length: number): void {
    const { starts, sizes } = this;
    const count = starts.length;
    const end = ptr + length;
    const index = count === 0 || starts[count - 1] < ptr ? count : lowerBound(starts, ptr);
    if (index < count && starts[index] < end) this.refuseOverlap(ptr, length, index);
    if (index > 0 && starts[index - 1] + sizes[index - 1] > ptr) this.refuseOverlap(ptr, length, index - 1);
    if (index === count) {
      starts.push(ptr);
      sizes.push(length);
    } else {
      starts.splice(index, 0, ptr);
      sizes.splice(index, 0, length);
    }
    this.live += length;
  }

  private refuseOverlap(ptr: number, length: number, index: number): never {
    const start = this.starts[index];
    throw new InvalidAllocationError(ptr, length, `it overlaps the live block at 0x${start.toString(16)} of ${this.sizes[index]} bytes`);
  }

  private indexOf(ptr: number): number {
    const { starts } = this;
    const last = starts.length - 1;
    if (last >= 0 && starts[last] === ptr) return last;
    const index = lowerBound(starts, ptr);
    return index <= last && starts[index] === ptr ? index : -1;
  }
}

/** First index whose value is >= target, in an ascending array. */
function lowerBound(sorted: number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < target) low = mid + 1;
    else high = mid;
  }
  return low;
}
