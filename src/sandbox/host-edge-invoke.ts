// heliosdb_edge_invoke (profile `invoke`): calls another function through the same runtime. The sandbox validates
// the guest's arguments and forwards the call to the parent's bridge, which owns the call chain (depth, cycles,
// deadline); the callee runs on the caller's remaining fuel, and what it uses is charged to the caller.

import { getFuel } from "../wasm/fuel.ts";
import { OutOfFuelInvocationError } from "./errors.ts";
import { HOST_MODULE } from "./guest-abi.ts";
import { billable, chargeFuel, checkDeadline, chargeHostCall, chargeHostCallRest, guarded, guardedAsync, HOST_CALL_BYTES_PER_FUEL, writeResult } from "./host-call.ts";
import { type CallCounter, defineHostState, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import { MAX_NAME_BYTES } from "./host-environment.ts";
import { HostStatus } from "./host-status.ts";
import type { SafeMemory } from "./safe-memory.ts";
import { takeHandoff } from "./bridge-handoff.ts";

const I32 = "i32" as const;

/**
 * Base fuel of one edge call, on top of the per-byte charge and the fuel the callee uses: what starting the callee's
 * sandbox really costs the parent. Measured by scripts/bench-calltree.mjs on the local server: about 1.2 ms per edge
 * call, the time a plain loop burns about 4,800,000 fuel in; at this price a flood of edge calls costs at most about
 * 2.4x a plain loop's wall time per fuel, and the call tree's run cap (MAX_SANDBOX_RUNS_PER_REQUEST) bounds it too.
 */
export const EDGE_INVOKE_BASE_FUEL = 2_000_000;
/** Largest payload one edge call passes (the callee's own maxPayloadBytes applies too). */
export const MAX_EDGE_PAYLOAD_BYTES = 8 * 1024 * 1024;
/** Edge calls one invocation may make. */
export const MAX_EDGE_INVOKES_PER_INVOCATION = 32;

/** Edge calls made so far by the invocation. */
export const EDGE_INVOKE_STATE = defineHostState<CallCounter>("edge-invoke calls", () => ({ count: 0 }));

/** Function and region names: what the API accepts for either. */
const NAME = /^[a-z0-9-]{1,63}$/;

/** Where an edge call's arguments are in guest memory (both edge calls take the same first six). */
export interface EdgeCallArguments {
  namePtr: number;
  nameLen: number;
  regionPtr: number;
  regionLen: number;
  payloadPtr: number;
  payloadLen: number;
  maxPayloadBytes: number;
  /** The buffer the call's answer goes to (the callee's output, or the queued invocation's id) and its length slot. */
  outPtr: number;
  outCap: number;
  outLenPtr: number;
}

/**
 * Reads and checks an edge call's target: the callee's name and region ("" = the caller's), with every range the
 * call will touch in bounds. Refusals are statuses, not exceptions, and come before the payload is copied: only a
 * call that goes ahead copies it. Answers the status of the first refusal, else the names.
 */
export function readEdgeTarget(memory: SafeMemory, args: EdgeCallArguments): { functionName: string; region: string } | number {
  const functionName = memory.readStringOrStatus(args.namePtr, args.nameLen, MAX_NAME_BYTES);
  if (typeof functionName === "number") return functionName;
  const region = memory.readStringOrStatus(args.regionPtr, args.regionLen, MAX_NAME_BYTES);
  if (typeof region === "number") return region;
  const payloadStatus = memory.readStatus(args.payloadPtr, args.payloadLen, args.maxPayloadBytes);
  if (payloadStatus !== 0) return payloadStatus;
  if (memory.rangeStatus(args.outPtr, args.outCap) !== 0 || memory.rangeStatus(args.outLenPtr, 4) !== 0) return HostStatus.outOfBounds;
  if (!NAME.test(functionName) || (region !== "" && !NAME.test(region))) return HostStatus.invalidArgument;
  return { functionName, region };
}

/**
 * heliosdb_edge_invoke(namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, outPtr, outCap, outLenPtr)
 * -> status. regionLen 0 means the caller's region. On success the callee's output is at outPtr and its length at
 * outLenPtr; on bufferTooSmall only the required length is written.
 */
export const EDGE_INVOKE_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_edge_invoke",
  grantedBy: "invoke",
  type: { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [I32] },
  async: true,
  price: { base: EDGE_INVOKE_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL },
  parentCalls: ["edgeInvoke"],
  create: (context, price) => (namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, outPtr, outCap, outLenPtr) =>
    guarded(() => {
      chargeHostCall(
        context,
        price,
        billable(nameLen, MAX_NAME_BYTES) + billable(regionLen, MAX_NAME_BYTES) + billable(payloadLen, MAX_EDGE_PAYLOAD_BYTES),
      );
      const memory = context.memory!;
      // Only a call that goes ahead (at most MAX_EDGE_INVOKES_PER_INVOCATION of them) copies its payload.
      const target = readEdgeTarget(memory, { namePtr, nameLen, regionPtr, regionLen, payloadPtr, payloadLen, maxPayloadBytes: MAX_EDGE_PAYLOAD_BYTES, outPtr, outCap, outLenPtr });
      if (typeof target === "number") return target;
      const { functionName, region } = target;
      const calls = hostState(context, EDGE_INVOKE_STATE);
      if (calls.count >= MAX_EDGE_INVOKES_PER_INVOCATION) return HostStatus.quotaExceeded;
      const bridge = context.bridge;
      if (bridge === null) return HostStatus.notPermitted;
      calls.count++;
      checkDeadline(context);
      const payload = memory.readBytes(payloadPtr, payloadLen, MAX_EDGE_PAYLOAD_BYTES);

      const instance = context.instance!;
      const fuel = Number(getFuel(instance));
      return bridge.edgeInvoke({ functionName, region, payload, fuel, maxResponseBytes: outCap >>> 0 }).then((outcome) =>
        guardedAsync(async () => {
          takeHandoff(context, outcome);
          checkDeadline(context);
          chargeHostCallRest(context, price, outcome.output?.byteLength ?? 0);
          // The callee's fuel is the caller's: a chain never uses more than the caller's budget.
          chargeFuel(context, outcome.fuelUsed);
          if (outcome.callerOutOfFuel) throw new OutOfFuelInvocationError(context.fuelBudget);
          if (outcome.status === HostStatus.bufferTooSmall && outcome.required !== undefined) {
            memory.writeU32(outLenPtr, outcome.required);
            return HostStatus.bufferTooSmall;
          }
          if (outcome.status !== HostStatus.ok) return outcome.status;
          return writeResult(memory, outPtr, outCap, outLenPtr, outcome.output ?? new Uint8Array(0));
        }),
      );
    }),
};

export const EDGE_INVOKE_MODULE: HostModule = {
  name: "edge-invoke",
  importModule: HOST_MODULE,
  functions: [EDGE_INVOKE_FUNCTION],
  state: [EDGE_INVOKE_STATE],
  readsRequestHead: false,
};
