// How the Worker talks to a region object: the stub (with its location hint) and methods that throw the rebuilt
// runtime error classes instead of returning RPC results.

import type { Env } from "../env.ts";
import { type DeploymentBundle, errorFromSerialized, type FunctionVersion, type InvokeResult } from "../runtime/index.ts";
import { ModuleDigestMismatchError, ModuleMissingError } from "./errors.ts";
import type { InvokeOptions, RegionObject, RpcResult } from "./region-object.ts";

/** Cloudflare's Durable Object location hints; a region named after one is placed there on first use. */
export const LOCATION_HINTS: readonly DurableObjectLocationHint[] = [
  "wnam",
  "enam",
  "sam",
  "weur",
  "eeur",
  "apac",
  "oc",
  "afr",
  "me",
];

export interface RegionClient {
  readonly region: string;
  /** Returns false when the region already holds this or a newer deployment of the function (the call changed nothing). */
  activate(bundle: DeploymentBundle): Promise<boolean>;
  /** The sequence number of the deployment the region holds for `name`, or null. */
  deploymentStamp(name: string): Promise<number | null>;
  invokeByName(name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult>;
  activeVersions(): Promise<FunctionVersion[]>;
  /** The function's secrets changed: the region drops what it holds of them. */
  secretsChanged(name: string): Promise<void>;
}

export function isLocationHint(region: string): region is DurableObjectLocationHint {
  return (LOCATION_HINTS as readonly string[]).includes(region);
}

export function regionClient(env: Env, region: string): RegionClient {
  // The hint only matters the first time the object is created; later gets reach it wherever it lives.
  const stub = env.REGION.get(regionObjectId(env.REGION, region), isLocationHint(region) ? { locationHint: region } : undefined);
  return new StubRegionClient(region, stub);
}

/** Ids remembered per namespace: enough for every configured region; names past it are looked up every time. */
const MAX_REMEMBERED_IDS = 64;
const regionIds = new WeakMap<Env["REGION"], Map<string, DurableObjectId>>();

/**
 * The object id for a region name. idFromName is a pure function of namespace and name, so it is computed once per
 * name (ids, unlike stubs, may be kept across requests); the stub is still made per call.
 */
function regionObjectId(namespace: Env["REGION"], region: string): DurableObjectId {
  let ids = regionIds.get(namespace);
  if (ids === undefined) {
    ids = new Map();
    regionIds.set(namespace, ids);
  }
  let id = ids.get(region);
  if (id === undefined) {
    id = namespace.idFromName(region);
    if (ids.size < MAX_REMEMBERED_IDS) ids.set(region, id);
  }
  return id;
}

/** Methods on the prototype: an invocation creates no closures here. */
class StubRegionClient implements RegionClient {
  constructor(
    readonly region: string,
    private readonly stub: DurableObjectStub<RegionObject>,
  ) {}

  async activate(bundle: DeploymentBundle): Promise<boolean> {
    return unwrap(await this.stub.activate(this.region, bundle));
  }

  async deploymentStamp(name: string): Promise<number | null> {
    return unwrap(await this.stub.deploymentStamp(name));
  }

  async invokeByName(name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult> {
    return unwrap(await this.stub.invokeByName(this.region, name, payload, options));
  }

  async activeVersions(): Promise<FunctionVersion[]> {
    return unwrap(await this.stub.activeVersions());
  }

  async secretsChanged(name: string): Promise<void> {
    return unwrap(await this.stub.secretsChanged(name));
  }
}

function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  const { code, details } = result.error;
  // This layer's own failures are rebuilt here; the runtime layer cannot know them.
  if (code === "module_missing") throw new ModuleMissingError(String(details.key));
  if (code === "module_digest_mismatch") {
    throw new ModuleDigestMismatchError(String(details.key), String(details.expected), String(details.actual));
  }
  throw errorFromSerialized(result.error);
}
