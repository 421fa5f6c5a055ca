// Queueing an asynchronous invocation on a guest's behalf (heliosdb_edge_invoke_async): the region host bridge's
// end of it. The invocation goes into a random shard of the callee's region's queue (src/invocations), carrying the
// caller's lineage (runtime/call-tree.ts): the chain, a slice of the tree's sandbox runs and the guest's fuel grant.
// Only the pure id module and types are taken from src/invocations, so this layer does not depend on the services.

import type { Env } from "../env.ts";
import { mintInvocationId, queueObjectName, shardCount } from "../invocations/invocation-id.ts";
import { MAX_ASYNC_PAYLOAD_BYTES } from "../invocations/async-limits.ts";
import type { NewInvocation } from "../invocations/invocation-queue-object.ts";
import { type AsyncLineage, DEFAULT_RETRY_POLICY } from "../runtime/index.ts";
import { isLocationHint } from "./region-client.ts";

export interface GuestEnqueue {
  region: string;
  functionName: string;
  payload: Uint8Array;
  lineage: AsyncLineage;
  requestId: string;
}

/** Queues it and returns its id; throws when the queue could not take it (the guest then sees calleeFailed). */
export async function enqueueFromGuest(env: Env, request: GuestEnqueue): Promise<string> {
  if (request.payload.byteLength > MAX_ASYNC_PAYLOAD_BYTES) throw new RangeError("payload over the queue's limit");
  const { id, address } = mintInvocationId(request.region, shardCount(env.HELIOS_ASYNC_SHARDS));
  const stub = env.INVOCATIONS.get(env.INVOCATIONS.idFromName(queueObjectName(address)), isLocationHint(request.region) ? { locationHint: request.region } : undefined);
  const payload = request.payload;
  const bytes = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload.buffer : payload.slice().buffer;
  const entry: NewInvocation = {
    id,
    region: request.region,
    functionName: request.functionName,
    target: { point: Math.random() },
    payload: bytes as ArrayBuffer,
    // The result belongs to the deployer: reading an invocation a guest queued always needs the token (the caller
    // may hand the id to anyone; its callee may be private).
    private: true,
    // A call from inside the deployment reaches private functions, as an edge call does.
    authorized: true,
    requestId: request.requestId,
    maxAttempts: DEFAULT_RETRY_POLICY.maxAttempts,
    lineage: request.lineage,
  };
  await stub.enqueue(entry);
  return id;
}
