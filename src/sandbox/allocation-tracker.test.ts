import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { instantiate, thrown, watToBytes } from "../wasm/fixtures.ts";
import { AllocationTracker, type GuestAllocator } from "./allocation-tracker.ts";
import {
  AllocationSizeMismatchError,
  DoubleFreeError,
  HostErrorCode,
  InvalidAllocationError,
  LengthCapExceededError,
  QuotaExceededError,
  ReentrantAllocationError,
  SandboxError,
  UnknownAllocationError,
} from "./errors.ts";
import { SafeMemory } from "./safe-memory.ts";

const PAGE = 65536;

/** A guest-like bump allocator in JS with spies, over a real memory; frees of the top block move the top back. */
function bumpAllocator(memory: WebAssembly.Memory, start = 1024) {
  let top = start;
  const allocator = {
    alloc: vi.fn((size: number) => {
      const ptr = (top + 7) & ~7;
      top = ptr + size;
      return ptr;
    }),
    dealloc: vi.fn((ptr: number, size: number) => {
      if (ptr + size === top) top = ptr;
    }),
  };
  return { allocator, tracker: new AllocationTracker(memory, allocator) };
}


async function wasmGuest() {
  const wat = readFileSync(new URL("./fixtures/bump-allocator.wat", import.meta.url), "utf8");
  const instance = instantiate(await watToBytes(wat));
  return instance.exports as unknown as { memory: WebAssembly.Memory } & GuestAllocator;
}

describe("AllocationTracker", () => {
  it("registers blocks from the guest allocator and frees them through the guest deallocator", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const a = tracker.alloc(10);
    const b = tracker.alloc(20);
    expect([a, b]).toEqual([1024, 1040]);
    expect(allocator.alloc.mock.calls).toEqual([[10], [20]]);
    expect([tracker.liveBlocks, tracker.liveBytes]).toEqual([2, 30]);
    tracker.free(a, 10);
    expect(allocator.dealloc.mock.calls).toEqual([[1024, 10]]);
    expect([tracker.liveBlocks, tracker.liveBytes]).toEqual([1, 20]);
    tracker.free(b, 20);
    expect(tracker.finish()).toEqual({ leakedBlocks: 0, leakedBytes: 0 });
  });

  it("refuses a double free without calling the deallocator again", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const ptr = tracker.alloc(16);
    tracker.free(ptr, 16);
    const error = thrown(() => tracker.free(ptr, 16), DoubleFreeError);
    expect(error).toMatchObject({ code: "double_free", hostCode: HostErrorCode.unknownAllocation, ptr });
    expect(allocator.dealloc).toHaveBeenCalledTimes(1);
  });

  it("refuses a double free even after the allocator hands the same address out again and it is freed", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const first = tracker.alloc(16);
    tracker.free(first, 16);
    const second = tracker.alloc(16); // the LIFO bump allocator reuses the address
    expect(second).toBe(first);
    tracker.free(second, 16);
    thrown(() => tracker.free(second, 16), DoubleFreeError);
    expect(allocator.dealloc).toHaveBeenCalledTimes(2);
  });

  it("refuses a foreign free: a block the guest made itself, an interior pointer, or anything never allocated", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const guestOwn = allocator.alloc(32); // the guest's own allocation, not made through the tracker
    const hostBlock = tracker.alloc(32);
    for (const [ptr, size] of [[guestOwn, 32], [hostBlock + 8, 24], [12345, 4], [-16, 32], [0, 8]]) {
      const error = thrown(() => tracker.free(ptr, size), UnknownAllocationError);
      expect(error).toMatchObject({ code: "unknown_allocation", hostCode: HostErrorCode.unknownAllocation, ptr: ptr >>> 0 });
    }
    expect(allocator.dealloc).not.toHaveBeenCalled();
    expect(tracker.liveBlocks).toBe(1);
  });

  it("refuses a mis-sized free and keeps the block live until freed with its own size", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const ptr = tracker.alloc(24);
    for (const size of [23, 25, 0, -24]) {
      const error = thrown(() => tracker.free(ptr, size), AllocationSizeMismatchError);
      expect(error).toMatchObject({ code: "allocation_size_mismatch", hostCode: HostErrorCode.sizeMismatch, allocatedSize: 24, size: size >>> 0 });
    }
    expect(allocator.dealloc).not.toHaveBeenCalled();
    expect(tracker.liveBytes).toBe(24);
    tracker.free(ptr, 24);
    expect(allocator.dealloc).toHaveBeenCalledWith(ptr, 24);
  });

  it("never calls the guest for size 0: alloc(0) is 0 and free(0, 0) does nothing", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    expect(tracker.alloc(0)).toBe(0);
    tracker.free(0, 0);
    expect(allocator.alloc).not.toHaveBeenCalled();
    expect(allocator.dealloc).not.toHaveBeenCalled();
    expect([tracker.requestedBlocks, tracker.liveBlocks]).toEqual([0, 0]);
  });
});

describe("AllocationTracker caps and quotas", () => {
  it("refuses a block over the cap before calling the allocator, including -1 and non-32-bit sizes", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const allocator = { alloc: vi.fn(() => 1024), dealloc: vi.fn() };
    const tracker = new AllocationTracker(memory, allocator, { maxAllocationBytes: 4096 });
    for (const size of [4097, 0xffff_ffff, -1, -0x8000_0000, 2 ** 32, 2 ** 32 + 16, Number.NaN]) {
      const error = thrown(() => tracker.alloc(size), LengthCapExceededError);
      expect(error).toMatchObject({ code: "length_cap_exceeded", hostCode: HostErrorCode.tooLarge, kind: "allocation", cap: 4096 });
    }
    expect(allocator.alloc).not.toHaveBeenCalled();
    expect(tracker.requestedBlocks).toBe(0);
    expect(tracker.alloc(4096)).toBe(1024);
  });

  it("enforces the block-count quota per invocation, before the allocator runs; freeing gives nothing back", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator } = bumpAllocator(memory);
    const tracker = new AllocationTracker(memory, allocator, { maxBlocks: 3 });
    const ptrs = [tracker.alloc(8), tracker.alloc(8), tracker.alloc(8)];
    tracker.free(ptrs[2], 8);
    const error = thrown(() => tracker.alloc(8), QuotaExceededError);
    expect(error).toMatchObject({ code: "quota_exceeded", hostCode: HostErrorCode.quotaExceeded, quota: "blocks", limit: 3, requested: 4 });
    expect(allocator.alloc).toHaveBeenCalledTimes(3);
    expect(tracker.finish()).toEqual({ leakedBlocks: 2, leakedBytes: 16 });
    expect(() => tracker.alloc(8)).not.toThrow(); // a new invocation has a fresh quota
  });

  it("enforces the byte quota per invocation, before the allocator runs", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator } = bumpAllocator(memory);
    const tracker = new AllocationTracker(memory, allocator, { maxBytes: 100 });
    tracker.alloc(60);
    const error = thrown(() => tracker.alloc(41), QuotaExceededError);
    expect(error).toMatchObject({ quota: "bytes", limit: 100, requested: 101 });
    expect(allocator.alloc).toHaveBeenCalledTimes(1);
    expect(tracker.alloc(40)).toBeGreaterThan(0); // exactly at the quota
    thrown(() => tracker.alloc(1), QuotaExceededError);
    expect(allocator.alloc).toHaveBeenCalledTimes(2);
  });

  it("rejects quotas that are not 32-bit lengths", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const allocator = { alloc: () => 8, dealloc: () => {} };
    expect(() => new AllocationTracker(memory, allocator, { maxBlocks: -1 })).toThrow(RangeError);
    expect(() => new AllocationTracker(memory, allocator, { maxBytes: 2 ** 32 })).toThrow(RangeError);
  });
});

describe("AllocationTracker validates what the guest allocator returns", () => {
  function trackerReturning(...results: unknown[]) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const allocator = { alloc: vi.fn(() => results.shift() as number), dealloc: vi.fn() };
    return { memory, allocator, tracker: new AllocationTracker(memory, allocator) };
  }

  it("refuses 0, blocks ending past memory, wrapping blocks and non-numbers, and registers none of them", () => {
    const { allocator, tracker } = trackerReturning(0, PAGE - 8, -16, 0x8000_0000, undefined, 2 ** 32 + 64);
    for (const reason of [/returned 0/, /ends past/, /ends past/, /ends past/, /not a number/, /ends past/]) {
      const error = thrown(() => tracker.alloc(16), InvalidAllocationError);
      expect(error.code).toBe("invalid_allocation");
      expect(error.hostCode).toBe(HostErrorCode.invalidAllocation);
      expect(error.reason).toMatch(reason);
    }
    expect(tracker.liveBlocks).toBe(0);
    expect(tracker.requestedBlocks).toBe(6); // every allocator call counts against the quota
    expect(allocator.dealloc).not.toHaveBeenCalled();
    // -16 as i32 is 0xFFFFFFF0: its end wraps to 0x10 in 32 bits and must not look like a small valid block.
    thrown(() => tracker.free(-16, 16), UnknownAllocationError);
  });

  it("accepts a block ending exactly at the end of memory", () => {
    const { tracker } = trackerReturning(PAGE - 16);
    expect(tracker.alloc(16)).toBe(PAGE - 16);
  });

  it("refuses a block that overlaps a live one on either side, or sits inside one; adjacent blocks are fine", () => {
    const { allocator, tracker } = trackerReturning(1000, 2000, 1010, 990, 1996, 1004, 1992, 1016);
    tracker.alloc(16); // [1000, 1016)
    tracker.alloc(16); // [2000, 2016)
    // [1010, 1026) starts inside, [990, 1006) runs into 1000, [1996, 2004) runs into 2000, [1004, 1008) is inside.
    for (const size of [16, 16, 8, 4]) {
      const error = thrown(() => tracker.alloc(size), InvalidAllocationError);
      expect(error.reason).toMatch(/overlaps the live block/);
    }
    expect(tracker.alloc(8)).toBe(1992); // ends where [2000, 2016) starts
    expect(tracker.alloc(8)).toBe(1016); // starts where [1000, 1016) ends
    expect(allocator.alloc).toHaveBeenCalledTimes(8);
    expect([tracker.liveBlocks, tracker.liveBytes]).toEqual([4, 48]);
    tracker.free(1992, 8);
    tracker.free(1000, 16);
    expect(tracker.finish()).toEqual({ leakedBlocks: 2, leakedBytes: 24 });
  });

  it("accepts a block beyond the old size when the guest grew memory to make room", async () => {
    const guest = await wasmGuest();
    const tracker = new AllocationTracker(guest.memory, guest);
    const safe = new SafeMemory(guest.memory);
    const small = tracker.alloc(100);
    safe.writeString(small, 100, "before");
    expect(safe.byteLength).toBe(PAGE);
    const big = tracker.alloc(3 * PAGE); // the guest grows memory inside alloc
    expect(safe.byteLength).toBe(4 * PAGE);
    expect(big + 3 * PAGE).toBeLessThanOrEqual(4 * PAGE);
    safe.writeU32(big + 3 * PAGE - 4, 0xfeedface); // the host writes at the far end right after the growth
    expect(safe.readU32(big + 3 * PAGE - 4)).toBe(0xfeedface);
    expect(safe.readString(small, 6)).toBe("before");
    tracker.free(big, 3 * PAGE);
    tracker.free(small, 100);
    expect(tracker.finish()).toEqual({ leakedBlocks: 0, leakedBytes: 0 });
  });

  it("turns a guest allocator out of memory (0) into an error, not a block at 0", async () => {
    const guest = await wasmGuest();
    const tracker = new AllocationTracker(guest.memory, guest, { maxAllocationBytes: 32 * PAGE });
    const error = thrown(() => tracker.alloc(20 * PAGE), InvalidAllocationError); // over the guest's 16-page max
    expect(error.reason).toMatch(/returned 0/);
    expect(tracker.liveBlocks).toBe(0);
  });
});

describe("AllocationTracker re-entrancy and traps", () => {
  it("refuses alloc and free from inside the guest's allocator, and the outer call completes", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inner: unknown[] = [];
    let tracker!: AllocationTracker;
    const allocator = {
      alloc: vi.fn((size: number) => {
        // A malicious guest calls the host's alloc/free import from inside its allocator.
        for (const call of [() => tracker.alloc(8), () => tracker.free(2048, 8)]) {
          try {
            call();
          } catch (error) {
            inner.push(error);
          }
        }
        return 2048 + size;
      }),
      dealloc: vi.fn(),
    };
    tracker = new AllocationTracker(memory, allocator);
    expect(tracker.alloc(16)).toBe(2064);
    expect(inner.map((e) => (e as SandboxError).code)).toEqual(["reentrant_allocation", "reentrant_allocation"]);
    expect((inner[0] as SandboxError).hostCode).toBe(HostErrorCode.reentrantCall);
    expect(allocator.alloc).toHaveBeenCalledTimes(1);
    expect(tracker.liveBlocks).toBe(1);
  });

  it("refuses re-entry from the deallocator", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    let tracker!: AllocationTracker;
    let innerError: unknown;
    let next = 4096;
    const allocator = {
      alloc: (size: number) => (next += size) - size,
      dealloc: vi.fn(() => {
        try {
          tracker.free(4104, 8);
        } catch (error) {
          innerError = error;
        }
      }),
    };
    tracker = new AllocationTracker(memory, allocator);
    const a = tracker.alloc(8);
    tracker.alloc(8);
    tracker.free(a, 8);
    expect(innerError).toBeInstanceOf(ReentrantAllocationError);
    expect(allocator.dealloc).toHaveBeenCalledTimes(1);
    expect(tracker.liveBlocks).toBe(1);
  });

  it("keeps a block live when the deallocator traps, and accepts calls again afterwards", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const trap = new WebAssembly.RuntimeError("unreachable");
    const allocator = { alloc: () => 1024, dealloc: vi.fn(() => { throw trap; }) };
    const tracker = new AllocationTracker(memory, allocator);
    const ptr = tracker.alloc(8);
    expect(() => tracker.free(ptr, 8)).toThrow(trap); // guest traps pass through unchanged
    expect(tracker.liveBlocks).toBe(1);
    expect(tracker.finish()).toEqual({ leakedBlocks: 1, leakedBytes: 8 });
  });

  it("passes an allocator trap through, registers nothing and is usable afterwards", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    let fail = true;
    const allocator = {
      alloc: () => {
        if (fail) throw new WebAssembly.RuntimeError("unreachable");
        return 1024;
      },
      dealloc: () => {},
    };
    const tracker = new AllocationTracker(memory, allocator);
    expect(() => tracker.alloc(8)).toThrow(WebAssembly.RuntimeError);
    fail = false;
    expect(tracker.alloc(8)).toBe(1024);
    expect(tracker.liveBlocks).toBe(1);
  });
});

describe("AllocationTracker finish", () => {
  it("reports leaked blocks and bytes, then forgets them", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { allocator, tracker } = bumpAllocator(memory);
    const a = tracker.alloc(10);
    tracker.alloc(20);
    tracker.alloc(30);
    tracker.free(a, 10);
    expect(tracker.finish()).toEqual({ leakedBlocks: 2, leakedBytes: 50 });
    expect([tracker.liveBlocks, tracker.liveBytes, tracker.requestedBlocks, tracker.requestedBytes]).toEqual([0, 0, 0, 0]);
    // Blocks from a finished invocation are the guest's now: the host can no longer free them.
    thrown(() => tracker.free(1040, 20), UnknownAllocationError);
    expect(allocator.dealloc).toHaveBeenCalledTimes(1);
  });
});

describe("AllocationTracker model check", () => {
  it("agrees with a simple model over random alloc/free sequences on a free-list allocator", () => {
    const seed = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.log(`AllocationTracker model seed: ${seed} (rerun with PROPERTY_SEED=${seed})`);
    let state = seed >>> 0 || 1;
    const int = (n: number) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state % n;
    };
    // First-fit free list in 16-byte slots, so freed addresses are reused in scrambled order.
    const memory = new WebAssembly.Memory({ initial: 1 });
    const slots = new Array<boolean>(2048).fill(false);
    const guestLive = new Map<number, number>();
    const allocator = {
      alloc: (size: number) => {
        const need = Math.ceil(size / 16);
        for (let i = 1; i + need <= slots.length; i++) {
          let free = true;
          for (let j = i; j < i + need && free; j++) free = !slots[j];
          if (free) {
            slots.fill(true, i, i + need);
            guestLive.set(i * 16, size);
            return i * 16;
          }
        }
        return 0;
      },
      dealloc: (ptr: number, size: number) => {
        if (guestLive.get(ptr) !== size) throw new Error(`guest deallocator called with a bad block ${ptr}/${size}`);
        guestLive.delete(ptr);
        slots.fill(false, ptr / 16, ptr / 16 + Math.ceil(size / 16));
      },
    };
    const tracker = new AllocationTracker(memory, allocator, { maxBlocks: 0xffff_ffff, maxBytes: 0xffff_ffff });
    const model = new Map<number, number>();
    const freed = new Set<number>();
    for (let step = 0; step < 20_000; step++) {
      const live = [...model.keys()];
      const choice = int(10);
      if ((choice < 4 && live.length < 200) || live.length === 0) {
        const size = 1 + int(100);
        let ptr: number;
        try {
          ptr = tracker.alloc(size);
        } catch (error) {
          expect((error as InvalidAllocationError).reason).toMatch(/out of memory/); // the free list is full
          continue;
        }
        model.set(ptr, size);
        freed.delete(ptr);
      } else if (choice < 8) {
        const ptr = live[int(live.length)];
        tracker.free(ptr, model.get(ptr)!);
        model.delete(ptr);
        freed.add(ptr);
      } else {
        // A bad free: wrong size, interior pointer or a freed block. It must be refused with the right error.
        const ptr = live.length > 0 && int(2) === 0 ? live[int(live.length)] : 16 * int(2048);
        const size = model.has(ptr) ? model.get(ptr)! + 1 : 1 + int(50);
        const expected = model.has(ptr) ? "allocation_size_mismatch" : freed.has(ptr) ? "double_free" : "unknown_allocation";
        let code: string | undefined;
        try {
          tracker.free(ptr, size);
        } catch (error) {
          code = (error as SandboxError).code;
        }
        expect(code, `seed ${seed}, step ${step}: free(${ptr}, ${size})`).toBe(expected);
      }
      if (tracker.liveBlocks !== model.size) throw new Error(`seed ${seed}, step ${step}: live blocks differ from the model`);
    }
    expect(new Map(guestLive)).toEqual(model);
    expect(tracker.finish().leakedBlocks).toBe(model.size);
  });
});
