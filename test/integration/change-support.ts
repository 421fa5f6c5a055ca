// Helpers for the change stream tests: a fresh database over HTTP, admin SQL, and GET .../changes.

import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { databaseStub, type DatabaseObject } from "../../src/database/index.ts";
import { env } from "cloudflare:workers";
import type { ChangeEntry } from "../../src/database/change-log.ts";
import { AUTH, freshName, request } from "./api-support.ts";

export const dbPath = (db: string, region = "wnam") => `/v1/regions/${region}/databases/${db}`;

export async function ok<T>(response: Response, status = 200): Promise<T> {
  const body = await response.json<T>();
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** A fresh database in wnam with table t (id INTEGER PRIMARY KEY, v TEXT); its CREATE TABLE is seq 1. */
export async function freshDatabase(prefix: string): Promise<string> {
  const db = freshName(prefix).replaceAll("-", "_");
  await ok(await request("PUT", dbPath(db), { headers: AUTH }), 201);
  await sql(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  return db;
}

export async function sql(db: string, text: string, params: unknown[] = []): Promise<{ rows: unknown[][] }> {
  const body = JSON.stringify({ sql: text, params });
  return ok(await request("POST", `${dbPath(db)}/sql`, { body, headers: { ...AUTH, "content-type": "application/json" } }));
}

export interface ChangePage {
  changes: ChangeEntry[];
  headSeq: number;
}

/** GET .../changes with the query given; the raw response. */
export function getChanges(db: string, query: Record<string, string | number> = {}): Promise<Response> {
  const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return request("GET", `${dbPath(db)}/changes${search ? `?${search}` : ""}`, { headers: AUTH });
}

/** Runs `fn` on the database's object storage (to prune the log as retention would). */
export function onStorage<T>(db: string, fn: (sql: SqlStorage) => T): Promise<T> {
  return runInDurableObject(databaseStub(env, "wnam", db), (_instance: DatabaseObject, state) => fn(state.storage.sql));
}
