// How the Worker talks to a region object: the stub (with its location hint) and methods that throw the rebuilt
// runtime error classes instead of returning RPC results.

import type { Env } from "../env.ts";
import { type DeploymentBundle, errorFromSerialized, type FunctionVersion, type InvokeResult } from "../runtime/index.ts";
import { ModuleDigestMismatchError, ModuleMissingError } from "./errors.ts";
import type { InvokeOptions, RegionObject, RpcResult } from "./region-object.ts";
import { poolMemberNames, regionMemberStub, regionObjectStub } from "./region-pool.ts";

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
  return new PoolRegionClient(env, region);
}

/** Methods on the prototype: an invocation creates no closures here. */
class PoolRegionClient implements RegionClient {
  constructor(
    private readonly env: Env,
    readonly region: string,
  ) {}

  /** Every member of the pool applies it (member 0 also warms the versions up); true if any took it. */
  async activate(bundle: DeploymentBundle): Promise<boolean> {
    const results = await Promise.all(poolMemberNames(this.region).map((member, k) => this.member(member).activate(this.region, bundle, k === 0)));
    return results.map(unwrap).some((applied) => applied);
  }

  async deploymentStamp(name: string): Promise<number | null> {
    return unwrap(await this.member(this.region).deploymentStamp(name));
  }

  /** One invocation goes to one member of the pool, picked at random. */
  async invokeByName(name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult> {
    return unwrap(await regionObjectStub(this.env, this.region).invokeByName(this.region, name, payload, options));
  }

  async activeVersions(): Promise<FunctionVersion[]> {
    return unwrap(await this.member(this.region).activeVersions());
  }

  async secretsChanged(name: string): Promise<void> {
    const results = await Promise.all(poolMemberNames(this.region).map((member) => this.member(member).secretsChanged(name)));
    results.forEach(unwrap);
  }

  private member(name: string): DurableObjectStub<RegionObject> {
    return regionMemberStub(this.env, this.region, name);
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
