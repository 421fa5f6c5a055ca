// The region objects of a region: a pool of REGION_POOL_SIZE Durable Objects, so no single object carries all of a
// region's invocations that must run there (those naming a region other than the one the request runs in, and edge
// calls into it). Member 0 is named after the region itself (the object that existed before the pool, with its
// stored deployments; database objects ask it for trigger functions), members 1.. are "<region>#<k>". Every member
// is created with the region's location hint and receives every deployment push (deploy-service.ts).

import type { Env } from "../env.ts";
import type { RegionObject } from "./region-object.ts";
import { isLocationHint } from "./region-client.ts";

/** Region objects per region (each with its own module cache and held deployments; docs/limits.md). */
export const REGION_POOL_SIZE = 8;

/** The object name of pool member `k` of `region`. */
export function poolMemberName(region: string, k: number): string {
  return k === 0 ? region : `${region}#${k}`;
}

/** Every member's name, member 0 first. */
export function poolMemberNames(region: string): string[] {
  return Array.from({ length: REGION_POOL_SIZE }, (_, k) => poolMemberName(region, k));
}

/** Ids remembered per namespace: idFromName is a pure function of namespace and name, so it is computed once. */
const MAX_REMEMBERED_IDS = 256;
const rememberedIds = new WeakMap<Env["REGION"], Map<string, DurableObjectId>>();

function objectId(namespace: Env["REGION"], name: string): DurableObjectId {
  let ids = rememberedIds.get(namespace);
  if (ids === undefined) rememberedIds.set(namespace, (ids = new Map()));
  let id = ids.get(name);
  if (id === undefined) {
    id = namespace.idFromName(name);
    if (ids.size < MAX_REMEMBERED_IDS) ids.set(name, id);
  }
  return id;
}

/** The stub of one named member (the hint only matters the first time the object is created). */
export function regionMemberStub(env: Env, region: string, member: string): DurableObjectStub<RegionObject> {
  return env.REGION.get(objectId(env.REGION, member), isLocationHint(region) ? { locationHint: region } : undefined);
}

/** A pool member for one invocation: picked at random, so a region's load spreads over the whole pool. */
export function regionObjectStub(env: Env, region: string): DurableObjectStub<RegionObject> {
  return regionMemberStub(env, region, poolMemberName(region, Math.floor(Math.random() * REGION_POOL_SIZE)));
}
