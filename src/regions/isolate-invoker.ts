// The Worker's own hot path: an invocation that needs no region-pinned state runs in the Worker isolate that
// received the request, through its own Worker Loader binding, with no Durable Object in the way. The shared
// invocation runner (invocation-runner.ts) does the work, as in a region object; what differs is where the
// deployments come from (isolate-deployments.ts: a cache revalidated against the region's pool) and where
// observations and background work go (the request's waitUntil). A function with a database still runs in its
// database's object (the runner sends it there directly); an edge call to another region goes to that region's pool.

import type { Env } from "../env.ts";
import { ObservationSink } from "../observe/index.ts";
import { type DeploymentBundle, failureOf, type InvocationObserver, type InvocationRecord, type InvokeResult } from "../runtime/index.ts";
import { deploymentCacheMs, IsolateDeployments, poolSnapshots, type SnapshotSource } from "./isolate-deployments.ts";
import { INTERNAL_ERROR_CODE, InvocationRunner, type InvokeOptions, type RunScope, type WaitUntil } from "./invocation-runner.ts";
import { regionObjectStub } from "./region-pool.ts";
import { unwrapRpc } from "./rpc-result.ts";

/** Module bytes a Worker isolate keeps (its memory is shared with the API; a region object keeps 64 MiB). */
export const WORKER_MODULE_CACHE_BYTES = 32 * 1024 * 1024;

export interface IsolateInvokerOptions {
  snapshots?: SnapshotSource;
  ttlMs?: number;
}

export class IsolateInvoker {
  readonly deployments: IsolateDeployments;
  private readonly runner: InvocationRunner;
  /** One buffer for the whole isolate, so concurrent invocations share a flush (one call per function and region). */
  private readonly sink: ObservationSink;
  /** The waitUntil of the request whose record is being observed (set only for the synchronous observe call). */
  private flushOwner: WaitUntil | undefined;

  constructor(env: Env, options: IsolateInvokerOptions = {}) {
    const listener = {
      deploymentChanged: (name: string, routed: number[]) => this.runner.deploymentChanged(name, routed),
      secretsChanged: (name: string) => this.runner.secretsChanged(name),
    };
    this.deployments = new IsolateDeployments(options.snapshots ?? poolSnapshots(env), listener, options.ttlMs ?? deploymentCacheMs(env));
    this.runner = new InvocationRunner(
      env,
      this.deployments,
      (target, name, bytes, call) => regionObjectStub(env, target).invokeChained(target, name, bytes, call),
      WORKER_MODULE_CACHE_BYTES,
    );
    // The sink schedules its flush through the waitUntil it was built with, synchronously inside observe() on the
    // first record of a batch: that is the request observing it, which the flush then keeps alive (records of later
    // requests ride along, as plain data).
    this.sink = new ObservationSink(env, (promise) => this.flushOwner!(promise));
  }

  /** Runs the invocation here; throws the same rebuilt errors as a region object's answer would. */
  async invokeByName(region: string, name: string, payload: ArrayBuffer, options: InvokeOptions, waitUntil: WaitUntil): Promise<InvokeResult> {
    const scope: RunScope = { observer: this.observerFor(waitUntil), waitUntil };
    try {
      return await this.runner.invokeByName(region, name, payload, options, scope);
    } catch (error) {
      // Serialized and rebuilt, as a region object's answer is (settle, then unwrapRpc), so both paths throw alike.
      return unwrapRpc({ ok: false, error: failureOf(error, INTERNAL_ERROR_CODE) });
    }
  }

  /** A deployment this isolate pushed to `region`: visible here at once. */
  pushed(region: string, bundle: DeploymentBundle): void {
    this.deployments.pushed(region, bundle);
  }

  /**
   * Makes this isolate ready to run a deployment it just pushed to `region`: held at once, and each routed version
   * prepared (module loaded and verified, secrets opened, sandbox isolate started), so the first invocation here
   * after the deploy finds everything warm. Failures are not the deploy's: the deployment is committed and
   * activated, and an invocation that meets the same problem reports it with its own error.
   */
  async warm(region: string, bundle: DeploymentBundle): Promise<void> {
    this.deployments.pushed(region, bundle);
    await Promise.allSettled(bundle.versions.map((version) => this.runner.warm(region, version)));
  }

  /** This isolate changed the function's secrets: the next invocation here fetches them again. */
  secretsChanged(name: string): void {
    this.runner.secretsChanged(name);
    this.deployments.secretsChangedHere(name);
  }

  private observerFor(waitUntil: WaitUntil): InvocationObserver {
    return {
      observe: (record: InvocationRecord) => {
        this.flushOwner = waitUntil;
        try {
          this.sink.observe(record);
        } finally {
          this.flushOwner = undefined;
        }
      },
    };
  }
}

const invokers = new WeakMap<Env, IsolateInvoker>();

/** This isolate's invoker for `env` (one per env object, which the runtime keeps for the isolate's life). */
export function isolateInvoker(env: Env): IsolateInvoker {
  let invoker = invokers.get(env);
  if (invoker === undefined) invokers.set(env, (invoker = new IsolateInvoker(env)));
  return invoker;
}

/** The invoker if this isolate has one (a push or secret change made here updates it; none: nothing to update). */
export function existingIsolateInvoker(env: Env): IsolateInvoker | undefined {
  return invokers.get(env);
}
