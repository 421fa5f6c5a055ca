// RegionObject: one Durable Object per region. It holds the active version of each function deployed there (in
// memory, backed by its SQLite storage) and runs invocations in sandbox isolates, so the invocation hot path reads
// no storage: the version map, the module bytes and the isolate are all already in memory once warm.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  type CallChain,
  databaseObjectName,
  DatabaseLockHeldError,
  type FunctionVersion,
  type InvokeResult,
  invocationDeadline,
  loadSandbox,
  MAX_SANDBOX_RUNS_PER_REQUEST,
  NotDeployedInRegionError,
  PayloadTooLargeError,
  rootChain,
  RunBudget,
  type SandboxEntry,
  sandboxIsolateKey,
  UnauthorizedError,
  invokeSandbox,
  type InvocationObserver,
  type ObservedRun,
  failureRecord,
  requestIdFrom,
  successRecord,
} from "../runtime/index.ts";
import { ObservationSink } from "../observe/index.ts";
import {
  type HttpRequestInfo,
  type InvocationRequest,
  profileNeedsBridge,
  type SandboxSettings,
  type SerializedError,
  serializeError,
} from "../sandbox/index.ts";
import { ModuleCache } from "./module-cache.ts";
import { isLocationHint } from "./region-client.ts";
import { RegionHostBridge } from "./region-host-bridge.ts";
import { SecretCache } from "./secret-cache.ts";

/** Raw RPC results: error classes and their fields do not survive RPC, so failures travel as plain data. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export interface InvokeOptions {
  /** The caller presented a valid bearer token (needed for private functions). */
  authorized: boolean;
  /** x-helios-request-id (runtime/request-id.ts); absent: one is minted here. */
  requestId?: string;
  /** The HTTP request the guest may read (Authorization already removed); absent: a plain POST to "/". */
  http?: HttpRequestInfo;
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

/** What the region holds for a name: the active version, or a tombstone (record null) left by a delete. */
interface HeldFunction {
  version: number;
  record: FunctionVersion | null;
}

/** A version made ready to run: its loader entrypoint, and whether its profile needs the host bridge. */
interface PreparedFunction {
  version: number;
  entry: SandboxEntry;
  needsBridge: boolean;
}

const INTERNAL_ERROR_CODE = "region_internal_error";

export class RegionObject extends DurableObject<Env> {
  private readonly held = new Map<string, HeldFunction>();
  private readonly prepared = new Map<string, PreparedFunction>();
  private readonly modules: ModuleCache;
  private readonly secrets: SecretCache;
  private readonly observer: InvocationObserver;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.observer = new ObservationSink(env, (promise) => ctx.waitUntil(promise));
    this.modules = new ModuleCache(env.MODULES);
    this.secrets = new SecretCache(env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS functions (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      record TEXT
    )`);
    for (const row of sql.exec<{ name: string; version: number; record: string | null }>(
      "SELECT name, version, record FROM functions",
    )) {
      this.held.set(row.name, { version: row.version, record: row.record === null ? null : JSON.parse(row.record) });
    }
  }

  /**
   * Makes `version` the one every new invocation of its name runs. Versions only move forward: an activation at or
   * below what the region holds (active or tombstoned) is ignored, so a late, reordered deploy cannot roll back.
   * Returns whether it took effect.
   */
  async activate(region: string, version: FunctionVersion): Promise<RpcResult<boolean>> {
    return settle(() => {
      if (version.version <= (this.held.get(version.name)?.version ?? 0)) return false;
      this.store(version.name, { version: version.version, record: version });
      // Warm up after answering: load the module and start its isolate, so the first invocation after a deploy
      // does not pay for R2, hashing and compilation. A failure here resurfaces, with its code, on invocation.
      this.ctx.waitUntil(this.warm(region, version).catch(() => undefined));
      return true;
    });
  }

  /** Removes the function from this region, leaving a tombstone at `version`; a higher activation revives it. */
  async deactivate(name: string, version: number): Promise<RpcResult<boolean>> {
    return settle(() => {
      if (version < (this.held.get(name)?.version ?? 0)) return false;
      this.store(name, { version, record: null });
      return true;
    });
  }

  /** The function's secrets changed: drops what this region holds of them, so the next invocation fetches them. */
  async secretsChanged(name: string): Promise<RpcResult<void>> {
    return settle(() => {
      this.secrets.drop(name);
      this.prepared.delete(name);
    });
  }

  /** The active version of every function here (for inspection and tests). */
  async activeVersions(): Promise<RpcResult<FunctionVersion[]>> {
    return settle(() => [...this.held.values()].flatMap((h) => (h.record ? [h.record] : [])));
  }

  /** The active versions of the named functions that are deployed here (a database's trigger functions). */
  async activeVersionsOf(names: string[]): Promise<RpcResult<FunctionVersion[]>> {
    return settle(() => names.flatMap((name) => {
      const record = this.held.get(name)?.record;
      return record ? [record] : [];
    }));
  }

  async invokeByName(
    region: string,
    name: string,
    payload: ArrayBuffer,
    options: InvokeOptions,
  ): Promise<RpcResult<InvokeResult>> {
    return settle(async () => {
      // Read once: the whole invocation runs this one version even if a redeploy swaps the entry meanwhile.
      const record = this.held.get(name)?.record;
      if (!record) throw new NotDeployedInRegionError(name, region);
      const requestId = options.requestId ?? requestIdFrom(undefined);
      if (record.private && !options.authorized) this.refuse(region, record, requestId, payload, new UnauthorizedError(name));
      if (payload.byteLength > record.limits.maxPayloadBytes) {
        this.refuse(region, record, requestId, payload, new PayloadTooLargeError(record.limits.maxPayloadBytes, payload.byteLength));
      }
      const request: InvocationRequest = { fuel: record.limits.fuel, maxResponseBytes: record.limits.maxResponseBytes };
      if (options.http !== undefined) request.http = options.http;
      return this.run(region, record, payload, request, rootChain(name, requestId), MAX_SANDBOX_RUNS_PER_REQUEST);
    });
  }

  /**
   * An edge_invoke from another function (of this deployment, so private functions are reachable). The callee runs
   * on the caller's remaining fuel and output capacity when those are below its own limits; the bridge that called
   * this has already checked the chain for cycles, depth and the deadline.
   */
  async invokeChained(region: string, name: string, payload: Uint8Array, call: ChainedCall): Promise<RpcResult<InvokeResult>> {
    return settle(async () => {
      const record = this.held.get(name)?.record;
      if (!record) throw new NotDeployedInRegionError(name, region);
      if (payload.byteLength > record.limits.maxPayloadBytes) {
        this.refuse(region, record, call.chain.requestId, payload, new PayloadTooLargeError(record.limits.maxPayloadBytes, payload.byteLength));
      }
      const request = {
        fuel: Math.min(call.fuel, record.limits.fuel),
        maxResponseBytes: Math.min(call.maxResponseBytes, record.limits.maxResponseBytes),
      };
      const bytes = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload.buffer : payload.slice().buffer;
      return this.run(region, record, bytes as ArrayBuffer, request, call.chain, Math.max(1, call.runs ?? 1));
    });
  }

  /**
   * Runs one invocation and hands its record to the observer when it completes, successfully or not: the one hook
   * from which logs, metrics and the tail hang (runtime/invocation-observer.ts). The observer only buffers.
   */
  private async run(
    region: string,
    record: FunctionVersion,
    payload: ArrayBuffer,
    request: InvocationRequest,
    chain: CallChain,
    runs: number,
  ): Promise<InvokeResult> {
    const started = performance.now();
    const observed = (): ObservedRun => ({
      functionName: record.name,
      version: record.version,
      region,
      requestId: chain.requestId,
      bytesIn: payload.byteLength,
      durationMs: performance.now() - started,
    });
    try {
      const result = await this.execute(region, record, payload, request, chain, runs);
      result.requestId = chain.requestId;
      this.observer.observe(successRecord({ ...observed(), durationMs: result.durationMs }, result));
      return result;
    } catch (error) {
      const failure = error instanceof SerializedFailure ? error.serialized : serializeError(error, INTERNAL_ERROR_CODE);
      this.observer.observe(failureRecord(observed(), failure.code, failure.details as Record<string, unknown> | undefined));
      throw error;
    }
  }

  /**
   * Refuses an invocation of a function deployed here before it runs (private without a token, payload over its
   * limit): observed like a failed run, so its metrics count it under its code. Names that are not deployed here
   * are never observed (no store is made for an arbitrary name).
   */
  private refuse(region: string, record: FunctionVersion, requestId: string, payload: { byteLength: number }, error: Error & { code: string }): never {
    const run = { functionName: record.name, version: record.version, region, requestId, bytesIn: payload.byteLength, durationMs: 0 };
    this.observer.observe(failureRecord(run, error.code, undefined));
    throw error;
  }

  private async execute(
    region: string,
    record: FunctionVersion,
    payload: ArrayBuffer,
    request: InvocationRequest,
    chain: CallChain,
    runs: number,
  ): Promise<InvokeResult> {
    if (record.database !== undefined) return this.runInDatabase(region, record, payload, request, chain, runs);
    const prepared = await this.prepare(region, record);
    const budget = new RunBudget(runs);
    const bridge = prepared.needsBridge
      ? new RegionHostBridge(this.env, region, record, chain, budget, (target, name, bytes, call) =>
          target === region ? this.invokeChained(region, name, bytes, call) : this.remote(target).invokeChained(target, name, bytes, call),
        )
      : null;
    const started = performance.now();
    let outcome;
    try {
      outcome = await invokeSandbox(prepared.entry, payload, { ...request, deadline: invocationDeadline(chain) }, bridge);
    } catch (error) {
      // A broken stub is not reused: the next invocation asks the loader again.
      if (this.prepared.get(record.name) === prepared) this.prepared.delete(record.name);
      throw error;
    }
    const durationMs = performance.now() - started;
    if (!outcome.ok) {
      // What the guest did before failing (its log lines, above all) is what explains the failure.
      const { fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls } = outcome;
      throw new SerializedFailure({
        ...outcome.error,
        details: { ...outcome.error.details, fuelUsed, memoryPages, logs, leakedBlocks, leakedBytes, hostCalls, sandboxRuns: budget.used },
      });
    }
    const result: InvokeResult = {
      output: new Uint8Array(outcome.output),
      fuelUsed: outcome.fuelUsed,
      memoryPages: outcome.memoryPages,
      durationMs,
      region,
      sha256: record.sha256,
      version: record.version,
      logs: outcome.logs,
      leakedBlocks: outcome.leakedBlocks,
      leakedBytes: outcome.leakedBytes,
      sandboxRuns: budget.used,
      hostCalls: outcome.hostCalls,
      requestId: chain.requestId,
    };
    if (outcome.response !== undefined) result.response = outcome.response;
    return result;
  }

  /**
   * A function with a database runs next to its data, in its database's object in this region (procedures as one
   * transaction there). Refused when the chain already holds a database's write lock: the call could wait behind it.
   */
  private async runInDatabase(
    region: string,
    record: FunctionVersion,
    payload: ArrayBuffer,
    request: InvocationRequest,
    chain: CallChain,
    runs: number,
  ): Promise<InvokeResult> {
    if (chain.heldDatabase !== undefined) throw new DatabaseLockHeldError(record.name, chain.heldDatabase);
    const name = databaseObjectName(region, record.database!);
    const stub = this.env.DATABASE.get(this.env.DATABASE.idFromName(name), isLocationHint(region) ? { locationHint: region } : undefined);
    const result = (await stub.invoke(region, record.database!, record, payload, request, chain, runs)) as RpcResult<InvokeResult>;
    if (!result.ok) throw new SerializedFailure(result.error);
    return result.value;
  }

  private remote(region: string): DurableObjectStub<RegionObject> {
    return this.env.REGION.get(this.env.REGION.idFromName(region), isLocationHint(region) ? { locationHint: region } : undefined);
  }

  private async warm(region: string, record: FunctionVersion): Promise<void> {
    // A function with a database runs in its database's object, which loads it on first use.
    if (record.database !== undefined) return;
    const prepared = await this.prepare(region, record);
    await prepared.entry.warm();
  }

  private store(name: string, held: HeldFunction): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO functions (name, version, record) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, record = excluded.record`,
      name,
      held.version,
      held.record === null ? null : JSON.stringify(held.record),
    );
    // One Map write: the swap is atomic for every invocation that has not yet read the entry.
    this.held.set(name, held);
    this.prepared.delete(name);
    // A deploy may have carried new secrets (stored before the activation was sent): fetch them again.
    this.secrets.drop(name);
  }

  private async prepare(region: string, record: FunctionVersion): Promise<PreparedFunction> {
    const existing = this.prepared.get(record.name);
    if (existing?.version === record.version) return existing;
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
    await this.modules.get(record.instrumentedSha256, record.moduleKey);
    const key = await sandboxIsolateKey(record.instrumentedSha256, settings, secrets.fingerprint);
    const entry = loadSandbox(this.env.LOADER, key, settings, () =>
      this.modules.get(record.instrumentedSha256, record.moduleKey),
    );
    const prepared = { version: record.version, entry, needsBridge: profileNeedsBridge(record.profile) };
    // Only cache it if the record and the secrets are still the held ones (a swap may have happened during the awaits).
    if (this.held.get(record.name)?.record === record && this.secrets.isCurrent(record.name, secretsEntry)) {
      this.prepared.set(record.name, prepared);
    }
    return prepared;
  }
}

/** Carries an already-serialized failure (from the sandbox) through settle() unchanged. */
class SerializedFailure extends Error {
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
  }
}

async function settle<T>(fn: () => T | Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof SerializedFailure) return { ok: false, error: error.serialized };
    return { ok: false, error: serializeError(error, INTERNAL_ERROR_CODE) };
  }
}
