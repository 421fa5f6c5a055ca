// InvocationQueueObject: one shard of the asynchronous invocation queue, named `<region>#<k>` (invocation-id.ts) and
// created with the region's location hint, so async traffic spreads over HELIOS_ASYNC_SHARDS objects per region.
// An enqueue is one insert and, when needed, an earlier alarm; the alarm runs what is due through the same
// invocation service as a synchronous call (src/services/invocation-service.ts), records the outcome, and schedules
// the retry of a failure with the shared retry schedule (src/runtime/retry-schedule.ts) or dead-letters it.
//
// Delivery is at least once: an attempt whose object died mid-run is retried (its lease ran out, or the next
// instance releases it on start), so a guest may run more than once for one id.
//
// Layering: this sits above the services (it calls them, as the API does), next to the routes.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { InvokeOptions } from "../regions/index.ts";
import { afterAttempt, type AsyncLineage, type InvokeResult, retryDelay, type RetryPolicy, DEFAULT_RETRY_POLICY } from "../runtime/index.ts";
import { invokeFunction } from "../services/index.ts";
import { ALARM_BATCH, ATTEMPT_LEASE_MS, DEAD_LETTER_RETENTION_MS, MAX_ASYNC_RESULT_BYTES, MAX_LIST, RESULT_RETENTION_MS } from "./async-limits.ts";
import { type InvocationRow, type InvocationStatus, migrateQueue, QUEUE_SQL } from "./queue-schema.ts";

/** What an invocation runs: the function, how it was addressed, and who asked. */
export interface AsyncTarget {
  alias?: string;
  version?: number;
  point: number;
}

export interface NewInvocation {
  id: string;
  region: string;
  functionName: string;
  target: AsyncTarget;
  payload: ArrayBuffer;
  /** The function was private when queued: reading the invocation needs a token that may invoke it. */
  private: boolean;
  /** The caller could invoke it privately (passed on to every attempt). */
  authorized: boolean;
  requestId: string;
  maxAttempts: number;
  /** Queued by a guest (heliosdb_edge_invoke_async): the call-tree bounds its attempts share. */
  lineage?: AsyncLineage;
}

export interface InvocationError {
  code: string;
  message: string;
  /** Set for a guest that answered with a server error status. */
  status?: number;
}

export interface InvocationResultView {
  /** The guest's output, base64; `text` too when it is UTF-8. */
  output: string;
  text?: string;
  outputBytes: number;
  outputTruncated: boolean;
  status: number;
  headers: string[][];
  usage: { fuelUsed: number; memoryPages: number; durationMs: number; leakedBlocks: number; sandboxRuns: number; hostCalls: Record<string, number> };
  region: string;
  version: number;
  sha256: string;
  deployment?: number;
}

export interface InvocationView {
  id: string;
  function: string;
  status: InvocationStatus;
  attempts: number;
  maxAttempts: number;
  requestId: string;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  nextAttemptAt: string | null;
  expiresAt: string | null;
  result: InvocationResultView | null;
  error: InvocationError | null;
  private: boolean;
}

/** Failures that no retry can change (the request itself is refused): dead-lettered after one attempt. */
const PERMANENT = new Set(["unknown_function", "unauthorized", "forbidden", "payload_too_large", "unknown_alias", "unknown_version", "invalid_request"]);

export class InvocationQueueObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      migrateQueue(ctx.storage);
      // A fresh instance runs nothing yet: whatever was running ran in a previous one that is gone.
      const released = this.sql.exec(QUEUE_SQL.releaseRunning, Date.now()).rowsWritten;
      if (released > 0) await this.scheduleFrom(Date.now());
    });
  }

  /** Queues one invocation and makes sure the alarm fires at once. */
  async enqueue(entry: NewInvocation): Promise<void> {
    const now = Date.now();
    this.sql.exec(
      QUEUE_SQL.insert,
      entry.id,
      entry.functionName,
      JSON.stringify({ region: entry.region, ...entry.target }),
      entry.payload,
      entry.private ? 1 : 0,
      entry.authorized ? 1 : 0,
      entry.requestId,
      entry.maxAttempts,
      now,
      now,
      now,
      entry.lineage === undefined ? null : JSON.stringify(entry.lineage),
    );
    await this.wakeAt(now);
  }

  async view(id: string): Promise<InvocationView | null> {
    const row = this.sql.exec<InvocationRow>(QUEUE_SQL.view, id, Date.now()).toArray()[0];
    return row === undefined ? null : toView(row);
  }

  async list(functionName: string, status: InvocationStatus, limit: number): Promise<InvocationView[]> {
    return this.sql.exec<InvocationRow>(QUEUE_SQL.listByFunction, functionName, status, Date.now(), Math.min(limit, MAX_LIST)).toArray().map(toView);
  }

  /** A dead letter queued again with a fresh attempt count; false when the id is not a dead letter here. */
  async replay(id: string): Promise<boolean> {
    const now = Date.now();
    const changed = this.sql.exec(QUEUE_SQL.replay, now, now, id).rowsWritten > 0;
    if (changed) await this.wakeAt(now);
    return changed;
  }

  async discard(id: string): Promise<boolean> {
    return this.sql.exec(QUEUE_SQL.discard, id).rowsWritten > 0;
  }

  /**
   * Runs what is due. It catches its own failures: an exception escaping here would make the platform retry the
   * alarm with its own backoff, outside our schedule; instead the next wake-up is always computed from the table.
   */
  override async alarm(): Promise<void> {
    try {
      this.sql.exec(QUEUE_SQL.prune, Date.now());
      for (;;) {
        const now = Date.now();
        const due = this.sql.exec<InvocationRow>(QUEUE_SQL.due, now, now, ALARM_BATCH).toArray();
        if (due.length === 0) break;
        for (const row of due) this.sql.exec(QUEUE_SQL.start, now + ATTEMPT_LEASE_MS, now, row.id);
        await Promise.all(due.map((row) => this.attempt(row).catch(() => undefined)));
      }
    } catch {
      // Recorded nowhere but retried: the rows are still queued or running with a lease, and the alarm below fires.
    } finally {
      await this.scheduleFrom(Date.now()).catch(() => undefined);
    }
  }

  /** One attempt of one invocation (the row was already marked running with its attempt counted). */
  private async attempt(row: InvocationRow): Promise<void> {
    const target = JSON.parse(row.target) as AsyncTarget & { region: string };
    const attempts = row.attempts + 1;
    const options: InvokeOptions = { authorized: row.authorized === 1, requestId: row.request_id, point: target.point };
    if (target.alias !== undefined) options.alias = target.alias;
    if (target.version !== undefined) options.version = target.version;
    const lineage = row.lineage === null ? undefined : (JSON.parse(row.lineage) as AsyncLineage);
    let failure: InvocationError;
    if (lineage !== undefined && (lineage.runs <= 0 || lineage.fuel <= 0)) {
      // runtime/call-tree.ts: a queued child's attempts share what its caller's tree gave it; none is left.
      failure = { code: "call_tree_exhausted", message: `no ${lineage.runs <= 0 ? "sandbox runs" : "fuel"} left of what the queueing call tree granted` };
      return this.fail(row, attempts, failure, true);
    }
    if (lineage !== undefined) options.lineage = lineage;
    try {
      const result = await invokeFunction(this.env, target.region, row.function_name, row.payload, options);
      if (lineage !== undefined) this.spend(row.id, lineage, result.sandboxRuns, result.fuelUsed);
      const status = result.response?.status ?? 200;
      if (status < 500) return this.succeed(row.id, result);
      failure = { code: "error_status", message: `the function answered with status ${status}`, status };
    } catch (error) {
      const { code, message, sandboxRuns, fuelUsed } = error as { code?: unknown; message?: unknown; sandboxRuns?: unknown; fuelUsed?: unknown };
      // A failure that names no usage (refused before its sandbox started) used no fuel and at most one run.
      if (lineage !== undefined) this.spend(row.id, lineage, sandboxRuns === undefined ? 1 : Number(sandboxRuns), fuelUsed === undefined ? 0 : Number(fuelUsed));
      failure = { code: typeof code === "string" ? code : "internal", message: typeof message === "string" ? message : String(error) };
    }
    this.fail(row, attempts, failure, PERMANENT.has(failure.code));
  }

  /** What one attempt of a guest-queued invocation used comes off what its remaining attempts may use. */
  private spend(id: string, lineage: AsyncLineage, runs: number, fuel: number): void {
    this.sql.exec(QUEUE_SQL.spendLineage, JSON.stringify(afterAttempt(lineage, runs, fuel)), id);
  }

  /** Schedules the retry of a failed attempt, or dead-letters it (`permanent`, or no attempt left). */
  private fail(row: InvocationRow, attempts: number, failure: InvocationError, permanent: boolean): void {
    const now = Date.now();
    const delay = permanent ? null : retryDelay({ ...this.policy, maxAttempts: row.max_attempts }, attempts);
    if (delay === null) this.sql.exec(QUEUE_SQL.deadLetter, JSON.stringify(failure), now, now, now + DEAD_LETTER_RETENTION_MS, row.id);
    else this.sql.exec(QUEUE_SQL.retry, JSON.stringify(failure), now + delay, now, row.id);
  }

  private succeed(id: string, result: InvokeResult): void {
    const now = Date.now();
    const truncated = result.output.byteLength > MAX_ASYNC_RESULT_BYTES;
    const output = truncated ? result.output.slice(0, MAX_ASYNC_RESULT_BYTES) : result.output;
    const meta = {
      outputBytes: result.output.byteLength,
      outputTruncated: truncated,
      status: result.response?.status ?? 200,
      headers: result.response?.headers ?? [],
      usage: {
        fuelUsed: result.fuelUsed,
        memoryPages: result.memoryPages,
        durationMs: result.durationMs,
        leakedBlocks: result.leakedBlocks,
        sandboxRuns: result.sandboxRuns,
        hostCalls: result.hostCalls,
      },
      region: result.region,
      version: result.version,
      sha256: result.sha256,
      deployment: result.deployment,
    };
    this.sql.exec(QUEUE_SQL.succeed, JSON.stringify(meta), output, now, now, now + RESULT_RETENTION_MS, id);
  }

  /** Brings the alarm forward to `at` unless it is already set earlier. */
  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Sets the alarm for the earliest pending work, or clears it when none is left. */
  private async scheduleFrom(now: number): Promise<void> {
    const at = this.sql.exec<{ at: number | null }>(QUEUE_SQL.nextWake).one().at;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(at, now));
  }
}

function toView(row: InvocationRow): InvocationView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  let result: InvocationResultView | null = null;
  if (row.result !== null) {
    const bytes = new Uint8Array(row.output ?? new ArrayBuffer(0));
    result = { ...(JSON.parse(row.result) as Omit<InvocationResultView, "output">), output: base64(bytes) };
    try {
      result.text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      // Not UTF-8: base64 only.
    }
  }
  return {
    id: row.id,
    function: row.function_name,
    status: row.status as InvocationStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    requestId: row.request_id,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    finishedAt: iso(row.finished_at),
    nextAttemptAt: row.status === "queued" ? iso(row.next_attempt_at) : null,
    expiresAt: iso(row.expires_at),
    result,
    error: row.error === null ? null : (JSON.parse(row.error) as InvocationError),
    private: row.private === 1,
  };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
