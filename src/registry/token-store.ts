// Scoped API tokens in the registry (a numbered migration in registry-schema.ts): one row per token, holding the
// SHA-256 of the token (never the token, which is shown once at creation) and its scope. Verified by hash: the
// presented token is hashed and looked up, so the registry never sees a token it did not issue in plain text either.

/** What a scoped token may do (src/api/permissions.ts); the admin token (HELIOS_TOKEN) is not stored here. */
export type TokenScope = "deploy" | "read" | "invoke";

export interface TokenInfo {
  id: string;
  /** A label for people; not unique. */
  name: string;
  scope: TokenScope;
  /** Function-name prefix the scope is limited to ("" = every function). */
  prefix: string;
  createdAt: string;
}

export interface TokenRow extends TokenInfo {
  /** SHA-256 (hex) of the whole token string. */
  hash: string;
}

const INSERT = `INSERT INTO tokens (id, hash, name, scope, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?)`;
const COUNT = `SELECT COUNT(*) AS n FROM tokens`;
const LIST = `SELECT id, name, scope, prefix, created_at FROM tokens ORDER BY created_at, id`;
const BY_HASH = `SELECT id, name, scope, prefix, created_at FROM tokens WHERE hash = ?`;
const DELETE = `DELETE FROM tokens WHERE id = ? RETURNING id`;

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  scope: string;
  prefix: string;
  created_at: string;
}

function info(row: Row): TokenInfo {
  return { id: row.id, name: row.name, scope: row.scope as TokenScope, prefix: row.prefix, createdAt: row.created_at };
}

/** Stores the token unless `limit` tokens exist already; returns whether it was stored. */
export function insertToken(sql: SqlStorage, token: TokenRow, limit: number): boolean {
  if (sql.exec<{ n: number }>(COUNT).one().n >= limit) return false;
  sql.exec(INSERT, token.id, token.hash, token.name, token.scope, token.prefix, token.createdAt);
  return true;
}

export function listTokens(sql: SqlStorage): TokenInfo[] {
  return sql.exec<Row>(LIST).toArray().map(info);
}

export function tokenByHash(sql: SqlStorage, hash: string): TokenInfo | null {
  const rows = sql.exec<Row>(BY_HASH, hash).toArray();
  return rows[0] ? info(rows[0]) : null;
}

/** Returns whether a token had that id. */
export function deleteToken(sql: SqlStorage, id: string): boolean {
  return sql.exec(DELETE, id).toArray().length > 0;
}
