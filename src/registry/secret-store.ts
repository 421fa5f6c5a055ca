// Function secrets in the registry (migration 3): sealed values only, written by the secrets API and by deploys that
// carry secrets, read by region objects when they prepare a function's sandbox (a cold path: once per version and
// region object, and after each change). Names and update times are all the API may show.

import type { SealedSecret } from "../runtime/index.ts";

export interface SecretInfo {
  name: string;
  updatedAt: string;
}

const UPSERT = `INSERT INTO secrets (name, secret, iv, ciphertext, updated_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (name, secret) DO UPDATE SET iv = excluded.iv, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`;
const SEALED = `SELECT secret, iv, ciphertext FROM secrets WHERE name = ? ORDER BY secret`;
const INFO = `SELECT secret, updated_at FROM secrets WHERE name = ? ORDER BY secret`;
const ALL_NAMES = `SELECT name, secret FROM secrets ORDER BY name, secret`;
const DELETE_ONE = `DELETE FROM secrets WHERE name = ? AND secret = ? RETURNING secret`;
const DELETE_ALL = `DELETE FROM secrets WHERE name = ?`;

/** Sets (or replaces) the given secrets. */
export function putSecrets(sql: SqlStorage, functionName: string, sealed: readonly SealedSecret[]): void {
  const now = new Date().toISOString();
  for (const secret of sealed) sql.exec(UPSERT, functionName, secret.name, secret.iv, secret.ciphertext, now);
}

/** Returns whether the function had that secret. */
export function deleteSecret(sql: SqlStorage, functionName: string, secret: string): boolean {
  return sql.exec(DELETE_ONE, functionName, secret).toArray().length > 0;
}

/** Drops every secret of a function (when the function is deleted). */
export function deleteAllSecrets(sql: SqlStorage, functionName: string): void {
  sql.exec(DELETE_ALL, functionName);
}

export function sealedSecrets(sql: SqlStorage, functionName: string): SealedSecret[] {
  return sql
    .exec<{ secret: string; iv: string; ciphertext: string }>(SEALED, functionName)
    .toArray()
    .map((row) => ({ name: row.secret, iv: row.iv, ciphertext: row.ciphertext }));
}

export function secretInfo(sql: SqlStorage, functionName: string): SecretInfo[] {
  return sql
    .exec<{ secret: string; updated_at: string }>(INFO, functionName)
    .toArray()
    .map((row) => ({ name: row.secret, updatedAt: row.updated_at }));
}

/** Secret names of every function that has any, for the function list. */
export function secretNamesByFunction(sql: SqlStorage): Record<string, string[]> {
  const names: Record<string, string[]> = {};
  for (const row of sql.exec<{ name: string; secret: string }>(ALL_NAMES)) (names[row.name] ??= []).push(row.secret);
  return names;
}
