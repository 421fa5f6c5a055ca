// Helpers for the database engine tests: deploy a scripted guest with a database over the HTTP API, run a script
// and read its step reports, reach a database object directly, and register a trigger in its table.

import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { DatabaseObject, SqlOutcome } from "../../src/database/index.ts";
import { databaseObjectName } from "../../src/runtime/index.ts";
import { reports, script, type ScriptStep, type StepReport } from "../support/db-guests.ts";
import { deployRaw, errorOf, invoke } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

export interface DbDeploy {
  profile: string;
  database?: string;
  config?: Record<string, string>;
  fuel?: number;
  allowedHosts?: string;
  regions?: string;
}

export async function deployDbGuest(name: string, guest: string, options: DbDeploy): Promise<void> {
  const query: Record<string, string> = { profile: options.profile, regions: options.regions ?? "wnam" };
  if (options.database !== undefined) query.database = options.database;
  if (options.config !== undefined) query.config = JSON.stringify(options.config);
  if (options.fuel !== undefined) query.fuel = String(options.fuel);
  if (options.allowedHosts !== undefined) query.allowedHosts = options.allowedHosts;
  const response = await deployRaw(name, guestBytes(`wat:${guest}`), { query });
  if (!response.ok) throw new Error(`deploy of ${guest} as ${name} failed: ${response.status} ${await response.text()}`);
  // A function runs only against a database that exists where it runs (the engine answers unknown_database).
  if (options.database !== undefined && response.status < 300) {
    for (const region of query.regions.split(",")) await database(options.database, region).create(region, options.database);
  }
}

export interface ScriptRun {
  status: number;
  reports: StepReport[];
  /** The error object when the invocation failed. */
  error: Record<string, unknown> | null;
}

export async function runScript(name: string, steps: ScriptStep[], region = "wnam"): Promise<ScriptRun> {
  const response = await invoke(name, script(steps), { region });
  if (response.status !== 200) return { status: response.status, reports: [], error: await errorOf(response) };
  return { status: 200, reports: reports(new Uint8Array(await response.arrayBuffer())), error: null };
}

export function database(db: string, region = "wnam"): DurableObjectStub<DatabaseObject> {
  return env.DATABASE.get(env.DATABASE.idFromName(databaseObjectName(region, db)));
}

/** Rows of an admin query that must succeed. */
export async function rowsOf(db: string, sql: string, params: unknown[] = [], region = "wnam"): Promise<unknown[][]> {
  const outcome = (await database(db, region).sql(sql, params)) as SqlOutcome;
  if (!outcome.ok) throw new Error(`${sql}: ${outcome.code} ${outcome.message}`);
  return outcome.value.rows;
}

export async function adminSql(db: string, sql: string, params: unknown[] = [], region = "wnam"): Promise<SqlOutcome> {
  return (await database(db, region).sql(sql, params)) as SqlOutcome;
}

/** Everything a database holds: each user table's rows, in rowid order (to prove a refusal changed nothing). */
export async function snapshot(db: string, region = "wnam"): Promise<Record<string, unknown[][]>> {
  const described = await database(db, region).describe();
  const out: Record<string, unknown[][]> = {};
  for (const table of described.tables) out[table.name] = await rowsOf(db, `SELECT rowid, * FROM "${table.name}" ORDER BY rowid`, [], region);
  return out;
}

export interface TriggerOptions {
  name: string;
  table: string;
  events: ("insert" | "update" | "delete")[];
  functionName: string;
}

/** Creates the database (idempotent) and registers a BEFORE trigger through the object's registration calls. */
export async function registerTrigger(db: string, spec: TriggerOptions, region = "wnam"): Promise<void> {
  const stub = database(db, region);
  await stub.create(region, db);
  const outcome = await stub.putTrigger(spec.name, { table: spec.table, events: spec.events, function: spec.functionName, timing: "before" });
  if (!outcome.ok) throw new Error(`registering ${spec.name} failed: ${JSON.stringify(outcome)}`);
}

export function expectOk(run: ScriptRun): StepReport[] {
  expect(run.error, JSON.stringify(run.error)).toBeNull();
  return run.reports;
}
