// The Worker isolate's deployment cache: for each region and function the Worker runs itself, the deployment it
// last learned of, with its version records and the fingerprint of the function's secrets. An entry is trusted for
// HELIOS_DEPLOYMENT_CACHE_MS (default 1 s); the first invocation after that revalidates it against one member of the
// region's pool, picked at random (a stamp check: the member sends the bundle only when its sequence number is
// newer). A deploy, rollback, route or alias change, delete or secret change that this isolate itself processed is
// applied here before it answers (region-client.ts), so it is visible at once in this isolate.
//
// Entries are plain data (deployment, records, stamps): nothing here belongs to one request's I/O context, so an
// entry filled by one request serves every later one. Revalidations are not shared between concurrent requests (a
// pending promise tied to one request's I/O would be resolved into another's, which workerd refuses once the first
// has ended: io/io-own.c++, "A promise was resolved or rejected from a different request context"); each stale
// request asks for itself, which is at most a few stamp checks per interval.

import type { Env } from "../env.ts";
import { type DeploymentBundle, type FunctionVersion, NotDeployedInRegionError, routedVersions } from "../runtime/index.ts";
import type { HeldDeployment } from "./held-deployments.ts";
import type { DeploymentSource } from "./invocation-runner.ts";
import type { DeploymentSnapshot, RpcResult } from "./region-object.ts";
import { unwrapRpc } from "./rpc-result.ts";
import { regionObjectStub } from "./region-pool.ts";

/** Default of HELIOS_DEPLOYMENT_CACHE_MS: how long a Worker isolate trusts the deployment it holds for a function. */
export const DEPLOYMENT_CACHE_MS = 1_000;
/** Entries kept per isolate (region and function); least recently refreshed first out. */
export const MAX_CACHED_DEPLOYMENTS = 1_024;

/** One region's pool member answering a snapshot (the real one: regionObjectStub; tests may count or delay). */
export type SnapshotSource = (region: string, name: string, knownSeq: number) => Promise<RpcResult<DeploymentSnapshot | null>>;

/** What the cache tells the runner about changes it learned of by revalidating. */
export interface DeploymentListener {
  deploymentChanged(name: string, routed: number[]): void;
  secretsChanged(name: string): void;
}

interface CachedDeployment {
  held: HeldDeployment;
  /** The secrets fingerprint last seen for the function ("" for none). */
  secrets: string;
  /** When the entry was last confirmed current (Date.now()). */
  checkedAt: number;
}

export function deploymentCacheMs(env: Env): number {
  const value = Number(env.HELIOS_DEPLOYMENT_CACHE_MS);
  return env.HELIOS_DEPLOYMENT_CACHE_MS !== undefined && Number.isFinite(value) && value >= 0 ? value : DEPLOYMENT_CACHE_MS;
}

export function poolSnapshots(env: Env): SnapshotSource {
  return (region, name, knownSeq) => regionObjectStub(env, region).snapshot(region, name, knownSeq);
}

export class IsolateDeployments implements DeploymentSource {
  private readonly entries = new Map<string, CachedDeployment>();
  /** Stands for secrets this isolate knows changed but has not yet seen the new fingerprint of. */
  private static readonly SECRETS_CHANGED = "\u0000changed";

  constructor(
    private readonly snapshots: SnapshotSource,
    private readonly listener: DeploymentListener,
    private readonly ttlMs: number,
  ) {}

  /** The deployment serving `name` in `region`: from memory while fresh, else after a stamp check with the pool. */
  serving(region: string, name: string): HeldDeployment | Promise<HeldDeployment> {
    const entry = this.entries.get(cacheKey(region, name));
    if (entry !== undefined && Date.now() - entry.checkedAt < this.ttlMs) return servedIn(region, name, entry.held);
    return this.refresh(region, name).then((held) => servedIn(region, name, held));
  }

  holds(region: string, record: FunctionVersion): boolean {
    return this.entries.get(cacheKey(region, record.name))?.held.versions.get(record.version) === record;
  }

  /** A deployment this isolate pushed to `region` (it is the registry's, already committed): applied if newer. */
  pushed(region: string, bundle: DeploymentBundle): void {
    const key = cacheKey(region, bundle.deployment.name);
    const entry = this.entries.get(key);
    if (entry !== undefined && bundle.deployment.seq <= entry.held.deployment.seq) return;
    // install() drops the function's secrets (a deploy may carry new ones); the next revalidation learns their
    // fingerprint without dropping them a second time.
    this.install(key, bundle, IsolateDeployments.SECRETS_CHANGED);
  }

  /** The function's secrets changed (this isolate processed the change): the runner already dropped its own. */
  secretsChangedHere(name: string): void {
    for (const entry of this.entries.values()) if (entry.held.deployment.name === name) entry.secrets = IsolateDeployments.SECRETS_CHANGED;
  }

  get size(): number {
    return this.entries.size;
  }

  private async refresh(region: string, name: string): Promise<HeldDeployment> {
    const key = cacheKey(region, name);
    const before = this.entries.get(key);
    const snapshot = unwrapRpc(await this.snapshots(region, name, before?.held.deployment.seq ?? 0));
    const current = this.entries.get(key);
    if (snapshot === null) {
      // The pool has never heard of the name: not cached, so the service's repair (registry, then a push) is seen.
      if (current === before) this.entries.delete(key);
      throw new NotDeployedInRegionError(name, region);
    }
    if (current !== undefined && snapshot.seq <= current.held.deployment.seq) {
      // What this isolate holds is current (or newer: a push it made that the member answered before receiving).
      current.checkedAt = Date.now();
      if (current.secrets !== snapshot.secrets) {
        if (current.secrets !== IsolateDeployments.SECRETS_CHANGED) this.listener.secretsChanged(name);
        current.secrets = snapshot.secrets;
      }
      return current.held;
    }
    if (snapshot.bundle === null) {
      // Only if the entry went between the request and the answer: ask again for the whole bundle.
      return this.refresh(region, name);
    }
    return this.install(key, snapshot.bundle, snapshot.secrets).held;
  }

  private install(key: string, bundle: DeploymentBundle, secrets: string): CachedDeployment {
    const { deployment, versions } = bundle;
    const entry = { held: { deployment, versions: new Map(versions.map((v) => [v.version, v])), checkedAt: 0 }, secrets, checkedAt: Date.now() };
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= MAX_CACHED_DEPLOYMENTS) break;
      this.entries.delete(oldest);
    }
    this.listener.deploymentChanged(deployment.name, routedVersions(deployment.routes));
    return entry;
  }
}

function cacheKey(region: string, name: string): string {
  return `${region}\u0000${name}`;
}

/** The same rule as the region object's: a deployment that stopped or does not list the region serves nothing there. */
function servedIn(region: string, name: string, held: HeldDeployment): HeldDeployment {
  if (held.deployment.routes === null || !held.deployment.regions.includes(region)) throw new NotDeployedInRegionError(name, region);
  return held;
}
