// DatabaseObject: one SQLite-backed Durable Object per region and database (named "<region>/<db>", created with
// the region's location hint), separate from the objects that run plain invocations, so one database's
// transaction never blocks other functions or other databases. The runtime's tables live under RESERVED_PREFIX
// and are created by numbered migrations (database-schema.ts); user SQL that names them is refused.
//
// It runs the functions that name it: procedures (profile `database`) as one transaction each, read-only functions
// (`database_read`) without the write lock, and the BEFORE trigger functions of its registrations. Every write from
// outside (admin SQL, the row API: `sql()`) takes the same trigger path as a procedure's db_execute.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { RegionHostBridge } from "../regions/region-host-bridge.ts";
import type { RegionObject, RpcResult } from "../regions/region-object.ts";
import { regionObjectStub } from "../regions/region-pool.ts";
import {
  type CallChain,
  DatabaseMismatchError,
  UnknownDatabaseError,
  databaseObjectName,
  type FunctionVersion,
  invocationDeadline,
  invokeResultOf,
  invokeSandbox,
  type InvokeResult,
  SerializedFailure,
  parseDatabaseObjectName,
  profileWritesDatabase,
  RunBudget,
} from "../runtime/index.ts";
import {
  type DbCallOutcome,
  type DbCallRequest,
  HostStatus,
  type InvocationOutcome,
  type InvocationRequest,
} from "../sandbox/index.ts";
import { beginChangeTx, mayWrite, syncChangeLogTriggers } from "./change-log-capture.ts";
import { headSeq } from "./change-log.ts";
import { CommitListeners } from "./commit-listeners.ts";
import { type ChangeRead, ChangeStream } from "./change-stream.ts";
import { ChangeTails } from "./change-tail.ts";
import { type SnapshotRead, snapshotPage } from "./snapshot.ts";
import { ensureMarker, readMarker, type DatabaseMarker } from "./database-marker.ts";
import { readTableInfo, type TableInfo } from "./table-info.ts";
import * as triggerRegistry from "./trigger-registry.ts";
import type { TriggerRegistration, TriggerSpec } from "./trigger-registry.ts";
import { type DatabaseCalls, DatabaseHostBridge } from "./database-host-bridge.ts";
import { migrateDatabase } from "./database-schema.ts";
import { FunctionSandboxes } from "./function-sandboxes.ts";
import { isReservedName } from "./sql-statement.ts";
import { StatementRunner, outcomeForGuest } from "./statement-runner.ts";
import { runConsumer } from "./subscription-consumer.ts";
import { SubscriptionDelivery } from "./subscription-delivery.ts";
import * as subscriptions from "./subscription-registry.ts";
import type { DeadLetterView, Outcome, SubscriptionView } from "./subscription-registry.ts";
import type { SubscriptionSpec } from "./subscription-spec.ts";
import { plainError, type SqlOutcome } from "./sql-result.ts";
import { runTransaction, TRANSACTION_LIMIT_MS, type TransactionScope } from "./transaction-scope.ts";
import { type ResolvedTrigger, TRIGGER_FUEL, TRIGGER_MAX_RESPONSE_BYTES, type TriggerEngine } from "./trigger-engine.ts";
import { resolveTriggers } from "./trigger-resolution.ts";
import { ProcedureCalls } from "./procedure-calls.ts";
import { FailedWrite, INTERNAL_ERROR_CODE, RolledBackAnswer, settle } from "./procedure-outcome.ts";

export { MAX_SQL_PARAMS, type SqlFailure, type SqlOutcome, type SqlResult } from "./sql-result.ts";

export interface TableDescription {
  name: string;
  columns: { name: string; type: string; primaryKey: boolean; notNull: boolean }[];
  rows: number;
}

export interface DatabaseOverview {
  database: DatabaseMarker;
  tables: TableDescription[];
  sizeBytes: number;
  triggers: TriggerRegistration[];
}

export type TriggerPutOutcome =
  | { ok: true; trigger: TriggerRegistration; created: boolean }
  | { ok: false; code: "unknown_database" | "unknown_table" | "invalid_name" }
  | { ok: false; code: "invalid_spec"; issues: { field: string; message: string }[] }
  | { ok: false; code: "subscription_conflict"; reason: string };

export class DatabaseObject extends DurableObject<Env> {
  private readonly runner: StatementRunner;
  /** The bridge calls of read-only functions and triggers (db_query only). Not methods: those would be RPC-callable. */
  private readonly reads: DatabaseCalls;
  private readonly sandboxes: FunctionSandboxes;
  /** The transaction holding the object, if any: a read-only function's query waits for it to end. */
  private active: TransactionScope | null = null;
  /** Which region and database this object is: from its name (ctx.id.name), else from the first invocation. */
  private identity: { region: string; db: string } | null;
  /** Told the change log's new head after every transaction that appended to it (commit-listeners.ts). */
  private readonly commits = new CommitListeners();
  /** GET .../changes and the WebSocket tail's reads (change-stream.ts). */
  private readonly stream: ChangeStream;
  /** The WebSocket tails of the change log (change-tail.ts); their sockets survive hibernation, this does not. */
  private readonly tails: ChangeTails;
  /** Delivery of the change log to subscriptions (subscription-delivery.ts); its alarm is this object's alarm. */
  private readonly delivery: SubscriptionDelivery;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.runner = new StatementRunner(ctx.storage);
    this.reads = new ProcedureCalls(this.runner, (request, scope) => this.query(request, scope), null);
    this.sandboxes = new FunctionSandboxes(env);
    this.stream = new ChangeStream(ctx.storage.sql, this.commits, () => this.settled());
    this.tails = new ChangeTails(ctx, this.stream, this.commits);
    // ctx.id.name is known for objects reached by idFromName (workerd supports it locally since 2026-03).
    this.identity = ctx.id.name !== undefined ? parseDatabaseObjectName(ctx.id.name) : null;
    this.delivery = new SubscriptionDelivery(ctx.storage, {
      identity: () => this.identity,
      idle: async () => {
        while (this.active !== null) await this.active.closed;
      },
      runConsumer: (name, payload) => runConsumer(this.consumerHost(), name, payload),
    });
    this.commits.add(() => this.delivery.committed());
    void ctx.blockConcurrencyWhile(async () => {
      migrateDatabase(ctx.storage);
      syncChangeLogTriggers(ctx.storage.sql);
      this.commits.reset(headSeq(ctx.storage.sql));
    });
    // After a restart, delivery carries on from the stored cursors at once (the alarm would, later).
    void ctx.blockConcurrencyWhile(async () => this.delivery.kick());
  }

  /** Retention pruning and subscription delivery (subscription-delivery.ts); it catches its own failures. */
  override async alarm(): Promise<void> {
    await this.delivery.alarm();
  }

  /**
   * One checked statement with bound parameters (admin SQL, the row API). A write to a table with BEFORE triggers
   * runs them, all in one transaction; refusals, SQL errors and rejections come back as data.
   */
  async sql(text: string, params: unknown[]): Promise<SqlOutcome> {
    const refused = this.runner.refusal(text, params);
    if (refused !== null) return refused;
    const triggers = await this.resolveTriggers();
    if (triggers === null) {
      // Its own transaction (the statement's savepoint): one txId per statement. Reads write no context.
      if (mayWrite(text)) beginChangeTx(this.ctx.storage.sql, null);
      // encode: the answer is held to MAX_DB_RESULT_BYTES of JSON, as a guest's (an oversized write is undone).
      const { outcome } = this.runner.execute(text, params as unknown[], true);
      this.committed();
      return outcome;
    }
    try {
      return await runTransaction(this.ctx.storage, TRANSACTION_LIMIT_MS, async (scope) => {
        beginChangeTx(this.ctx.storage.sql, null);
        const { outcome } = this.runner.execute(text, params as unknown[], true);
        if (!outcome.ok) throw new FailedWrite(outcome);
        const rejected = await triggers.fire(scope);
        if (rejected !== null) throw new FailedWrite(rejected);
        return outcome;
      }, (scope) => (this.active = scope));
    } catch (error) {
      if (error instanceof FailedWrite) return error.outcome;
      const serialized = plainError(error, INTERNAL_ERROR_CODE);
      if (serialized.code === "transaction_timeout") return { ok: false, code: "transaction_timeout", message: serialized.message, error: serialized };
      throw error;
    } finally {
      this.committed();
    }
  }

  /** After a transaction ended: the commit listeners hear the log's head if it moved (a rollback leaves it). */
  private committed(): void {
    this.commits.committed(headSeq(this.ctx.storage.sql));
  }

  /** Resolves once no transaction holds the object (reads of the change log and snapshots never see one open). */
  private async settled(): Promise<void> {
    while (this.active !== null) await this.active.closed;
  }

  // --- The change stream (change-stream.ts): thin delegations, the logic lives there.

  /** Change log entries after `after`; with `waitMs`, a long poll until a commit appends some. */
  async changes(after: number, limit: number, waitMs: number): Promise<ChangeRead> {
    if (readMarker(this.ctx.storage) === null) return { ok: false, code: "unknown_database" };
    return this.stream.read(after, limit, waitMs);
  }

  /** One snapshot page (snapshot.ts): the rows of a SELECT the service built, and the seq they are consistent with. */
  async snapshot(text: string, params: unknown[], seq: number | null): Promise<SnapshotRead | { ok: false; code: "unknown_database" }> {
    if (readMarker(this.ctx.storage) === null) return { ok: false, code: "unknown_database" };
    await this.settled();
    return snapshotPage(this.ctx.storage.sql, this.runner, text, params, seq);
  }

  /**
   * GET .../changes/tail (the Worker checked the request and forwards it): a WebSocket from ?after=, or a refusal
   * as JSON `{ ok: false, code, ... }` that the Worker turns into its catalogued error.
   */
  override async fetch(request: Request): Promise<Response> {
    if (readMarker(this.ctx.storage) === null) return Response.json({ ok: false, code: "unknown_database" }, { status: 404 });
    const opened = await this.tails.open(Number(new URL(request.url).searchParams.get("after") ?? "0"));
    return opened.ok ? opened.response : Response.json(opened.refusal, { status: 409 });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.tails.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.tails.close(ws, code);
  }

  /** The user's tables (reserved ones hidden), with columns and row counts, and the database's size. */
  async describe(): Promise<{ tables: TableDescription[]; sizeBytes: number }> {
    const sql = this.ctx.storage.sql;
    const names = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .toArray()
      .map((r) => r.name)
      .filter((name) => !isReservedName(name));
    const tables = names.map((name) => {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      const columns = sql
        .exec<{ name: string; type: string; pk: number; notnull: number }>(`SELECT name, type, pk, "notnull" FROM pragma_table_info(?)`, name)
        .toArray()
        .map((c) => ({ name: c.name, type: c.type, primaryKey: c.pk > 0, notNull: c.notnull === 1 }));
      const rows = Number(sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoted}`).one().n);
      return { name, columns, rows };
    });
    return { tables, sizeBytes: sql.databaseSize };
  }

  // --- Lifecycle, table lookups and trigger registrations: the HTTP API's calls (src/services). Each answers data,
  // never throws for the caller's mistakes, so the service raises the catalogued error.

  /** Records that this database exists (idempotent); `created` is false when it already did. */
  async create(region: string, name: string): Promise<{ created: boolean; database: DatabaseMarker }> {
    const { marker, created } = ensureMarker(this.ctx.storage, region, name);
    return { created, database: marker };
  }

  /** The database's record, or null when nobody created it (or it was deleted). */
  async info(): Promise<DatabaseMarker | null> {
    return readMarker(this.ctx.storage);
  }

  /** Everything GET /databases/:db shows, or null for a database that does not exist. */
  async overview(): Promise<DatabaseOverview | null> {
    const database = readMarker(this.ctx.storage);
    if (database === null) return null;
    const { tables, sizeBytes } = await this.describe();
    return { database, tables, sizeBytes, triggers: triggerRegistry.listTriggers(this.ctx.storage.sql) };
  }

  /**
   * Deletes every table, row, trigger registration and the record itself (deleteAll removes the whole SQLite
   * database of a SQLite-backed object, key-value data included), then re-creates the reserved tables so this
   * instance stays usable. Returns whether the database existed.
   */
  async destroy(): Promise<boolean> {
    const existed = readMarker(this.ctx.storage) !== null;
    await this.ctx.storage.deleteAll();
    migrateDatabase(this.ctx.storage);
    this.commits.reset(0);
    this.delivery.forgetAlarm();
    await this.delivery.reschedule();
    return existed;
  }

  /** A user table's columns and key, for the row API; `database: false` when the database does not exist. */
  async tableInfo(table: string): Promise<{ database: false } | { database: true; table: TableInfo | null }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    return { database: true, table: readTableInfo(this.ctx.storage.sql, table) };
  }

  /** Creates or replaces a trigger registration; the table must exist (its canonical name is stored). */
  async putTrigger(name: string, spec: TriggerSpec): Promise<TriggerPutOutcome> {
    if (readMarker(this.ctx.storage) === null) return { ok: false, code: "unknown_database" };
    if (!triggerRegistry.isTriggerName(name)) return { ok: false, code: "invalid_name" };
    const checked = triggerRegistry.checkTriggerSpec(spec);
    if (!checked.ok) return { ok: false, code: "invalid_spec", issues: checked.issues };
    const table = readTableInfo(this.ctx.storage.sql, checked.spec.table);
    if (table === null) return { ok: false, code: "unknown_table" };
    const taken = subscriptions.triggerConflict(this.ctx.storage.sql, name);
    if (taken !== null) return { ok: false, code: "subscription_conflict", reason: taken };
    const put = this.ctx.storage.transactionSync(() => {
      const stored = triggerRegistry.putTrigger(this.ctx.storage, name, { ...checked.spec, table: table.name });
      subscriptions.forTrigger(this.ctx.storage, name, stored.trigger);
      return stored;
    });
    return { ok: true, ...this.woken(put) };
  }

  /** Every registration in name order, or null when the database does not exist. */
  async listTriggers(): Promise<TriggerRegistration[] | null> {
    if (readMarker(this.ctx.storage) === null) return null;
    return triggerRegistry.listTriggers(this.ctx.storage.sql);
  }

  async getTrigger(name: string): Promise<{ database: false } | { database: true; trigger: TriggerRegistration | null }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    return { database: true, trigger: triggerRegistry.getTrigger(this.ctx.storage.sql, name) };
  }

  /** Removes a registration; `deleted` is false when there was none of that name. */
  async deleteTrigger(name: string): Promise<{ database: false } | { database: true; deleted: boolean }> {
    if (readMarker(this.ctx.storage) === null) return { database: false };
    const deleted = this.ctx.storage.transactionSync(() => {
      subscriptions.forTrigger(this.ctx.storage, name, null);
      return triggerRegistry.deleteTrigger(this.ctx.storage.sql, name);
    });
    return { database: true, deleted };
  }

  /**
   * Runs an invocation of a function that names this database (the region object routes it here). A procedure is
   * one serializable transaction: its trap, running out of fuel, its deadline, a failed output check or a trigger's
   * rejection roll back everything it wrote. Everything from other objects and R2 (the function's module, the
   * trigger functions' records and modules) is resolved before the transaction opens.
   */
  async invoke(
    region: string,
    db: string,
    record: FunctionVersion,
    payload: ArrayBuffer,
    invocation: InvocationRequest,
    chain: CallChain,
    runs = 1,
  ): Promise<RpcResult<InvokeResult>> {
    return settle(async () => {
      if (record.database !== db) throw new DatabaseMismatchError(record.name, record.database ?? "(none)");
      return this.runFunction(region, db, record, payload, invocation, chain, runs);
    });
  }

  /**
   * invoke() after its check that the function names this database; subscription consumers come here directly, as
   * they may also name none (then they run as a read-only function would, and their profile grants no db calls).
   */
  private async runFunction(region: string, db: string, record: FunctionVersion, payload: ArrayBuffer, invocation: InvocationRequest, chain: CallChain, runs = 1): Promise<InvokeResult> {
    // Only a database someone created (and nobody deleted) runs functions: otherwise a function's first write
    // would make tables in an object that no listing shows and no DELETE can reach. The marker is a local read.
    if (readMarker(this.ctx.storage) === null) throw new UnknownDatabaseError(region, db);
    this.identity ??= { region, db };
    const prepared = await this.sandboxes.prepare(region, record);
    const started = performance.now();
    // The call tree's sandbox runs and the invocation's deadline (runtime/call-tree.ts), as in the region object.
    const budget = new RunBudget(runs);
    const request: InvocationRequest = { ...invocation, deadline: invocationDeadline(chain) };
    const finish = (outcome: InvocationOutcome): InvokeResult => invokeResultOf(outcome, record, { region, durationMs: performance.now() - started, sandboxRuns: budget.used, requestId: "" });
    if (!profileWritesDatabase(record.profile)) {
      const bridge = new DatabaseHostBridge(this.reads, null, false, this.outside(region, record, chain, budget));
      return finish(await this.runSandbox(prepared, payload, request, bridge));
    }
    const triggers = await this.resolveTriggers();
    const limit = TRANSACTION_LIMIT_MS;
    try {
      return await runTransaction(this.ctx.storage, limit, async (scope) => {
        beginChangeTx(this.ctx.storage.sql, record.name);
        const held: CallChain = { ...chain, deadline: Math.min(chain.deadline, scope.deadline), heldDatabase: databaseObjectName(region, db) };
        const bridge = new DatabaseHostBridge(new ProcedureCalls(this.runner, this.reads.query, triggers), scope, true, this.outside(region, record, held, budget));
        const outcome = await this.runSandbox(prepared, payload, request, bridge);
        if (scope.doomed !== null) throw new SerializedFailure(scope.doomed.error!);
        const result = finish(outcome);
        // A guest that answers an error status (a v2 response status or a WASI CGI Status: of 400 or more) reports
        // failure: its writes are rolled back, and its answer is still delivered.
        if ((result.response?.status ?? 200) >= 400) throw new RolledBackAnswer(result);
        return result;
      }, (scope) => (this.active = scope));
    } catch (error) {
      if (error instanceof RolledBackAnswer) return error.result;
      throw error;
    } finally {
      this.committed();
    }
  }

  /** How delivery reaches a consumer: its record from the region object, then runFunction here. */
  private consumerHost(): Parameters<typeof runConsumer>[0] {
    const identity = this.identity;
    return {
      identity,
      lookup: (name, region) => this.regionStub(region).activeVersionsOf([name], region),
      run: (record, payload, request, chain) => settle(() => this.runFunction(identity!.region, identity!.db, record, payload, request, chain)),
    };
  }

  // --- Subscriptions (subscription-registry.ts): the HTTP API's calls; each wakes delivery when it may have work.

  async putSubscription(name: string, spec: SubscriptionSpec): Promise<Outcome<{ subscription: SubscriptionView; created: boolean }>> {
    return this.woken(subscriptions.put(this.ctx.storage, name, spec));
  }
  async listSubscriptions(): Promise<Outcome<SubscriptionView[]>> {
    return subscriptions.list(this.ctx.storage);
  }
  async getSubscription(name: string): Promise<Outcome<SubscriptionView>> {
    return subscriptions.get(this.ctx.storage, name);
  }
  async pauseSubscription(name: string): Promise<Outcome<SubscriptionView>> {
    return subscriptions.pause(this.ctx.storage, name);
  }
  async resumeSubscription(name: string, skipPruned: boolean): Promise<Outcome<SubscriptionView>> {
    return this.woken(subscriptions.resume(this.ctx.storage, name, skipPruned));
  }
  async deleteSubscription(name: string): Promise<Outcome<true>> {
    return subscriptions.remove(this.ctx.storage, name);
  }
  async listDeadLetters(name: string): Promise<Outcome<DeadLetterView[]>> {
    return subscriptions.deadLetters(this.ctx.storage, name);
  }
  async replayDeadLetter(name: string, id: string): Promise<Outcome<DeadLetterView>> {
    return this.woken(subscriptions.replay(this.ctx.storage, name, id));
  }
  async discardDeadLetter(name: string, id: string): Promise<Outcome<true>> {
    return subscriptions.discard(this.ctx.storage, name, id);
  }

  private woken<T>(outcome: T): T {
    this.delivery.kick();
    void this.delivery.reschedule();
    return outcome;
  }

  /**
   * db_query: one read-only statement, always rolled back. Inside a transaction it sees that transaction's writes;
   * a read-only function (no scope) waits until an open transaction has ended, so it never reads uncommitted rows.
   */
  private async query(request: DbCallRequest, scope: TransactionScope | null): Promise<DbCallOutcome> {
    if (scope !== null && !scope.open) return { status: HostStatus.deadlineExceeded, rows: 0 };
    while (scope === null && this.active !== null) await this.active.closed;
    const { outcome, body } = this.runner.query(request.sql, request.params);
    return outcomeForGuest(outcome, body);
  }

  private async runSandbox(prepared: Awaited<ReturnType<FunctionSandboxes["prepare"]>>, payload: ArrayBuffer, request: InvocationRequest, bridge: DatabaseHostBridge | null): Promise<InvocationOutcome> {
    try {
      return await invokeSandbox(prepared.entry, payload, request, prepared.needsBridge ? bridge : null);
    } catch (error) {
      this.sandboxes.forget(prepared);
      throw error;
    }
  }

  /** Edge calls and fetches of a database function: the region bridge's logic, with the function's chain. */
  private outside(region: string, record: FunctionVersion, chain: CallChain, runs: RunBudget): RegionHostBridge {
    return new RegionHostBridge(this.env, region, record, chain, runs, (target, name, bytes, call) => regionObjectStub(this.env, target).invokeChained(target, name, bytes, call));
  }

  private regionStub(region: string): DurableObjectStub<RegionObject> {
    return this.env.REGION.get(this.env.REGION.idFromName(region));
  }

  /** The registrations' BEFORE trigger functions, resolved before any transaction opens (trigger-resolution.ts). */
  private resolveTriggers(): Promise<TriggerEngine | null> {
    return resolveTriggers(this.ctx.storage.sql, this.identity, {
      activeVersionsOf: (names, region) => this.regionStub(region).activeVersionsOf(names, region),
      prepare: (region, record, profile) => this.sandboxes.prepare(region, record, profile),
      run: (trigger, payload, scope) => this.runTrigger(trigger, payload, scope),
    });
  }

  /** One trigger call: read-only bridge on the write's scope, the trigger's small budget, no network. */
  private runTrigger(trigger: ResolvedTrigger, payload: Uint8Array, scope: TransactionScope): Promise<InvocationOutcome> {
    const record = trigger.record!;
    const request = { fuel: Math.min(TRIGGER_FUEL, record.limits.fuel), maxResponseBytes: TRIGGER_MAX_RESPONSE_BYTES };
    const bridge = new DatabaseHostBridge(this.reads, scope, false, null);
    const bytes = payload.slice().buffer as ArrayBuffer;
    return this.runSandbox(trigger.prepared!, bytes, request, bridge);
  }
}
