// Host functions for host-made blocks: blocks in guest memory allocated through the guest's own allocator and
// registered with the invocation's AllocationTracker (what heliosdb_http_fetch hands its response in, too).

import { HOST_MODULE } from "./guest-abi.ts";
import { chargeHostCall, HOST_CALL_BASE_FUEL, refusalCode, STANDARD_PRICE } from "./host-call.ts";
import type { HostFunctionDefinition, HostModule } from "./host-module.ts";
import { HostStatus } from "./host-status.ts";

const I32 = "i32" as const;

/**
 * heliosdb_alloc(size) -> ptr or status: a tracked block of `size` bytes (0 for size 0). Refused, before the guest's
 * allocator runs, when the size or the invocation's quotas do not allow it. Blocks never freed are reported as leaks.
 */
export const ALLOC_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_alloc",
  grantedBy: "compute",
  type: { params: [I32], results: [I32] },
  async: false,
  // The host copies nothing (the guest's allocator does the work, on its own fuel): one fuel per 16 bytes asked.
  price: { base: HOST_CALL_BASE_FUEL, bytesPerFuel: 16 },
  parentCalls: [],
  create: (context, price) => (size) => {
    try {
      const tracker = context.tracker!;
      const length = size >>> 0;
      chargeHostCall(context, price, length <= tracker.quotas.maxAllocationBytes ? length : 0);
      // Refusals the tracker can see before the guest's allocator runs come back as statuses, not exceptions.
      const status = tracker.allocStatus(length);
      return status !== 0 ? status : tracker.alloc(length);
    } catch (error) {
      return refusalCode(error);
    }
  },
};

/**
 * heliosdb_dealloc(ptr, size) -> status: frees a live host-made block with the size it was made with. A block the
 * host did not make, one already freed, or a wrong size is refused; the guest's deallocator never sees it.
 */
export const DEALLOC_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_dealloc",
  grantedBy: "compute",
  type: { params: [I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (ptr, size) => {
    try {
      chargeHostCall(context, price);
      const tracker = context.tracker!;
      const status = tracker.freeStatus(ptr, size);
      if (status !== 0) return status;
      tracker.free(ptr, size);
      return HostStatus.ok;
    } catch (error) {
      return refusalCode(error);
    }
  },
};

export const HOST_BLOCKS_MODULE: HostModule = {
  name: "host-blocks",
  importModule: HOST_MODULE,
  functions: [ALLOC_FUNCTION, DEALLOC_FUNCTION],
  state: [],
  readsRequestHead: false,
};
