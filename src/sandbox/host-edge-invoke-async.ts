// heliosdb_edge_invoke_async (profile `invoke`): queues an asynchronous invocation of another function and returns
// its id at once; the result is read later at GET /v1/invocations/:id. The sandbox validates the guest's arguments
// and forwards the request to the parent's bridge, which extends the call chain (cycles, depth) and hands the queued
// invocation its share of the call tree's bounds (src/runtime/call-tree.ts, "asynchronous children"): the fuel the
// guest grants here, charged to the guest when the invocation is queued, and a slice of the tree's sandbox runs.

import { getFuel } from "../wasm/fuel.ts";
import { HOST_MODULE } from "./guest-abi.ts";
import { EDGE_INVOKE_STATE, MAX_EDGE_INVOKES_PER_INVOCATION, readEdgeTarget } from "./host-edge-invoke.ts";
import { billable, chargeFuel, checkDeadline, chargeHostCall, chargeHostCallRest, guarded, guardedAsync, HOST_CALL_BYTES_PER_FUEL, writeResult } from "./host-call.ts";
import { type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import { MAX_NAME_BYTES } from "./host-environment.ts";
import { HostStatus } from "./host-status.ts";
import { takeHandoff } from "./bridge-handoff.ts";

const I32 = "i32" as const;

/**
 * Base fuel of one async edge call: one RPC to a queue shard (an insert and an alarm), priced as an edge call
 * (EDGE_INVOKE_BASE_FUEL, an RPC that starts a sandbox), which is an upper bound of it; the 32 calls per invocation
 * it shares with heliosdb_edge_invoke bound a flood's wall time as well (docs/limits.md, "Host call prices").
 */
export const EDGE_INVOKE_ASYNC_BASE_FUEL = 2_000_000;
/** Largest payload one async edge call queues (as the API's queue: a row holds at most 2 MB; MAX_ASYNC_PAYLOAD_BYTES). */
export const MAX_EDGE_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/**
 * heliosdb_edge_invoke_async(namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, fuel, idPtr, idCap,
 * idLenPtr) -> status. regionLen 0 means the caller's region. `fuel` (read as unsigned, at least 1) is what the
 * caller grants the queued invocation for all its attempts; it is charged to the caller only when the invocation
 * is queued, and a grant above the caller's remaining fuel is refused with quotaExceeded. On success the id (ASCII,
 * at most 80 bytes) is at idPtr and its length at idLenPtr; on bufferTooSmall the invocation was queued anyway and
 * only the required length is written (the id is lost to the guest, so pass a buffer of 80 bytes).
 */
export const EDGE_INVOKE_ASYNC_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_edge_invoke_async",
  grantedBy: "invoke",
  type: { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [I32] },
  async: true,
  price: { base: EDGE_INVOKE_ASYNC_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL },
  parentCalls: ["edgeInvokeAsync"],
  create: (context, price) => (namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, fuel, idPtr, idCap, idLenPtr) =>
    guarded(() => {
      chargeHostCall(
        context,
        price,
        billable(nameLen, MAX_NAME_BYTES) + billable(regionLen, MAX_NAME_BYTES) + billable(payloadLen, MAX_EDGE_ASYNC_PAYLOAD_BYTES),
      );
      const memory = context.memory!;
      const target = readEdgeTarget(memory, {
        namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, maxPayloadBytes: MAX_EDGE_ASYNC_PAYLOAD_BYTES, outPtr: idPtr, outCap: idCap, outLenPtr: idLenPtr,
      });
      if (typeof target === "number") return target;
      const { functionName, region } = target;
      const grant = fuel >>> 0;
      if (grant === 0) return HostStatus.invalidArgument;
      // The grant comes out of what the caller has left: a tree never spends more fuel than its root was given.
      if (BigInt(grant) > getFuel(context.instance!)) return HostStatus.quotaExceeded;
      const calls = hostState(context, EDGE_INVOKE_STATE);
      if (calls.count >= MAX_EDGE_INVOKES_PER_INVOCATION) return HostStatus.quotaExceeded;
      const bridge = context.bridge;
      if (bridge === null) return HostStatus.notPermitted;
      calls.count++;
      checkDeadline(context);
      const payload = memory.readBytes(payloadPtr, payloadLen, MAX_EDGE_ASYNC_PAYLOAD_BYTES);
      return bridge.edgeInvokeAsync({ functionName, region, payload, fuel: grant }).then((outcome) =>
        guardedAsync(async () => {
          takeHandoff(context, outcome);
          if (outcome.status !== HostStatus.ok) return outcome.status;
          // Queued: the grant is the queued invocation's now. The guest was suspended meanwhile, so it still has it.
          chargeFuel(context, grant);
          chargeHostCallRest(context, price, outcome.id?.length ?? 0);
          return writeResult(memory, idPtr, idCap, idLenPtr, outcome.id ?? "");
        }),
      );
    }),
};

export const EDGE_INVOKE_ASYNC_MODULE: HostModule = {
  name: "edge-invoke-async",
  importModule: HOST_MODULE,
  functions: [EDGE_INVOKE_ASYNC_FUNCTION],
  // Its one piece of state is the edge-invoke module's call counter (declared there: a slot has one owner).
  state: [],
  readsRequestHead: false,
};
