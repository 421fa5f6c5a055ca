// What the API (and the guests' heliosdb_edge_invoke_async) do with asynchronous invocations: queue one in a random
// shard of its region after checking, from the region's memory, that the function exists there and who may run it;
// read one back from the shard its id names; list and act on a function's dead letters.

import type { Env } from "../env.ts";
import { isLocationHint } from "../regions/index.ts";
import { registryStub } from "../registry/index.ts";
import { type FunctionVersion, MAX_ATTEMPTS_CEILING, DEFAULT_RETRY_POLICY, NotDeployedInRegionError, PayloadTooLargeError, UnauthorizedError, UnknownFunctionError } from "../runtime/index.ts";
import { MAX_ASYNC_PAYLOAD_BYTES } from "./async-limits.ts";
import { type InvocationAddress, mintInvocationId, parseInvocationId, queueObjectName, shardCount } from "./invocation-id.ts";
import type { AsyncTarget, InvocationQueueObject, InvocationView } from "./invocation-queue-object.ts";
import type { InvocationStatus } from "./queue-schema.ts";

export interface AsyncRequest {
  region: string;
  functionName: string;
  target: AsyncTarget;
  payload: ArrayBuffer;
  /** The caller may invoke the function privately. */
  authorized: boolean;
  requestId: string;
  /** Attempts in all; default DEFAULT_RETRY_POLICY.maxAttempts, at most MAX_ATTEMPTS_CEILING. */
  maxAttempts?: number;
}

export function queueStub(env: Env, address: InvocationAddress): DurableObjectStub<InvocationQueueObject> {
  const id = env.INVOCATIONS.idFromName(queueObjectName(address));
  return env.INVOCATIONS.get(id, isLocationHint(address.region) ? { locationHint: address.region } : undefined);
}

/** Queues the invocation and returns its id; refuses at once what no attempt could run. */
export async function enqueueInvocation(env: Env, request: AsyncRequest): Promise<string> {
  const record = await defaultVersion(env, request.region, request.functionName);
  if (record.private && !request.authorized) throw new UnauthorizedError(request.functionName);
  const limit = Math.min(record.limits.maxPayloadBytes, MAX_ASYNC_PAYLOAD_BYTES);
  if (request.payload.byteLength > limit) throw new PayloadTooLargeError(limit, request.payload.byteLength);
  const maxAttempts = Math.min(MAX_ATTEMPTS_CEILING, Math.max(1, request.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts));
  const { id, address } = mintInvocationId(request.region, shardCount(env.HELIOS_ASYNC_SHARDS));
  await queueStub(env, address).enqueue({
    id,
    region: request.region,
    functionName: request.functionName,
    target: request.target,
    payload: request.payload,
    private: record.private,
    authorized: request.authorized,
    requestId: request.requestId,
    maxAttempts,
  });
  return id;
}

/** The invocation, or null for an id that is malformed, unknown or expired (the caller answers 404 either way). */
export async function readInvocation(env: Env, regions: readonly string[], id: string): Promise<InvocationView | null> {
  const address = parseInvocationId(id, regions, shardCount(env.HELIOS_ASYNC_SHARDS));
  return address === null ? null : queueStub(env, address).view(id);
}

/** A function's invocations in one status, over every shard of the given regions (oldest first per shard). */
export async function listInvocations(env: Env, regions: readonly string[], functionName: string, status: InvocationStatus, limit: number): Promise<InvocationView[]> {
  const shards = shardCount(env.HELIOS_ASYNC_SHARDS);
  const lists = await Promise.all(
    regions.flatMap((region) => Array.from({ length: shards }, (_, shard) => queueStub(env, { region, shard }).list(functionName, status, limit))),
  );
  return lists.flat().sort((a, b) => a.createdAt.localeCompare(b.createdAt)).slice(0, limit);
}

/** The version the function's default route runs in the region: from the region's memory, else the registry. */
async function defaultVersion(env: Env, region: string, name: string): Promise<FunctionVersion> {
  const stub = env.REGION.get(env.REGION.idFromName(region), isLocationHint(region) ? { locationHint: region } : undefined);
  const held = await stub.activeVersionsOf([name], region);
  if (held.ok && held.value.length > 0) return held.value[0];
  // The cold path, as the synchronous one takes it (src/services/invocation-service.ts): the region may have missed it.
  const current = await registryStub(env).currentDeployment(name);
  if (current === null || current.deployment.routes === null) throw new UnknownFunctionError(name);
  if (!current.deployment.regions.includes(region)) throw new NotDeployedInRegionError(name, region);
  const record = current.versions.find((v) => v.version === current.deployment.routes!.default[0].version);
  if (record === undefined) throw new UnknownFunctionError(name);
  return record;
}
