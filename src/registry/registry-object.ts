// The registry: a single SQLite-backed Durable Object ("global") holding every function's versions and deployments.
//
// Why a Durable Object and not D1: a deploy must read the last version number, write the new version and record
// the deployment that routes to it as one step. Inside a Durable Object that is a synchronous SQLite transaction on
// a single-threaded object, so it is serializable and read-your-writes with no retry loop; D1 offers the same SQL
// but through a remote database with read replicas (sessions needed for consistency) and no way to hold the
// read-modify-write of the counters without races. Metadata is small and written only by the control plane, so
// one object is never the bottleneck; invocations never touch it (region objects hold their deployments in
// memory and ask here only when they do not know a name, or at most once per recheck interval per function).

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import {
  type Deployment,
  type DeploymentBundle,
  type DeploymentKind,
  type DeploymentRoutes,
  type FunctionVersion,
  MAX_ALIASES,
  orderRoute,
  type Route,
  routedVersions,
  sameRoute,
  type SealedSecret,
  singleRoute,
} from "../runtime/index.ts";
import * as databaseList from "./database-list.ts";
import type { ListedDatabase } from "./database-list.ts";
import { deploymentHistory, insertDeployment, latestDeployment, pruneDeployments } from "./deployment-store.ts";
import { migrateRegistry } from "./registry-schema.ts";
import * as secretStore from "./secret-store.ts";
import * as tokenStore from "./token-store.ts";
import type { TokenInfo, TokenRow } from "./token-store.ts";
import type { SecretInfo } from "./secret-store.ts";
import { settingsKey } from "./version-settings.ts";

/** Everything about a version except what the registry assigns. */
export type FunctionVersionDraft = Omit<FunctionVersion, "version" | "deployedAt">;

/** A routing change that went through: the new deployment (with its versions) and where the old one served. */
export interface DeploymentChange {
  bundle: DeploymentBundle;
  /** Regions of the deployment it replaced: they must hear of the change too (to stop serving, if dropped). */
  previousRegions: string[];
}

export interface CommitResult {
  version: FunctionVersion;
  /** False when a stored version had identical bytes and settings: that version is reused, no new one is minted. */
  created: boolean;
  /** The primary version of the default route before, or null for a first deploy (or a deploy after delete). */
  previous: FunctionVersion | null;
  /** Null when the function already served exactly this version, 100%, in these regions: nothing changed. */
  change: DeploymentChange | null;
  /** The function's deployment after the commit (the new one, or the unchanged current one). */
  deployment: Deployment;
}

/** Why a routing change was refused; the service turns it into the matching error. */
export type ChangeRefusal =
  | { refused: "unknown_function" }
  | { refused: "unknown_version"; version: number }
  | { refused: "unknown_alias"; alias: string }
  | { refused: "no_previous_version" }
  | { refused: "too_many_aliases"; limit: number };

export type ChangeOutcome = DeploymentChange | ChangeRefusal;

export interface VersionSummary {
  version: number;
  sha256: string;
  deployedAt: string;
}

export interface FunctionDetails {
  current: FunctionVersion;
  /** Newest first. */
  history: VersionSummary[];
  deployment: Deployment;
}

export interface DeletedFunction {
  last: FunctionVersion;
  change: DeploymentChange;
}

interface FunctionRow extends Record<string, SqlStorageValue> {
  name: string;
  current_version: number | null;
  last_version: number;
}

/** Longest page of versions or deployments one call returns. */
export const MAX_HISTORY_PAGE = 100;

export class RegistryObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateRegistry(ctx.storage);
  }

  /** A stored version with these bytes and settings (a redeploy of it need not instrument or upload anything). */
  findIdenticalVersion(draft: FunctionVersionDraft): FunctionVersion | null {
    return this.identical(draft);
  }

  /**
   * Stores the version (or finds the identical one) and deploys it: 100% of the default route in its regions, the
   * aliases kept. Atomic, so two identical deploys racing each other still make one version.
   */
  commitVersion(draft: FunctionVersionDraft): CommitResult {
    return this.ctx.storage.transactionSync(() => {
      const row = this.functionRow(draft.name);
      const now = new Date().toISOString();
      const current = this.current(draft.name);
      const previous = current?.routes ? this.versionDocument(draft.name, current.routes.default[0].version) : null;
      let version = this.identical(draft);
      const created = version === null;
      if (version === null) {
        version = { ...draft, version: (row?.last_version ?? 0) + 1, deployedAt: now };
        this.ctx.storage.sql.exec(
          `INSERT INTO versions (name, version, sha256, instrumented_sha256, document) VALUES (?, ?, ?, ?, ?)`,
          version.name,
          version.version,
          version.sha256,
          version.instrumentedSha256,
          JSON.stringify(version),
        );
        this.ctx.storage.sql.exec(
          `INSERT INTO functions (name, current_version, last_version, created_at, updated_at) VALUES (?1, NULL, ?2, ?3, ?3)
           ON CONFLICT (name) DO UPDATE SET last_version = ?2, updated_at = ?3`,
          version.name,
          version.version,
          now,
        );
      } else if (current?.routes && sameRoute(current.routes.default, singleRoute(version.version)) && sameRegions(current.regions, version.regions)) {
        return { version, created, previous, change: null, deployment: current };
      }
      const routes: DeploymentRoutes = { default: singleRoute(version.version), aliases: current?.routes?.aliases ?? {} };
      const change = this.deploy(draft.name, "deploy", version.regions, routes, current);
      return { version, created, previous, change, deployment: change.bundle.deployment };
    });
  }

  /** Back to `version`, or to the version the default route served before the current one: a new deployment. */
  rollback(name: string, version?: number): ChangeOutcome & { target?: number } {
    return this.ctx.storage.transactionSync(() => {
      const current = this.current(name);
      if (!current?.routes) return { refused: "unknown_function" };
      const target = version ?? this.previousPrimary(name, current.routes.default[0].version);
      if (target === null) return { refused: "no_previous_version" };
      const record = this.versionDocument(name, target);
      if (record === null) return { refused: "unknown_version", version: target };
      const routes = { default: singleRoute(target), aliases: current.routes.aliases };
      return { ...this.deploy(name, "rollback", record.regions, routes, current), target };
    });
  }

  /** A new default route (one version, or a percentage split), in `regions` or where the function serves now. */
  routeDefault(name: string, route: Route, regions?: string[]): ChangeOutcome {
    return this.ctx.storage.transactionSync(() => {
      const current = this.current(name);
      if (!current?.routes) return { refused: "unknown_function" };
      const missing = this.missingVersion(name, route);
      if (missing !== null) return missing;
      const routes = { default: orderRoute(route), aliases: current.routes.aliases };
      return this.deploy(name, route.length > 1 ? "split" : "deploy", regions ?? current.regions, routes, current);
    });
  }

  /** Sets an alias (null: removes it); a new deployment either way. */
  routeAlias(name: string, alias: string, route: Route | null): ChangeOutcome {
    return this.ctx.storage.transactionSync(() => {
      const current = this.current(name);
      if (!current?.routes) return { refused: "unknown_function" };
      const aliases = { ...current.routes.aliases };
      if (route === null) {
        if (aliases[alias] === undefined) return { refused: "unknown_alias", alias };
        delete aliases[alias];
      } else {
        const missing = this.missingVersion(name, route);
        if (missing !== null) return missing;
        if (aliases[alias] === undefined && Object.keys(aliases).length >= MAX_ALIASES) return { refused: "too_many_aliases", limit: MAX_ALIASES };
        aliases[alias] = orderRoute(route);
      }
      return this.deploy(name, "alias", current.regions, { default: current.routes.default, aliases }, current);
    });
  }

  getFunction(name: string): FunctionDetails | null {
    const deployment = this.current(name);
    if (!deployment?.routes) return null;
    const current = this.versionDocument(name, deployment.routes.default[0].version);
    if (current === null) return null;
    const history = this.versions(name, MAX_HISTORY_PAGE).map(({ version, sha256, deployedAt }) => ({ version, sha256, deployedAt }));
    return { current, history, deployment };
  }

  /** Versions newest first, `before` a version number when paging; null if the function does not exist. */
  listVersions(name: string, limit: number, before?: number): FunctionVersion[] | null {
    if (!this.current(name)?.routes) return null;
    return this.versions(name, Math.min(limit, MAX_HISTORY_PAGE), before);
  }

  /** Deployments newest first; null if the function does not exist. */
  listDeployments(name: string, limit: number): Deployment[] | null {
    if (!this.current(name)?.routes) return null;
    return deploymentHistory(this.ctx.storage.sql, name, Math.min(limit, MAX_HISTORY_PAGE));
  }

  getVersion(name: string, version: number): FunctionVersion | null {
    return this.versionDocument(name, version);
  }

  /** The function's current deployment with its versions; a deleted function's is its delete (no routes). */
  currentDeployment(name: string): DeploymentBundle | null {
    const deployment = this.current(name);
    return deployment === null ? null : this.bundle(deployment);
  }

  /** The current deployment if its sequence number is above `seq` (a region asking whether it is behind). */
  deploymentIfNewer(name: string, seq: number): DeploymentBundle | null {
    const deployment = this.current(name);
    return deployment !== null && deployment.seq > seq ? this.bundle(deployment) : null;
  }

  /** Primary version of every deployed function, by name. */
  listFunctions(): FunctionVersion[] {
    return this.ctx.storage.sql
      .exec<{ document: string }>(
        `SELECT v.document FROM functions f JOIN versions v ON v.name = f.name AND v.version = f.current_version
         ORDER BY f.name`,
      )
      .toArray()
      .map(({ document }) => JSON.parse(document) as FunctionVersion);
  }

  /** Removes a function's versions and history behind a delete deployment; keeps the version counter (see schema). */
  deleteFunction(name: string): DeletedFunction | null {
    return this.ctx.storage.transactionSync(() => {
      const current = this.current(name);
      if (!current?.routes) return null;
      const last = this.versionDocument(name, current.routes.default[0].version);
      if (last === null) return null;
      const change = this.deploy(name, "delete", [], null, current);
      this.ctx.storage.sql.exec(`DELETE FROM versions WHERE name = ?`, name);
      secretStore.deleteAllSecrets(this.ctx.storage.sql, name);
      pruneDeployments(this.ctx.storage.sql, name, change.bundle.deployment.seq);
      return { last, change };
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

  /** Records a deployment and points the function at it (inside the caller's transaction). */
  private deploy(name: string, kind: DeploymentKind, regions: string[], routes: DeploymentRoutes | null, current: Deployment | null): DeploymentChange {
    const now = new Date().toISOString();
    const deployment = insertDeployment(this.ctx.storage.sql, { name, kind, regions, routes }, now);
    // `current_version` stays the primary version of the default route (the function list reads it).
    this.ctx.storage.sql.exec(
      `UPDATE functions SET current_version = ?, updated_at = ? WHERE name = ?`,
      routes === null ? null : routes.default[0].version,
      now,
      name,
    );
    return { bundle: this.bundle(deployment), previousRegions: current?.regions ?? [] };
  }

  private bundle(deployment: Deployment): DeploymentBundle {
    const versions = routedVersions(deployment.routes).flatMap((v) => this.versionDocument(deployment.name, v) ?? []);
    return { deployment, versions };
  }

  private current(name: string): Deployment | null {
    return latestDeployment(this.ctx.storage.sql, name);
  }

  /** The newest primary version of an earlier deployment that differs from `primary` and still exists. */
  private previousPrimary(name: string, primary: number): number | null {
    for (const deployment of deploymentHistory(this.ctx.storage.sql, name, 1_000)) {
      const candidate = deployment.routes?.default[0]?.version;
      if (candidate !== undefined && candidate !== primary && this.versionDocument(name, candidate) !== null) return candidate;
    }
    return null;
  }

  private missingVersion(name: string, route: Route): ChangeRefusal | null {
    for (const share of route) {
      if (this.versionDocument(name, share.version) === null) return { refused: "unknown_version", version: share.version };
    }
    return null;
  }

  private identical(draft: FunctionVersionDraft): FunctionVersion | null {
    const key = settingsKey(draft);
    const rows = this.ctx.storage.sql
      .exec<{ document: string }>(`SELECT document FROM versions WHERE name = ? AND sha256 = ? ORDER BY version DESC`, draft.name, draft.sha256)
      .toArray();
    for (const { document } of rows) {
      const version = JSON.parse(document) as FunctionVersion;
      if (settingsKey(version) === key) return version;
    }
    return null;
  }

  private versions(name: string, limit: number, before?: number): FunctionVersion[] {
    return this.ctx.storage.sql
      .exec<{ document: string }>(
        `SELECT document FROM versions WHERE name = ? AND version < ? ORDER BY version DESC LIMIT ?`,
        name,
        before ?? Number.MAX_SAFE_INTEGER,
        limit,
      )
      .toArray()
      .map(({ document }) => JSON.parse(document) as FunctionVersion);
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

function sameRegions(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}
