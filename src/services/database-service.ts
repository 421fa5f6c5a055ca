// Databases as the HTTP API sees them: create, list, describe and delete a region's databases, and run admin SQL.
// A database is one object per (region, name) (src/database); the registry lists them for GET .../databases only,
// so nothing on a database's read or write path touches the single registry object.

import { databaseStub, isHiddenTable, type DatabaseOverview, type SqlParam, type SqlResult } from "../database/index.ts";
import type { Env } from "../env.ts";
import { regionConfig } from "../regions/region-config.ts";
import { registryStub, type ListedDatabase } from "../registry/index.ts";
import { UnknownDatabaseError, UnknownRegionError } from "./errors.ts";
import { resultJson, unwrapSql } from "./sql-outcome.ts";

/** Throws unless `region` is configured. */
export function checkRegion(env: Env, region: string): void {
  const { regions } = regionConfig(env);
  if (!regions.includes(region)) throw new UnknownRegionError(region, regions);
}

/** The database's object, after checking the region (the database itself may still not exist). */
export function databaseIn(env: Env, region: string, db: string) {
  checkRegion(env, region);
  return databaseStub(env, region, db);
}

export async function createDatabase(env: Env, region: string, db: string): Promise<{ created: boolean; database: ListedDatabase }> {
  const { created, database } = await databaseIn(env, region, db).create(region, db);
  // The object's record comes first: it is what makes the database exist. Listing it is idempotent, so a retry
  // after a failure here repairs the list.
  await registryStub(env).recordDatabase(database);
  return { created, database };
}

export async function listDatabases(env: Env, region: string): Promise<ListedDatabase[]> {
  checkRegion(env, region);
  return registryStub(env).listDatabases(region);
}

export async function describeDatabase(env: Env, region: string, db: string): Promise<DatabaseOverview> {
  const overview = await databaseIn(env, region, db).overview();
  if (overview === null) throw new UnknownDatabaseError(region, db);
  return { ...overview, tables: overview.tables.filter((t) => !isHiddenTable(t.name)) };
}

/** Deletes the database's data, triggers and record, then its list entry; unknown only if neither existed. */
export async function deleteDatabase(env: Env, region: string, db: string): Promise<void> {
  const existed = await databaseIn(env, region, db).destroy();
  const listed = await registryStub(env).forgetDatabase(region, db);
  if (!existed && !listed) throw new UnknownDatabaseError(region, db);
}

/** One admin statement (schema, reads, writes), through the same checked path and BEFORE triggers as every write. */
export async function runSql(env: Env, region: string, db: string, sql: string, params: SqlParam[]): Promise<SqlResult> {
  const stub = databaseIn(env, region, db);
  if ((await stub.info()) === null) throw new UnknownDatabaseError(region, db);
  return resultJson(unwrapSql(await stub.sql(sql, params)));
}
