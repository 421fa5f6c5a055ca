// Subscriptions of a database (PUT/GET/DELETE .../subscriptions/:name, pause, resume, dead letters). They live in the
// database's own object (src/database/subscription-*.ts), next to the change log they deliver; this layer checks
// the consumer function against the registry and turns the object's refusals into catalogued errors.

import type { DeadLetterView, Outcome, SubscriptionSpec, SubscriptionView } from "../database/index.ts";
import type { Env } from "../env.ts";
import { registryStub } from "../registry/index.ts";
import { NotDeployedInRegionError, UnknownFunctionError } from "../runtime/index.ts";
import { databaseIn } from "./database-service.ts";
import {
  InvalidSubscriptionFunctionError,
  SubscriptionConflictError,
  SubscriptionCursorExpiredError,
  UnknownDatabaseError,
  UnknownDeadLetterError,
  UnknownSubscriptionError,
} from "./errors.ts";

interface Where {
  region: string;
  db: string;
  subscription?: string;
  deadLetter?: string;
}

function unwrap<T>(outcome: Outcome<T>, where: Where): T {
  if (outcome.ok) return outcome.value;
  switch (outcome.code) {
    case "unknown_database":
      throw new UnknownDatabaseError(where.region, where.db);
    case "unknown_subscription":
      throw new UnknownSubscriptionError(where.db, where.subscription ?? "");
    case "unknown_dead_letter":
      throw new UnknownDeadLetterError(where.subscription ?? "", where.deadLetter ?? "");
    case "cursor_expired":
      throw new SubscriptionCursorExpiredError(where.subscription ?? "", outcome.cursor, outcome.earliestSeq);
    case "subscription_conflict":
      throw new SubscriptionConflictError(where.subscription ?? "", outcome.reason);
  }
}

/**
 * The consumer must be deployed in the database's region and reach no other database. (Undeploying it later does
 * not lose changes: its batches fail with consumer_unavailable and are retried, then dead-lettered or blocking.)
 */
export async function checkConsumer(env: Env, region: string, db: string, functionName: string): Promise<void> {
  const details = await registryStub(env).getFunction(functionName);
  if (details === null) throw new UnknownFunctionError(functionName);
  if (!details.current.regions.includes(region)) throw new NotDeployedInRegionError(functionName, region);
  const own = details.current.database;
  if (own !== undefined && own !== db) throw new InvalidSubscriptionFunctionError(functionName, `it reaches database "${own}", not "${db}"`);
}

export async function putSubscription(env: Env, region: string, db: string, name: string, spec: SubscriptionSpec): Promise<{ subscription: SubscriptionView; created: boolean }> {
  const stub = databaseIn(env, region, db);
  await checkConsumer(env, region, db, spec.function);
  return unwrap(await stub.putSubscription(name, spec), { region, db, subscription: name });
}

export async function listSubscriptions(env: Env, region: string, db: string): Promise<SubscriptionView[]> {
  return unwrap(await databaseIn(env, region, db).listSubscriptions(), { region, db });
}

export async function getSubscription(env: Env, region: string, db: string, name: string): Promise<SubscriptionView> {
  return unwrap(await databaseIn(env, region, db).getSubscription(name), { region, db, subscription: name });
}

export async function pauseSubscription(env: Env, region: string, db: string, name: string): Promise<SubscriptionView> {
  return unwrap(await databaseIn(env, region, db).pauseSubscription(name), { region, db, subscription: name });
}

export async function resumeSubscription(env: Env, region: string, db: string, name: string, skipPruned: boolean): Promise<SubscriptionView> {
  return unwrap(await databaseIn(env, region, db).resumeSubscription(name, skipPruned), { region, db, subscription: name });
}

export async function deleteSubscription(env: Env, region: string, db: string, name: string): Promise<void> {
  unwrap(await databaseIn(env, region, db).deleteSubscription(name), { region, db, subscription: name });
}

export async function listDeadLetters(env: Env, region: string, db: string, name: string): Promise<DeadLetterView[]> {
  return unwrap(await databaseIn(env, region, db).listDeadLetters(name), { region, db, subscription: name });
}

export async function replayDeadLetter(env: Env, region: string, db: string, name: string, id: string): Promise<DeadLetterView> {
  return unwrap(await databaseIn(env, region, db).replayDeadLetter(name, id), { region, db, subscription: name, deadLetter: id });
}

export async function discardDeadLetter(env: Env, region: string, db: string, name: string, id: string): Promise<void> {
  unwrap(await databaseIn(env, region, db).discardDeadLetter(name, id), { region, db, subscription: name, deadLetter: id });
}
