// BEFORE triggers in WebAssembly. A write that may fire runs inside a transaction; its statement runs first (in a
// savepoint of its own), the native capture triggers (change-capture.ts) record every row it changed, and then each
// change is handed, in order, to every registration matching its table and event, in registration-name order:
//   payload {"op","table","old","new"}  ->  {"verdict":"accept"} | {"verdict":"reject","message"} |
//                                           {"verdict":"rewrite","row":{...}} (columns to set in the new row)
// A rewrite updates the row (the rows that update captures are not fed back to triggers) and the next trigger sees
// the rewritten row. A rejection, and anything that is not a valid verdict (a trap, running out of fuel or time, a
// bad answer, a trigger function that is not deployed), rejects the whole write and its transaction: fail closed.
// Trigger functions run with at most `database_read` (db_query only, always rolled back), no network, no edge calls,
// on a small fuel and wall-clock budget.

import type { FunctionVersion } from "../runtime/index.ts";
import type { CapabilityProfile, InvocationOutcome } from "../sandbox/index.ts";
import { muteRewrite, unmuteRewrite } from "./change-log-capture.ts";
import { type CapturedChange, clearChanges, describeTable, quoteName, takeChanges } from "./change-capture.ts";
import type { TriggerRegistration } from "./trigger-registry.ts";
import type { PreparedSandbox } from "./function-sandboxes.ts";
import { plainError, type SqlFailure } from "./sql-result.ts";
import type { TransactionScope } from "./transaction-scope.ts";
import { TriggerRejectedError } from "../runtime/index.ts";

/** Fuel a trigger function runs on (or its own `fuel` limit, if lower). */
export const TRIGGER_FUEL = 1_000_000;
/** Wall-clock time one trigger call may take before it is taken as a rejection. */
export const TRIGGER_WALL_CLOCK_MS = 1_000;
/** Largest verdict a trigger function may answer. */
export const TRIGGER_MAX_RESPONSE_BYTES = 64 * 1024;
/** Most rows one statement may change in tables with BEFORE triggers; more is rejected (fail closed). */
export const MAX_TRIGGERED_ROWS = 1_000;

/** What a trigger function may use at most: no writes, no network, no edge calls. */
const TRIGGER_PROFILES = new Set(["minimal", "compute", "database_read"]);

/** The profile a trigger function runs with: its own, narrowed to a read-only view (`database` reads only). */
export function triggerProfile(profile: CapabilityProfile): CapabilityProfile {
  const narrowed = new Set(profile.filter((name) => TRIGGER_PROFILES.has(name)));
  if (profile.includes("database")) narrowed.add("database_read");
  return [...narrowed].sort();
}

/** A registration and the function it runs, resolved before the transaction opened. */
export interface ResolvedTrigger {
  registration: TriggerRegistration;
  record: FunctionVersion | null;
  prepared: PreparedSandbox | null;
  /** Why the trigger cannot run (then every write it matches is rejected). */
  unavailable?: string;
}

/** Runs a trigger function on one payload with a read-only bridge bound to `scope`. */
export type TriggerInvoker = (trigger: ResolvedTrigger, payload: Uint8Array, scope: TransactionScope) => Promise<InvocationOutcome>;

type Verdict = { kind: "accept" } | { kind: "reject"; message: string } | { kind: "rewrite"; row: Record<string, unknown> };

export class TriggerEngine {
  constructor(
    private readonly sql: SqlStorage,
    private readonly triggers: readonly ResolvedTrigger[],
    private readonly invoke: TriggerInvoker,
  ) {}

  get size(): number {
    return this.triggers.length;
  }

  /** Hands every change the last statement captured to its triggers. Null: the write stands (maybe rewritten). */
  async fire(scope: TransactionScope): Promise<SqlFailure | null> {
    const changes = takeChanges(this.sql);
    if (changes.length === 0) return null;
    if (changes.length > MAX_TRIGGERED_ROWS) {
      const first = this.matching(changes[0])[0];
      return rejection(first?.registration.name ?? "(capture)", changes[0].table, `the statement changed ${changes.length} rows; writes to tables with BEFORE triggers may change at most ${MAX_TRIGGERED_ROWS}`);
    }
    for (const change of changes) {
      let row = change.new;
      for (const trigger of this.matching(change)) {
        const name = trigger.registration.name;
        if (trigger.unavailable !== undefined || trigger.prepared === null) return rejection(name, change.table, trigger.unavailable ?? "the trigger function is not available");
        const payload = new TextEncoder().encode(JSON.stringify({ op: change.op, table: change.table, old: change.old, new: row }));
        const verdict = await this.verdictOf(trigger, payload, scope);
        if (!scope.open) return rejection(name, change.table, "the transaction ended while the trigger ran");
        if (typeof verdict === "string") return rejection(name, change.table, verdict);
        if (verdict.kind === "reject") return rejection(name, change.table, verdict.message);
        if (verdict.kind === "rewrite") {
          if (change.op === "delete") return rejection(name, change.table, "answered rewrite for a delete (there is no new row)");
          const applied = this.rewrite(change, verdict.row);
          if (typeof applied === "string") return rejection(name, change.table, applied);
          row = { ...row, ...applied };
        }
      }
    }
    return null;
  }

  private matching(change: CapturedChange): ResolvedTrigger[] {
    const table = change.table.toLowerCase();
    return this.triggers.filter((t) => t.registration.timing === "before" && t.registration.table.toLowerCase() === table && t.registration.events.includes(change.op));
  }

  /** The verdict, or why there is none (fail closed). */
  private async verdictOf(trigger: ResolvedTrigger, payload: Uint8Array, scope: TransactionScope): Promise<Verdict | string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the trigger function did not answer within ${TRIGGER_WALL_CLOCK_MS} ms`), TRIGGER_WALL_CLOCK_MS);
    });
    const run = this.invoke(trigger, payload, scope).then(
      (outcome) => (outcome.ok ? parseVerdict(new Uint8Array(outcome.output)) : `the trigger function failed (${outcome.error.code}): ${outcome.error.message}`),
      (error) => `the trigger function could not run: ${error instanceof Error ? error.message : String(error)}`,
    );
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sets the rewritten columns on the changed row; answers the values set, or why the rewrite is refused. */
  private rewrite(change: CapturedChange, row: Record<string, unknown>): Record<string, unknown> | string {
    const table = describeTable(this.sql, change.table);
    if (table === null) return `table "${change.table}" no longer exists`;
    const columns = Object.keys(row);
    if (columns.length === 0) return row;
    const values: SqlStorageValue[] = [];
    for (const column of columns) {
      if (!table.columns.includes(column)) return `answered a rewrite naming "${column}", which is not a column of "${change.table}"`;
      const value = row[column];
      if (value === null || typeof value === "string" || typeof value === "number") values.push(value);
      else if (typeof value === "boolean") values.push(value ? 1 : 0);
      else return `answered a rewrite whose "${column}" is not a string, number, boolean or null`;
    }
    try {
      // The change log keeps the rewrite as the final row of the write it rewrites, not as an update of its own.
      muteRewrite(this.sql, table.name, change.rowKey);
      this.sql.exec(
        `UPDATE ${quoteName(table.name)} SET ${columns.map((c) => `${quoteName(c)} = ?`).join(", ")} WHERE rowid = ?`,
        ...values,
        change.rowKey,
      );
    } catch (error) {
      return `its rewrite failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      unmuteRewrite(this.sql);
      // The rewrite is the trigger's own answer: what its UPDATE captured is not fed back to the triggers.
      clearChanges(this.sql);
    }
    return row;
  }
}

function rejection(trigger: string, table: string, reason: string): SqlFailure {
  const error = new TriggerRejectedError(trigger, table, reason);
  return { ok: false, code: "trigger_rejected", trigger, table, message: error.message, error: plainError(error, "trigger_rejected") };
}

/** A verdict the trigger answered, or why its answer is not one. */
export function parseVerdict(bytes: Uint8Array): Verdict | string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return `answered something that is not a JSON verdict (${bytes.byteLength} bytes)`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "answered JSON that is not a verdict object";
  const verdict = value as Record<string, unknown>;
  switch (verdict.verdict) {
    case "accept":
      return { kind: "accept" };
    case "reject":
      if (verdict.message !== undefined && typeof verdict.message !== "string") return "answered reject with a message that is not a string";
      return { kind: "reject", message: (verdict.message as string | undefined) ?? "rejected" };
    case "rewrite": {
      const row = verdict.row;
      if (typeof row !== "object" || row === null || Array.isArray(row)) return "answered rewrite without a row object";
      return { kind: "rewrite", row: row as Record<string, unknown> };
    }
    default:
      return `answered verdict ${JSON.stringify(verdict.verdict ?? null)}; expected "accept", "reject" or "rewrite"`;
  }
}
