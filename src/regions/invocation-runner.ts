// Running invocations of the functions a deployment source serves: resolve the version (default route, alias, split
// point or pin), check the caller's rights and the payload, prepare the sandbox (secrets, module bytes, loader entry),
// run it with the host bridge, observe the outcome. Shared by the region object (src/regions/region-object.ts) and
// by the Worker's own hot path (src/regions/isolate-invoker.ts): the same code, whichever holds the deployments.

import type { Env } from "../env.ts";
import { registryStub } from "../registry/registry-stub.ts";
import {
  type AsyncLineage,
  type CallChain,
  databaseObjectName,
  DatabaseLockHeldError,
  type FunctionVersion,
  type InvokeResult,
  invokeResultOf,
  type RpcResult,
  SerializedFailure,
  settleRpc,
  failureOf,
  invocationDeadline,
  loadSandbox,
  MAX_SANDBOX_RUNS_PER_REQUEST,
  PayloadTooLargeError,
  rootChain,
  RunBudget,
  type SandboxEntry,
  sandboxIsolateKey,
  UnauthorizedError,
  invokeSandbox,
  lineageChain,
  type InvocationObserver,
  type ObservedRun,
  failureRecord,
  requestIdFrom,
  successRecord,
  pickVersion,
  readsRequestHead,
  routedVersions,
  selectRoute,
  UnknownAliasError,
  UnknownVersionError,
} from "../runtime/index.ts";
import {
  type HttpRequestInfo,
  type InvocationRequest,
  profileNeedsBridge,
  type SandboxSettings,
} from "../sandbox/index.ts";
import type { HeldDeployment } from "./held-deployments.ts";
import { ModuleCache } from "./module-cache.ts";
import { isLocationHint } from "./region-client.ts";
import { RegionHostBridge } from "./region-host-bridge.ts";
import { SecretCache } from "./secret-cache.ts";

/** Raw RPC results: error classes and their fields do not survive RPC, so failures travel as plain data. */
export type { RpcResult } from "../runtime/index.ts";

export interface InvokeOptions {
  /** The caller presented a valid bearer token (needed for private functions). */
  authorized: boolean;
  /** x-helios-request-id (runtime/request-id.ts); absent: one is minted here. */
  requestId?: string;
  /**
   * The HTTP request the guest may read (Authorization already removed); absent: a plain POST to "/". Where the
   * invocation runs in the calling isolate (IsolateInvoker) it may be a function making it, called only if the
   * guest can read the head (most guests cannot: readsRequestHead); over RPC it is always the value.
   */
  http?: HttpHead;
  /** `name@alias`: the alias's route instead of the default one. */
  alias?: string;
  /** `?version=N`: exactly that version. One outside the deployment's routes needs the token. */
  version?: number;
  /** Where the invocation falls on a percentage split, in [0, 1) (src/runtime/deployment.ts splitPoint). */
  point?: number;
  /** Queued by a guest: the call tree's bounds this attempt runs within (runtime/call-tree.ts, "asynchronous children"). */
  lineage?: AsyncLineage;
}

/** The request head, or what makes it when it is needed. */
export type HttpHead = HttpRequestInfo | (() => HttpRequestInfo);

/** The head itself. */
export function headOf(head: HttpHead): HttpRequestInfo {
  return typeof head === "function" ? head() : head;
}

/** What a run is asked for: the limits it runs under, and the request head the guest may read. */
interface RunRequest {
  fuel: number;
  maxResponseBytes: number;
  http?: HttpHead;
}

/** An invocation made by another function through heliosdb_edge_invoke: its place in the chain and what it may use. */
export interface ChainedCall {
  chain: CallChain;
  /** The caller's remaining fuel: the callee runs on min(this, its own limit). */
  fuel: number;
  /** The caller's output buffer: the callee's response cap is min(this, its own limit). */
  maxResponseBytes: number;
  /** Sandbox runs the callee's subtree may start, itself included (runtime/call-tree.ts); absent counts as 1. */
  runs?: number;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

/** Where one invocation's observations and background work go (the region object's, or the request's ctx). */
export interface RunScope {
  observer: InvocationObserver;
  waitUntil: WaitUntil;
}

/** Where the runner finds the deployment serving a name (the region object's held ones, or the isolate's cache). */
export interface DeploymentSource {
  /** The deployment serving `name` in `region`, or not_deployed_in_region. */
  serving(region: string, name: string, scope: RunScope): HeldDeployment | Promise<HeldDeployment>;
  /** Whether `record` is still routed to by the deployment held for its name in `region` (prepared sandboxes are
   *  kept only then). */
  holds(region: string, record: FunctionVersion): boolean;
}

/** Runs a chained invocation in another region (through a region object's RPC). */
export type RemoteInvoker = (region: string, name: string, payload: Uint8Array, call: ChainedCall) => Promise<RpcResult<InvokeResult>>;

/**
 * A version made ready to run in one region: what its isolate is named and built from, and whether its profile needs
 * the host bridge. The loader's stub is not kept: a WorkerStub and the Fetcher it vends are I/O objects of the
 * request that made them (workerd api/worker-loader.c++: `ioctx.addObject(...)` in WorkerLoader::get and
 * WorkerStub::getEntrypoint), so a Worker serving many requests asks the loader again for each (a lookup by name
 * while the isolate is warm).
 */
interface PreparedFunction {
  version: number;
  entry: () => SandboxEntry;
  needsBridge: boolean;
  /** The module imports a function that reads the HTTP request head: only then is the head sent along. */
  readsRequestHead: boolean;
}

export const INTERNAL_ERROR_CODE = "region_internal_error";
/** The version an invocation runs, and whether the deployment routes to it. */
interface Resolved {
  record: FunctionVersion;
  routed: boolean;
}

/** Versions outside the deployments that pins (`?version=N`) fetched from the registry, kept per runner. */
const MAX_PINNED_VERSIONS = 32;

export class InvocationRunner {
  /** Prepared versions by preparedKey(region, record). */
  private readonly prepared = new Map<string, PreparedFunction>();
  /** Immutable version records fetched for pins, by versionKey; least recently used first. */
  private readonly pinned = new Map<string, FunctionVersion>();
  private readonly modules: ModuleCache;
  readonly secrets: SecretCache;

  constructor(
    private readonly env: Env,
    private readonly source: DeploymentSource,
    private readonly remote: RemoteInvoker,
    moduleBudgetBytes?: number,
  ) {
    this.modules = new ModuleCache(env.MODULES, moduleBudgetBytes);
    this.secrets = new SecretCache(env);
  }

  /** An invocation from outside (the API): throws the runtime's errors. */
  async invokeByName(region: string, name: string, payload: ArrayBuffer, options: InvokeOptions, scope: RunScope): Promise<InvokeResult> {
    // Read once: the whole invocation runs this one version (record and settings together) even if a redeploy swaps
    // the held deployment meanwhile.
    // Both are values when warm (the deployment cached, the version routed): awaited only when they are not.
    const serving = this.source.serving(region, name, scope);
    const held = serving instanceof Promise ? await serving : serving;
    const resolved = this.resolve(held, options);
    const { record, routed } = resolved instanceof Promise ? await resolved : resolved;
    const requestId = options.requestId ?? requestIdFrom(undefined);
    if ((record.private || !routed) && !options.authorized) refuse(region, record, requestId, payload, new UnauthorizedError(name), scope);
    if (payload.byteLength > record.limits.maxPayloadBytes) {
      refuse(region, record, requestId, payload, new PayloadTooLargeError(record.limits.maxPayloadBytes, payload.byteLength), scope);
    }
    const lineage = options.lineage;
    const request: RunRequest = { fuel: Math.min(record.limits.fuel, lineage?.fuel ?? Infinity), maxResponseBytes: record.limits.maxResponseBytes };
    if (options.http !== undefined) request.http = options.http;
    const chain = lineage === undefined ? rootChain(name, requestId) : lineageChain(lineage, name, requestId);
    const result = await this.run(region, record, payload, request, chain, lineage?.runs ?? MAX_SANDBOX_RUNS_PER_REQUEST, scope);
    result.deployment = held.deployment.seq;
    return result;
  }

  /**
   * An edge_invoke from another function (of this deployment, so private functions are reachable). The callee runs
   * on the caller's remaining fuel and output capacity when those are below its own limits; the bridge that called
   * this has already checked the chain for cycles, depth and the deadline.
   */
  invokeChained(region: string, name: string, payload: Uint8Array, call: ChainedCall, scope: RunScope): Promise<RpcResult<InvokeResult>> {
    return settle(async () => {
      // A callee runs its default route (private ones too: the call comes from inside the deployment).
      const { record } = await this.resolve(await this.source.serving(region, name, scope), {});
      if (payload.byteLength > record.limits.maxPayloadBytes) {
        refuse(region, record, call.chain.requestId, payload, new PayloadTooLargeError(record.limits.maxPayloadBytes, payload.byteLength), scope);
      }
      const request = {
        fuel: Math.min(call.fuel, record.limits.fuel),
        maxResponseBytes: Math.min(call.maxResponseBytes, record.limits.maxResponseBytes),
      };
      const bytes = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload.buffer : payload.slice().buffer;
      return this.run(region, record, bytes as ArrayBuffer, request, call.chain, Math.max(1, call.runs ?? 1), scope);
    });
  }

  /** Loads the version's module and starts its isolate ahead of the first invocation. */
  async warm(region: string, record: FunctionVersion): Promise<void> {
    // A function with a database runs in its database's object, which loads it on first use.
    if (record.database !== undefined) return;
    const prepared = await this.prepare(region, record);
    await prepared.entry().warm();
  }

  /** A new deployment of `name` took effect: drops what the old one prepared or pinned, and its secrets. */
  deploymentChanged(name: string, routed: number[]): void {
    this.forgetPrepared(name, new Set(routed.map((v) => versionKey(name, v))));
    for (const key of this.pinned.keys()) if (key.startsWith(`${name}\u0000`)) this.pinned.delete(key);
    // A deploy may have carried new secrets (stored before the deployment was sent): fetch them again.
    this.secrets.drop(name);
  }

  /** The function's secrets changed: the next invocation fetches them and prepares its sandbox again. */
  secretsChanged(name: string): void {
    this.secrets.drop(name);
    this.forgetPrepared(name, new Set());
  }

  /**
   * Runs one invocation and hands its record to the observer when it completes, successfully or not: the one hook
   * from which logs, metrics and the tail hang (runtime/invocation-observer.ts). The observer only buffers; its
   * flush goes through the scope's waitUntil, after the answer.
   */
  private async run(region: string, record: FunctionVersion, payload: ArrayBuffer, request: RunRequest, chain: CallChain, runs: number, scope: RunScope): Promise<InvokeResult> {
    const started = performance.now();
    const observed = (durationMs: number): ObservedRun => ({
      functionName: record.name,
      version: record.version,
      region,
      requestId: chain.requestId,
      bytesIn: payload.byteLength,
      durationMs,
    });
    try {
      const result = await this.execute(region, record, payload, request, chain, runs, scope);
      result.requestId = chain.requestId;
      // A success is observed with the sandbox's own wall time, the one its answer reports.
      scope.observer.observe(successRecord(observed(result.durationMs), result));
      return result;
    } catch (error) {
      const failure = failureOf(error, INTERNAL_ERROR_CODE);
      scope.observer.observe(failureRecord(observed(performance.now() - started), failure.code, failure.details as Record<string, unknown> | undefined));
      throw error;
    }
  }

  private async execute(region: string, record: FunctionVersion, payload: ArrayBuffer, request: RunRequest, chain: CallChain, runs: number, scope: RunScope): Promise<InvokeResult> {
    if (record.database !== undefined) return this.runInDatabase(region, record, payload, request, chain, runs);
    const prepared = this.prepared.get(preparedKey(region, record)) ?? (await this.prepare(region, record));
    const budget = new RunBudget(runs);
    const bridge = prepared.needsBridge
      ? new RegionHostBridge(this.env, region, record, chain, budget, (target, name, bytes, call) =>
          target === region ? this.invokeChained(region, name, bytes, call, scope) : this.remote(target, name, bytes, call),
        )
      : null;
    // The request head only for a guest that can read it (most of what the arguments weigh on the way in).
    const sandboxRequest: InvocationRequest = { fuel: request.fuel, maxResponseBytes: request.maxResponseBytes, deadline: invocationDeadline(chain) };
    if (request.http !== undefined && prepared.readsRequestHead) sandboxRequest.http = headOf(request.http);
    const started = performance.now();
    let outcome;
    try {
      outcome = await invokeSandbox(prepared.entry(), payload, sandboxRequest, bridge);
    } catch (error) {
      // A broken stub is not reused: the next invocation asks the loader again.
      const key = preparedKey(region, record);
      if (this.prepared.get(key) === prepared) this.prepared.delete(key);
      throw error;
    }
    return invokeResultOf(outcome, record, { region, durationMs: performance.now() - started, sandboxRuns: budget.used, requestId: chain.requestId });
  }

  /**
   * A function with a database runs next to its data, in its database's object in this region (procedures as one
   * transaction there). Refused when the chain already holds a database's write lock: the call could wait behind it.
   */
  private async runInDatabase(region: string, record: FunctionVersion, payload: ArrayBuffer, run: RunRequest, chain: CallChain, runs: number): Promise<InvokeResult> {
    if (chain.heldDatabase !== undefined) throw new DatabaseLockHeldError(record.name, chain.heldDatabase);
    const request: InvocationRequest = { fuel: run.fuel, maxResponseBytes: run.maxResponseBytes };
    if (run.http !== undefined) request.http = headOf(run.http);
    const name = databaseObjectName(region, record.database!);
    const stub = this.env.DATABASE.get(this.env.DATABASE.idFromName(name), isLocationHint(region) ? { locationHint: region } : undefined);
    const result = (await stub.invoke(region, record.database!, record, payload, request, chain, runs)) as RpcResult<InvokeResult>;
    if (!result.ok) throw new SerializedFailure(result.error);
    return result.value;
  }

  /** Drops the prepared versions of `name` (in every region) except those whose versionKey is in `kept`. */
  private forgetPrepared(name: string, kept: ReadonlySet<string>): void {
    for (const key of this.prepared.keys()) {
      if (key.startsWith(`${name}\u0000`) && !kept.has(key.slice(0, key.lastIndexOf("\u0000")))) this.prepared.delete(key);
    }
  }

  /**
   * The version an invocation runs, and whether the deployment routes to it (a pin may name any version). A value,
   * except for a pin of a version the deployment does not hold (fetched from the registry once).
   */
  private resolve(held: HeldDeployment, options: Pick<InvokeOptions, "alias" | "version" | "point">): Resolved | Promise<Resolved> {
    const { name, routes } = held.deployment;
    if (options.version !== undefined) {
      const routed = routedVersions(routes).includes(options.version);
      const record = held.versions.get(options.version);
      if (record !== undefined) return { record, routed };
      return this.pinnedVersion(name, options.version).then((pinned) => ({ record: pinned, routed }));
    }
    const route = selectRoute(routes!, options.alias);
    if (route === undefined) throw new UnknownAliasError(name, options.alias!);
    const version = pickVersion(route, options.point ?? Math.random());
    const record = held.versions.get(version);
    // Never for a bundle the registry built (it carries every routed version); the cold path would repair it.
    if (record === undefined) throw new UnknownVersionError(name, version);
    return { record, routed: true };
  }

  /** A version no deployment routes to, from the registry once (versions are immutable), then from memory. */
  private async pinnedVersion(name: string, version: number): Promise<FunctionVersion> {
    const key = versionKey(name, version);
    let record = this.pinned.get(key);
    if (record === undefined) {
      const fetched = await registryStub(this.env).getVersion(name, version);
      if (fetched === null) throw new UnknownVersionError(name, version);
      record = fetched;
    }
    this.pinned.delete(key);
    this.pinned.set(key, record);
    for (const oldest of this.pinned.keys()) {
      if (this.pinned.size <= MAX_PINNED_VERSIONS) break;
      this.pinned.delete(oldest);
      for (const prepared of this.prepared.keys()) if (prepared.startsWith(`${oldest}\u0000`)) this.prepared.delete(prepared);
    }
    return record;
  }

  private async prepare(region: string, record: FunctionVersion): Promise<PreparedFunction> {
    const cacheKey = preparedKey(region, record);
    const existing = this.prepared.get(cacheKey);
    if (existing !== undefined) return existing;
    // Opened here, in the parent: the isolate receives the plain values in its settings (memory only), and its cache
    // key carries the ciphertexts' fingerprint, never a value.
    const secretsEntry = this.secrets.get(record.name);
    const secrets = await secretsEntry;
    const settings: SandboxSettings = {
      functionName: record.name,
      region,
      profile: record.profile,
      maxMemoryPages: record.limits.maxMemoryPages,
      config: record.config,
      allowedHosts: record.allowedHosts ?? [],
      secrets: secrets.values,
    };
    // Loaded (and verified) here rather than only inside the loader's callback, so a missing or corrupt module
    // fails this call with its own error instead of a failed isolate start.
    const bytes = await this.modules.get(record.instrumentedSha256, record.moduleKey);
    const key = await sandboxIsolateKey(record.instrumentedSha256, settings, secrets.fingerprint);
    const loadModule = () => this.modules.get(record.instrumentedSha256, record.moduleKey);
    const entry = () => loadSandbox(this.env.LOADER, key, settings, loadModule);
    const prepared = { version: record.version, entry, needsBridge: profileNeedsBridge(record.profile), readsRequestHead: readsRequestHead(bytes) };
    // Only cache it if the version is still held or pinned and the secrets are still the held ones (a newer
    // deployment or secret change may have arrived during the awaits).
    const held = this.source.holds(region, record) || this.pinned.get(versionKey(record.name, record.version)) === record;
    if (held && this.secrets.isCurrent(record.name, secretsEntry)) this.prepared.set(cacheKey, prepared);
    return prepared;
  }
}

/**
 * Refuses an invocation of a function deployed here before it runs (private without a token, payload over its
 * limit): observed like a failed run, so its metrics count it under its code. Names that are not deployed here
 * are never observed (no store is made for an arbitrary name).
 */
function refuse(region: string, record: FunctionVersion, requestId: string, payload: { byteLength: number }, error: Error & { code: string }, scope: RunScope): never {
  const run = { functionName: record.name, version: record.version, region, requestId, bytesIn: payload.byteLength, durationMs: 0 };
  scope.observer.observe(failureRecord(run, error.code, undefined));
  throw error;
}

/** One version of one function (names are [a-z0-9-], so the separator cannot occur in them). */
function versionKey(name: string, version: number): string {
  return `${name}\u0000${version}`;
}

/** One version prepared for one region (its settings name the region): versionKey, then the region. */
function preparedKey(region: string, record: FunctionVersion): string {
  return `${versionKey(record.name, record.version)}\u0000${region}`;
}

export async function settle<T>(fn: () => T | Promise<T>): Promise<RpcResult<T>> {
  return settleRpc(fn, INTERNAL_ERROR_CODE);
}
