// What one invocation carries across the RPC into its sandbox isolate and back: the arguments as one array, and the
// common outcome (a success with nothing but its output and usage) as another. workerd clones an RPC's arguments and
// result with V8's serializer (src/workerd/api/worker-rpc.c++, serializeJsValue / deserializeJsValue), where every
// object property costs its key, written and then internalized again on the other side, and every nested object one
// more allocation; a positional array carries the same values without the keys. Both ends are this repository's code
// (the isolate's bundle is part of its cache key: sandbox-isolate.ts), so the two shapes never meet another version.

import type { HostBridge } from "./host-bridge.ts";
import type { InvocationOutcome } from "./invocation.ts";
import type { InvocationRequest } from "./sandbox-settings.ts";

/**
 * The one argument of the isolate's invoke: the payload, the request's fields, and the parent's bridge (null when
 * the profile has no async host calls), by position.
 */
export type SandboxCall = [
  payload: ArrayBuffer,
  fuel: number,
  maxResponseBytes: number,
  deadline: number | undefined,
  http: InvocationRequest["http"],
  bridge: HostBridge | null,
];

/** A success that logged nothing, leaked nothing, made no host call and set no response head. */
type PlainSuccess = [output: ArrayBuffer, fuelUsed: number, memoryPages: number];

/** The outcome on the wire: a plain success as a PlainSuccess, anything else as the outcome object itself. */
export type WireOutcome = PlainSuccess | InvocationOutcome;

export function sandboxCall(payload: ArrayBuffer, request: InvocationRequest, bridge: HostBridge | null): SandboxCall {
  return [payload, request.fuel, request.maxResponseBytes, request.deadline, request.http, bridge];
}

/** The request a SandboxCall carries (fields absent from the call stay absent). */
export function callRequest(call: SandboxCall): InvocationRequest {
  const request: InvocationRequest = { fuel: call[1], maxResponseBytes: call[2] };
  if (call[3] !== undefined) request.deadline = call[3];
  if (call[4] !== undefined) request.http = call[4];
  return request;
}

export function toWire(outcome: InvocationOutcome): WireOutcome {
  if (!outcome.ok || outcome.response !== undefined || outcome.logs.length > 0 || outcome.leakedBlocks !== 0 || outcome.leakedBytes !== 0) return outcome;
  for (const _ in outcome.hostCalls) return outcome;
  return [outcome.output, outcome.fuelUsed, outcome.memoryPages];
}

export function fromWire(wire: WireOutcome): InvocationOutcome {
  if (!Array.isArray(wire)) return wire;
  return { ok: true, output: wire[0], fuelUsed: wire[1], memoryPages: wire[2], logs: [], leakedBlocks: 0, leakedBytes: 0, hostCalls: {} };
}
