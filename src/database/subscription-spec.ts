// The body of PUT .../subscriptions/:name, checked and completed with its defaults. Pure: the HTTP route and the
// database object apply the same rules. Limits and defaults are documented in docs/limits.md.

import { MAX_ATTEMPTS_CEILING, DEFAULT_RETRY_POLICY } from "../runtime/retry-schedule.ts";
import { TRIGGER_FUNCTION_NAME } from "./trigger-registry.ts";

export const SUBSCRIPTION_EVENTS = ["insert", "update", "delete", "schema"] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];
export const ON_FAILURE = ["dead_letter", "block"] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** Changes per consumer invocation unless the subscription asks otherwise, and the most it may ask for. */
export const DEFAULT_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 1000;
/**
 * The lag cap: a subscription more than this many changes behind the log's head is paused (pausedReason "lag_cap")
 * and stops holding the log's retention, so a consumer that never catches up cannot grow the log without limit.
 * A subscription may ask for less, or more up to MAX_LAG_CEILING.
 */
export const DEFAULT_MAX_LAG = 100_000;
export const MAX_LAG_CEILING = 1_000_000;
/** Tables one subscription may name. */
export const MAX_SUBSCRIPTION_TABLES = 64;

export interface SubscriptionSpec {
  function: string;
  /** Table names it receives; null: every user table. */
  tables: string[] | null;
  events: SubscriptionEvent[];
  batchSize: number;
  maxAttempts: number;
  onFailure: OnFailure;
  /** Whether it receives the changes its own invocations wrote (default false). */
  includeOwnWrites: boolean;
  /** Changes behind the head past which it is paused by the lag cap. */
  maxLag: number;
}

export interface SpecIssue {
  field: string;
  message: string;
}

const FIELDS = ["function", "tables", "events", "batchSize", "maxAttempts", "onFailure", "includeOwnWrites", "maxLag"];

function intIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** Validates a subscription body; absent optional fields take their defaults. */
export function checkSubscriptionSpec(input: unknown): { ok: true; spec: SubscriptionSpec } | { ok: false; issues: SpecIssue[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ field: "body", message: "must be a JSON object {function, tables?, events?, batchSize?, maxAttempts?, onFailure?}" }] };
  }
  const body = input as Record<string, unknown>;
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(body)) if (!FIELDS.includes(key)) issues.push({ field: key, message: "is not a subscription field" });
  if (typeof body.function !== "string" || !TRIGGER_FUNCTION_NAME.test(body.function)) {
    issues.push({ field: "function", message: "must be a function name ([a-z0-9-]{1,63})" });
  }
  let tables: string[] | null = null;
  if (body.tables !== undefined && body.tables !== null) {
    if (!Array.isArray(body.tables) || body.tables.length === 0 || body.tables.length > MAX_SUBSCRIPTION_TABLES) {
      issues.push({ field: "tables", message: `must be a non-empty array of at most ${MAX_SUBSCRIPTION_TABLES} table names, or absent for every table` });
    } else if (body.tables.some((t) => typeof t !== "string" || t === "")) {
      issues.push({ field: "tables", message: "must hold table names" });
    } else {
      tables = [...new Set(body.tables as string[])];
    }
  }
  let events: SubscriptionEvent[] = ["insert", "update", "delete"];
  if (body.events !== undefined) {
    const given = body.events;
    if (!Array.isArray(given) || given.length === 0 || given.some((e) => !(SUBSCRIPTION_EVENTS as readonly unknown[]).includes(e))) {
      issues.push({ field: "events", message: `must be a non-empty array of ${SUBSCRIPTION_EVENTS.join(", ")}` });
    } else if (new Set(given).size !== given.length) {
      issues.push({ field: "events", message: "must not repeat an event" });
    } else {
      events = SUBSCRIPTION_EVENTS.filter((e) => given.includes(e));
    }
  }
  if (body.batchSize !== undefined && !intIn(body.batchSize, 1, MAX_BATCH_SIZE)) issues.push({ field: "batchSize", message: `must be an integer from 1 to ${MAX_BATCH_SIZE}` });
  if (body.maxAttempts !== undefined && !intIn(body.maxAttempts, 1, MAX_ATTEMPTS_CEILING)) {
    issues.push({ field: "maxAttempts", message: `must be an integer from 1 to ${MAX_ATTEMPTS_CEILING}` });
  }
  if (body.onFailure !== undefined && !(ON_FAILURE as readonly unknown[]).includes(body.onFailure)) issues.push({ field: "onFailure", message: `must be one of ${ON_FAILURE.join(", ")}` });
  if (body.maxLag !== undefined && !intIn(body.maxLag, 1, MAX_LAG_CEILING)) issues.push({ field: "maxLag", message: `must be an integer from 1 to ${MAX_LAG_CEILING}` });
  if (body.includeOwnWrites !== undefined && typeof body.includeOwnWrites !== "boolean") issues.push({ field: "includeOwnWrites", message: "must be a boolean" });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    spec: {
      function: body.function as string,
      tables,
      events,
      batchSize: (body.batchSize as number | undefined) ?? DEFAULT_BATCH_SIZE,
      maxAttempts: (body.maxAttempts as number | undefined) ?? DEFAULT_RETRY_POLICY.maxAttempts,
      onFailure: (body.onFailure as OnFailure | undefined) ?? "dead_letter",
      includeOwnWrites: (body.includeOwnWrites as boolean | undefined) ?? false,
      maxLag: (body.maxLag as number | undefined) ?? DEFAULT_MAX_LAG,
    },
  };
}
