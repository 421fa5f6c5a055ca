// BEFORE-trigger registrations of a database (PUT/GET/DELETE .../triggers/:name). The registration lives in the
// database's own object (src/database/trigger-registry.ts), next to the writes it guards.

import type { TriggerRegistration, TriggerSpec } from "../database/index.ts";
import type { Env } from "../env.ts";
import { registryStub } from "../registry/index.ts";
import { NotDeployedInRegionError, UnknownFunctionError } from "../runtime/index.ts";
import { databaseIn } from "./database-service.ts";
import { InvalidTriggerFunctionError, SubscriptionConflictError, UnknownDatabaseError, UnknownTableError, UnknownTriggerError } from "./errors.ts";

/**
 * Registers (or replaces) a trigger. The function must be deployed in the database's region and belong to no other
 * database: a trigger whose function cannot run rejects every write (triggers fail closed), so that is refused here
 * rather than discovered on the first write. (Deleting or moving the function later still fails closed.)
 */
export async function putTrigger(env: Env, region: string, db: string, name: string, spec: TriggerSpec): Promise<{ trigger: TriggerRegistration; created: boolean }> {
  const stub = databaseIn(env, region, db);
  const details = await registryStub(env).getFunction(spec.function);
  if (details === null) throw new UnknownFunctionError(spec.function);
  if (!details.current.regions.includes(region)) throw new NotDeployedInRegionError(spec.function, region);
  const own = details.current.database;
  if (own !== undefined && own !== db) throw new InvalidTriggerFunctionError(spec.function, `it reaches database "${own}", not "${db}"`);
  const outcome = await stub.putTrigger(name, spec);
  if (outcome.ok) return { trigger: outcome.trigger, created: outcome.created };
  switch (outcome.code) {
    case "unknown_database":
      throw new UnknownDatabaseError(region, db);
    case "unknown_table":
      throw new UnknownTableError(db, spec.table);
    case "subscription_conflict":
      throw new SubscriptionConflictError(name, outcome.reason);
    default:
      // The route checks the name and the body with the same rules; reaching here is a bug, not the caller's doing.
      throw new Error(`trigger registration refused after the route's checks: ${outcome.code}`);
  }
}

export async function listTriggers(env: Env, region: string, db: string): Promise<TriggerRegistration[]> {
  const triggers = await databaseIn(env, region, db).listTriggers();
  if (triggers === null) throw new UnknownDatabaseError(region, db);
  return triggers;
}

export async function getTrigger(env: Env, region: string, db: string, name: string): Promise<TriggerRegistration> {
  const found = await databaseIn(env, region, db).getTrigger(name);
  if (!found.database) throw new UnknownDatabaseError(region, db);
  if (found.trigger === null) throw new UnknownTriggerError(db, name);
  return found.trigger;
}

export async function deleteTrigger(env: Env, region: string, db: string, name: string): Promise<void> {
  const outcome = await databaseIn(env, region, db).deleteTrigger(name);
  if (!outcome.database) throw new UnknownDatabaseError(region, db);
  if (!outcome.deleted) throw new UnknownTriggerError(db, name);
}
