// resolveTriggers: everything a write's BEFORE triggers need from outside the database object — their functions'
// records (from the region object) and prepared sandboxes (modules from R2) — fetched before any transaction
// opens, because a call into another object's stub from inside the transaction would wait behind it.

import type { RpcResult } from "../regions/region-object.ts";
import type { FunctionVersion } from "../runtime/index.ts";
import type { CapabilityProfile } from "../sandbox/index.ts";
import { syncCaptureTriggers } from "./change-capture.ts";
import type { PreparedSandbox } from "./function-sandboxes.ts";
import { type ResolvedTrigger, TriggerEngine, type TriggerInvoker, triggerProfile } from "./trigger-engine.ts";
import { listTriggers } from "./trigger-registry.ts";

/** What resolution reaches outside this object's storage, and how a resolved trigger then runs. */
export interface TriggerHost {
  activeVersionsOf(names: string[], region: string): Promise<RpcResult<FunctionVersion[]>>;
  prepare(region: string, record: FunctionVersion, profile: CapabilityProfile): Promise<PreparedSandbox>;
  run: TriggerInvoker;
}

/**
 * The registrations' trigger functions with their records and sandboxes; the capture triggers made to match. Null
 * when the database has no BEFORE registrations. A trigger that cannot run is kept with the reason: every write it
 * matches is then rejected (trigger-engine.ts), never let through unchecked.
 */
export async function resolveTriggers(
  sql: SqlStorage,
  identity: { region: string; db: string } | null,
  host: TriggerHost,
): Promise<TriggerEngine | null> {
  // AFTER registrations are subscriptions (delivered after commit): nothing of theirs runs in the write.
  const registrations = listTriggers(sql).filter((r) => r.timing === "before");
  syncCaptureTriggers(sql, registrations);
  if (registrations.length === 0) return null;
  const records = new Map<string, FunctionVersion>();
  if (identity !== null) {
    const names = [...new Set(registrations.map((r) => r.function))];
    const result = await host.activeVersionsOf(names, identity.region);
    if (result.ok) for (const record of result.value) records.set(record.name, record);
  }
  const resolved: ResolvedTrigger[] = [];
  for (const registration of registrations) {
    const record = records.get(registration.function) ?? null;
    let unavailable: string | undefined;
    if (identity === null) unavailable = "the database object does not know its region, so no trigger function can run";
    else if (record === null) unavailable = `trigger function "${registration.function}" is not deployed in region "${identity.region}"`;
    else if (record.database !== undefined && record.database !== identity.db) unavailable = `trigger function "${record.name}" belongs to database "${record.database}"`;
    let prepared = null;
    if (unavailable === undefined) {
      try {
        prepared = await host.prepare(identity!.region, record!, triggerProfile(record!.profile));
      } catch (error) {
        unavailable = `trigger function "${registration.function}" could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    resolved.push({ registration, record, prepared, unavailable });
  }
  return new TriggerEngine(sql, resolved, host.run);
}
