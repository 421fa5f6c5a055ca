// RegionObject: a region's Durable Object. It holds the deployment of each function deployed there (in memory,
// backed by its SQLite storage, held-deployments.ts) and runs the invocations that are sent to it through the shared
// invocation runner (invocation-runner.ts). Most invocations never come here: the Worker runs them itself
// (isolate-invoker.ts). What does: edge calls into this region from another, invocations that name a region other
// than the one the request runs in (spread over a pool of objects per region, region-pool.ts), and the deploy pushes.
// A deployment it missed (a push that never arrived) is caught up on use: at most once per recheck interval per
// function, in the background, it asks the registry whether a newer deployment exists.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { registryStub } from "../registry/registry-stub.ts";
import { type DeploymentBundle, type FunctionVersion, type InvokeResult, NotDeployedInRegionError, routedVersions } from "../runtime/index.ts";
import { ObservationSink } from "../observe/index.ts";
import { type HeldDeployment, HeldDeployments } from "./held-deployments.ts";
import { type ChainedCall, type DeploymentSource, InvocationRunner, type InvokeOptions, type RpcResult, type RunScope, settle } from "./invocation-runner.ts";
import { regionObjectStub } from "./region-pool.ts";

export type { ChainedCall, InvokeOptions, RpcResult } from "./invocation-runner.ts";

/** A member's answer to a Worker's deployment cache: the held deployment's stamp, secrets fingerprint, and bundle if newer. */
export interface DeploymentSnapshot {
  seq: number;
  /** secretsFingerprint of the function's secrets ("" for none, and where the member does not serve the region). */
  secrets: string;
  bundle: DeploymentBundle | null;
}

/** Default of HELIOS_DEPLOYMENT_RECHECK_MS: how often a region asks the registry about a function it serves. */
export const DEPLOYMENT_RECHECK_MS = 10_000;

export class RegionObject extends DurableObject<Env> implements DeploymentSource {
  private readonly deployments: HeldDeployments;
  private readonly runner: InvocationRunner;
  private readonly scope: RunScope;
  private readonly recheckMs: number;
  /** Invocations (by name and chained) this object has run since it started: tests show what bypasses it. */
  private invocations = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
    this.scope = { observer: new ObservationSink(env, waitUntil), waitUntil };
    this.deployments = new HeldDeployments(ctx.storage.sql);
    this.runner = new InvocationRunner(env, this, (target, name, bytes, call) => regionObjectStub(env, target).invokeChained(target, name, bytes, call));
    const recheck = Number(env.HELIOS_DEPLOYMENT_RECHECK_MS);
    this.recheckMs = env.HELIOS_DEPLOYMENT_RECHECK_MS !== undefined && Number.isFinite(recheck) && recheck >= 0 ? recheck : DEPLOYMENT_RECHECK_MS;
  }

  /**
   * Applies a deployment if its sequence number is above the one held for its name (the version numbers it routes
   * to play no part: a rollback is an ordinary newer deployment). A late, reordered push changes nothing. A region
   * outside the deployment's regions holds it too, serving nothing, so an older deployment cannot revive the name
   * there. Returns whether it took effect. `warm`: load and start the versions' isolates after answering.
   */
  async activate(region: string, bundle: DeploymentBundle, warm = true): Promise<RpcResult<boolean>> {
    return settle(() => this.apply(region, bundle, warm));
  }

  /** The sequence number of the deployment held for `name` (its deployment stamp), or null. */
  async deploymentStamp(name: string): Promise<RpcResult<number | null>> {
    return settle(() => this.deployments.get(name)?.deployment.seq ?? null);
  }

  /** The function's secrets changed: drops what this region holds of them, so the next invocation fetches them. */
  async secretsChanged(name: string): Promise<RpcResult<void>> {
    return settle(() => this.runner.secretsChanged(name));
  }

  /** Every version the deployments this region serves route to (for inspection and tests). */
  async activeVersions(): Promise<RpcResult<FunctionVersion[]>> {
    return settle(() => [...this.deployments].flatMap((held) => (held.deployment.routes === null ? [] : [...held.versions.values()])));
  }

  /** How many invocations this object has run since it started (tests: the hot path never comes here). */
  async invocationCount(): Promise<number> {
    return this.invocations;
  }

  /** The versions the named functions' default routes run here, by primary version (a database's trigger functions);
   *  `region` is this object's region (a function held here but deployed elsewhere is not deployed here). */
  async activeVersionsOf(names: string[], region?: string): Promise<RpcResult<FunctionVersion[]>> {
    return settle(() => names.flatMap((name) => {
      const { deployment, versions } = this.deployments.get(name) ?? {};
      if (!deployment?.routes || (region !== undefined && !deployment.regions.includes(region))) return [];
      const record = versions?.get(deployment.routes.default[0].version);
      return record ? [record] : [];
    }));
  }

  async invokeByName(region: string, name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<RpcResult<InvokeResult>> {
    this.invocations++;
    return settle(() => this.runner.invokeByName(region, name, payload, options, this.scope));
  }

  /** An edge_invoke from another function; the bridge that called this has already checked the chain. */
  async invokeChained(region: string, name: string, payload: Uint8Array, call: ChainedCall): Promise<RpcResult<InvokeResult>> {
    this.invocations++;
    return this.runner.invokeChained(region, name, payload, call, this.scope);
  }

  /** The deployment serving `name` here, or not_deployed_in_region; starts a catch-up check when one is due. */
  serving(region: string, name: string): HeldDeployment {
    const held = this.deployments.get(name);
    if (held === undefined || held.deployment.routes === null || !held.deployment.regions.includes(region)) {
      throw new NotDeployedInRegionError(name, region);
    }
    this.recheckIfDue(region, name, held);
    return held;
  }

  /**
   * What a Worker's deployment cache (isolate-deployments.ts) revalidates against: the deployment this member holds
   * for `name` (whether or not it serves `region`) and the fingerprint of the function's current secrets; the bundle
   * only when it is newer than `knownSeq`. Null: no deployment of the name has reached this member.
   */
  async snapshot(region: string, name: string, knownSeq: number): Promise<RpcResult<DeploymentSnapshot | null>> {
    return settle(async () => {
      const held = this.deployments.get(name);
      if (held === undefined) return null;
      this.recheckIfDue(region, name, held);
      const serves = held.deployment.routes !== null && held.deployment.regions.includes(region);
      const secrets = serves ? (await this.runner.secrets.get(name)).fingerprint : "";
      const { deployment } = held;
      const bundle = deployment.seq > knownSeq ? { deployment, versions: serves ? [...held.versions.values()] : [] } : null;
      return { seq: deployment.seq, secrets, bundle };
    });
  }

  /** Starts a catch-up check (in the background) when the last one for `name` is older than the recheck interval. */
  private recheckIfDue(region: string, name: string, held: HeldDeployment): void {
    const now = Date.now();
    if (now - held.checkedAt < this.recheckMs) return;
    held.checkedAt = now;
    this.ctx.waitUntil(this.catchUp(region, name, held.deployment.seq).catch(() => undefined));
  }

  holds(_region: string, record: FunctionVersion): boolean {
    return this.deployments.get(record.name)?.versions.get(record.version) === record;
  }

  private apply(region: string, bundle: DeploymentBundle, warm: boolean): boolean {
    const name = bundle.deployment.name;
    if (!this.deployments.apply(bundle, Date.now())) return false;
    this.runner.deploymentChanged(name, routedVersions(bundle.deployment.routes));
    // Warm up after answering: load the modules and start their isolates, so the first invocation after a deploy
    // does not pay for R2, hashing and compilation. A failure here resurfaces, with its code, on invocation.
    if (warm && bundle.deployment.regions.includes(region)) {
      for (const version of bundle.versions) this.ctx.waitUntil(this.runner.warm(region, version).catch(() => undefined));
    }
    return true;
  }

  /** Applies the registry's deployment of `name` if it is newer than `seq` (this region missed it). */
  private async catchUp(region: string, name: string, seq: number): Promise<void> {
    const newer = await registryStub(this.env).deploymentIfNewer(name, seq);
    if (newer !== null) this.apply(region, newer.deployment.regions.includes(region) ? newer : { ...newer, versions: [] }, true);
  }
}
