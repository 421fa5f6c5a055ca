// The registry: a single SQLite-backed Durable Object ("global") holding every function's versions.
//
// Why a Durable Object and not D1: a deploy must read the last version number, write the new version
// and move the "current" pointer as one step. Inside a Durable Object that is a synchronous SQLite
// transaction on a single-threaded object, so it is serializable and read-your-writes with no retry
// loop; D1 offers the same SQL but through a remote database with read replicas (sessions needed for
// consistency) and no way to hold the read-modify-write of the version counter without races.
// Metadata is small and written only on deploy/delete, so one object is never the bottleneck;
// invocations never touch it (region objects hold the active version in memory).

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { FunctionVersion, SealedSecret } from "../runtime/index.ts";
import * as databaseList from "./database-list.ts";
import type { ListedDatabase } from "./database-list.ts";
import { migrateRegistry } from "./registry-schema.ts";
import * as secretStore from "./secret-store.ts";
import * as tokenStore from "./token-store.ts";
import type { TokenInfo, TokenRow } from "./token-store.ts";
import type { SecretInfo } from "./secret-store.ts";

/** Everything about a version except what the registry assigns. */
export type FunctionVersionDraft = Omit<FunctionVersion, "version" | "deployedAt">;

export interface CommitResult {
  version: FunctionVersion;
  /** The version this one replaced, or null for a first deploy (or a deploy after delete). */
  previous: FunctionVersion | null;
}

export interface VersionSummary {
  version: number;
  sha256: string;
  deployedAt: string;
}

export interface FunctionDetails {
  current: FunctionVersion;
  /** Newest first. */
  history: VersionSummary[];
}

export interface DeletedFunction {
  last: FunctionVersion;
  /** Version number the region objects record as the deletion point. */
  tombstoneVersion: number;
}

interface FunctionRow extends Record<string, SqlStorageValue> {
  name: string;
  current_version: number | null;
  last_version: number;
}

export class RegistryObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateRegistry(ctx.storage);
  }

  /** Assigns the next version number, stores the version and makes it current, atomically. */
  commitVersion(draft: FunctionVersionDraft): CommitResult {
    return this.ctx.storage.transactionSync(() => {
      const row = this.functionRow(draft.name);
      const now = new Date().toISOString();
      const version: FunctionVersion = { ...draft, version: (row?.last_version ?? 0) + 1, deployedAt: now };
      const previous = row?.current_version != null ? this.versionDocument(draft.name, row.current_version) : null;
      this.ctx.storage.sql.exec(
        `INSERT INTO versions (name, version, sha256, instrumented_sha256, document) VALUES (?, ?, ?, ?, ?)`,
        version.name,
        version.version,
        version.sha256,
        version.instrumentedSha256,
        JSON.stringify(version),
      );
      this.ctx.storage.sql.exec(
        `INSERT INTO functions (name, current_version, last_version, created_at, updated_at)
         VALUES (?1, ?2, ?2, ?3, ?3)
         ON CONFLICT (name) DO UPDATE SET current_version = ?2, last_version = ?2, updated_at = ?3`,
        version.name,
        version.version,
        now,
      );
      return { version, previous };
    });
  }

  getFunction(name: string): FunctionDetails | null {
    const row = this.functionRow(name);
    if (row?.current_version == null) return null;
    const current = this.versionDocument(name, row.current_version);
    if (current === null) return null;
    const history = this.ctx.storage.sql
      .exec<{ version: number; document: string }>(
        `SELECT version, document FROM versions WHERE name = ? ORDER BY version DESC`,
        name,
      )
      .toArray()
      .map(({ document }) => {
        const { version, sha256, deployedAt } = JSON.parse(document) as FunctionVersion;
        return { version, sha256, deployedAt };
      });
    return { current, history };
  }

  /** Current version of every deployed function, by name. */
  listFunctions(): FunctionVersion[] {
    return this.ctx.storage.sql
      .exec<{ document: string }>(
        `SELECT v.document FROM functions f JOIN versions v ON v.name = f.name AND v.version = f.current_version
         ORDER BY f.name`,
      )
      .toArray()
      .map(({ document }) => JSON.parse(document) as FunctionVersion);
  }

  /** Removes a function and its version history; keeps the version counter (see schema). */
  deleteFunction(name: string): DeletedFunction | null {
    return this.ctx.storage.transactionSync(() => {
      const row = this.functionRow(name);
      if (row?.current_version == null) return null;
      const last = this.versionDocument(name, row.current_version);
      if (last === null) return null;
      const tombstoneVersion = row.last_version + 1;
      this.ctx.storage.sql.exec(`DELETE FROM versions WHERE name = ?`, name);
      secretStore.deleteAllSecrets(this.ctx.storage.sql, name);
      this.ctx.storage.sql.exec(
        `UPDATE functions SET current_version = NULL, last_version = ?, updated_at = ? WHERE name = ?`,
        tombstoneVersion,
        new Date().toISOString(),
        name,
      );
      return { last, tombstoneVersion };
    });
  }

  /** Number of stored version rows across all functions (tests use it to prove a rejection stored nothing). */
  countVersions(): number {
    return this.ctx.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM versions`).one().n;
  }

  /** Sets or replaces sealed secrets of a function (all or none). */
  putSecrets(name: string, sealed: SealedSecret[]): void {
    this.ctx.storage.transactionSync(() => secretStore.putSecrets(this.ctx.storage.sql, name, sealed));
  }

  /** Returns whether there was such a secret. */
  deleteSecret(name: string, secret: string): boolean {
    return secretStore.deleteSecret(this.ctx.storage.sql, name, secret);
  }

  sealedSecrets(name: string): SealedSecret[] {
    return secretStore.sealedSecrets(this.ctx.storage.sql, name);
  }

  secretInfo(name: string): SecretInfo[] {
    return secretStore.secretInfo(this.ctx.storage.sql, name);
  }

  /** Secret names per function name, for functions that have any. */
  secretNames(): Record<string, string[]> {
    return secretStore.secretNamesByFunction(this.ctx.storage.sql);
  }

  /** Stores a scoped token (its hash) unless `limit` exist; returns whether it did. */
  createToken(token: TokenRow, limit: number): boolean {
    return this.ctx.storage.transactionSync(() => tokenStore.insertToken(this.ctx.storage.sql, token, limit));
  }

  listTokens(): TokenInfo[] {
    return tokenStore.listTokens(this.ctx.storage.sql);
  }

  /** The token whose SHA-256 is `hash`, or null. */
  findToken(hash: string): TokenInfo | null {
    return tokenStore.tokenByHash(this.ctx.storage.sql, hash);
  }

  /** Returns whether a token had that id. */
  revokeToken(id: string): boolean {
    return tokenStore.deleteToken(this.ctx.storage.sql, id);
  }

  /** Lists a database (idempotent: a database listed already keeps its entry). */
  recordDatabase(entry: ListedDatabase): void {
    databaseList.recordDatabase(this.ctx.storage.sql, entry);
  }

  listDatabases(region: string): ListedDatabase[] {
    return databaseList.listDatabases(this.ctx.storage.sql, region);
  }

  /** Returns whether the database was listed. */
  forgetDatabase(region: string, name: string): boolean {
    return databaseList.forgetDatabase(this.ctx.storage.sql, region, name);
  }

  private functionRow(name: string): FunctionRow | null {
    const rows = this.ctx.storage.sql
      .exec<FunctionRow>(`SELECT name, current_version, last_version FROM functions WHERE name = ?`, name)
      .toArray();
    return rows[0] ?? null;
  }

  private versionDocument(name: string, version: number): FunctionVersion | null {
    const rows = this.ctx.storage.sql
      .exec<{ document: string }>(`SELECT document FROM versions WHERE name = ? AND version = ?`, name, version)
      .toArray();
    return rows[0] ? (JSON.parse(rows[0].document) as FunctionVersion) : null;
  }
}
