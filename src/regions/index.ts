// Region layer: the pool of Durable Objects per region that hold the deployments, their client, and the Worker's
// own hot path (an isolate's deployment cache and invoker).

export * from "./errors.ts";
export * from "./module-cache.ts";
export { regionConfig, type RegionConfig } from "./region-config.ts";
export { type RegionClient, LOCATION_HINTS, isLocationHint, regionClient } from "./region-client.ts";
export { RegionObject, type InvokeOptions, type RpcResult } from "./region-object.ts";
export { headOf, type HttpHead } from "./invocation-runner.ts";
export { REGION_POOL_SIZE, poolMemberName, poolMemberNames } from "./region-pool.ts";
export { IsolateInvoker, isolateInvoker, WORKER_MODULE_CACHE_BYTES } from "./isolate-invoker.ts";
export { DEPLOYMENT_CACHE_MS, IsolateDeployments, MAX_CACHED_DEPLOYMENTS, type SnapshotSource } from "./isolate-deployments.ts";
