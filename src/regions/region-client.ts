// How the Worker talks to a region object: the stub (with its location hint) and methods that throw the rebuilt
// runtime error classes instead of returning RPC results.

import type { Env } from "../env.ts";
import type { DeploymentBundle, FunctionVersion, InvokeResult } from "../runtime/index.ts";
import type { InvokeOptions, RegionObject, RpcResult } from "./region-object.ts";
import { poolMemberNames, regionMemberStub, regionObjectStub } from "./region-pool.ts";
import { unwrapRpc } from "./rpc-result.ts";
import { existingIsolateInvoker } from "./isolate-invoker.ts";

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

  /**
   * Every member of the pool applies it (member 0 also warms the versions up); true if any took it. This isolate's
   * own deployment cache applies it too, whatever the members answered: every bundle pushed is the registry's,
   * already committed, so the deploy this isolate processed is what it runs from now on.
   */
  async activate(bundle: DeploymentBundle): Promise<boolean> {
    try {
      const results = await Promise.all(poolMemberNames(this.region).map((member, k) => this.member(member).activate(this.region, bundle, k === 0)));
      return results.map(unwrapRpc).some((applied) => applied);
    } finally {
      existingIsolateInvoker(this.env)?.pushed(this.region, bundle);
    }
  }

  async deploymentStamp(name: string): Promise<number | null> {
    return unwrapRpc(await this.member(this.region).deploymentStamp(name));
  }

  /** One invocation goes to one member of the pool, picked at random. */
  async invokeByName(name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult> {
    return unwrapRpc(await regionObjectStub(this.env, this.region).invokeByName(this.region, name, payload, options));
  }

  async activeVersions(): Promise<FunctionVersion[]> {
    return unwrapRpc(await this.member(this.region).activeVersions());
  }

  async secretsChanged(name: string): Promise<void> {
    existingIsolateInvoker(this.env)?.secretsChanged(name);
    const results = await Promise.all(poolMemberNames(this.region).map((member) => this.member(member).secretsChanged(name)));
    results.forEach(unwrapRpc);
  }

  private member(name: string): DurableObjectStub<RegionObject> {
    return regionMemberStub(this.env, this.region, name);
  }
}
