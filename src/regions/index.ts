// Region layer: the per-region Durable Object that holds active versions and runs invocations, and its client.

export * from "./errors.ts";
export * from "./module-cache.ts";
export { regionConfig, type RegionConfig } from "./region-config.ts";
export { type RegionClient, LOCATION_HINTS, isLocationHint, regionClient } from "./region-client.ts";
export { RegionObject, type InvokeOptions, type RpcResult } from "./region-object.ts";
export { REGION_POOL_SIZE, poolMemberName, poolMemberNames } from "./region-pool.ts";
