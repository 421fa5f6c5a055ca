// Bindings and variables the Worker receives (wrangler.toml declares them; .dev.vars holds the local secret).

import type { DatabaseObject } from "./database/database-object.ts";
import type { InvocationQueueObject } from "./invocations/invocation-queue-object.ts";
import type { ObservationObject } from "./observe/observation-object.ts";
import type { RegionObject } from "./regions/region-object.ts";
import type { RegistryObject } from "./registry/registry-object.ts";

export interface Env {
  /** Worker Loader: runs each guest in its own isolate, keyed by module sha256 and settings. */
  LOADER: WorkerLoader;
  /** Content-addressed module store. Keys: `modules/<sha256>.wasm` (original as uploaded) and
   *  `instrumented/<sha256 of instrumented bytes>.wasm` (what the sandbox runs). See docs/architecture.md. */
  MODULES: R2Bucket;
  /** Function metadata: one object named "global", SQLite-backed, strongly consistent. */
  REGISTRY: DurableObjectNamespace<RegistryObject>;
  /** A pool of objects per configured region (region-pool.ts); holds the deployments and runs the invocations the
   *  Worker does not run itself (an explicitly requested other region, edge calls into a region). */
  REGION: DurableObjectNamespace<RegionObject>;
  /** One object per region and database, named "<region>/<db>": the database's SQL data. */
  DATABASE: DurableObjectNamespace<DatabaseObject>;
  /** One object per function and region, named "<function>/<region>": its log lines and per-minute metrics. */
  OBSERVATIONS: DurableObjectNamespace<ObservationObject>;
  /** Asynchronous invocation queue shards, named "<region>#<k>" (src/invocations/invocation-id.ts). */
  INVOCATIONS: DurableObjectNamespace<InvocationQueueObject>;
  /** Operator only: queue shards per region for asynchronous invocations. Default 8 (docs/limits.md). */
  HELIOS_ASYNC_SHARDS?: string;
  /** Bearer token for deploy/list/get/delete and private invocation (wrangler secret; .dev.vars locally). */
  HELIOS_TOKEN: string;
  /** AES-256-GCM key for function secrets at rest: base64 of 32 random bytes (wrangler secret; `npm start` writes one
   *  into .dev.vars). Without it, secrets can be neither set nor read; functions without secrets run as usual. */
  HELIOS_SECRETS_KEY?: string;
  /** Comma-separated configured region names, e.g. "wnam,enam,weur,apac". */
  REGIONS: string;
  /** Region used when the request names none and the caller's location gives no answer. */
  DEFAULT_REGION: string;
  /** Operator only: comma-separated private `host[:port]`s deployers may put on allow-lists (docs/limits.md). */
  HELIOS_OUTBOUND_ALLOW_PRIVATE?: string;
  /** Operator only: comma-separated extra hostnames of this runtime, refused as outbound targets. */
  HELIOS_SELF_HOSTS?: string;
  /** Operator only: how often (ms) a region object asks the registry whether a function it serves has a newer
   *  deployment it missed; on use, in the background. Default 10000 (docs/limits.md). */
  HELIOS_DEPLOYMENT_RECHECK_MS?: string;
  /** Operator only: how long (ms) a Worker isolate trusts the deployment it holds for a function before it checks
   *  the region's pool again (src/regions/isolate-deployments.ts). Default 1000 (docs/limits.md). */
  HELIOS_DEPLOYMENT_CACHE_MS?: string;
}
