// SQLite schema of the registry object, as numbered migrations (append-only: a shipped one is never edited, a change
// is a new number). Each runs once, in order, in one transactionSync with its record in `migrations`. Migration 1 is
// the schema that used to run on every start; its statements are idempotent, so an object created before
// migrations existed converges on the same tables.

export interface RegistryMigration {
  version: number;
  description: string;
  statements: readonly string[];
}

export const REGISTRY_MIGRATIONS_TABLE = "migrations";

export const REGISTRY_MIGRATIONS: readonly RegistryMigration[] = [
  {
    version: 1,
    description: "functions and their immutable versions",
    statements: [
      // One row per name ever deployed. `last_version` never decreases, not even on delete: region objects
      // apply activations monotonically by version number, so a late message can never roll a name back
      // or revive a deleted one.
      `CREATE TABLE IF NOT EXISTS functions (
         name TEXT PRIMARY KEY,
         current_version INTEGER,
         last_version INTEGER NOT NULL,
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL
       )`,
      // Immutable version documents (a FunctionVersion as JSON); a redeploy adds a row, never edits one.
      `CREATE TABLE IF NOT EXISTS versions (
         name TEXT NOT NULL,
         version INTEGER NOT NULL,
         sha256 TEXT NOT NULL,
         instrumented_sha256 TEXT NOT NULL,
         document TEXT NOT NULL,
         PRIMARY KEY (name, version)
       )`,
    ],
  },
  {
    version: 2,
    description: "the list of databases per region",
    statements: [
      // Which databases exist, for listing only: each database's own object holds the record that it exists
      // (src/database/database-marker.ts), so no read or write of a database ever consults this table.
      `CREATE TABLE databases (
         region TEXT NOT NULL,
         name TEXT NOT NULL,
         created_at TEXT NOT NULL,
         PRIMARY KEY (region, name)
       )`,
    ],
  },
  {
    version: 3,
    description: "function secrets, sealed",
    statements: [
      // AES-GCM ciphertexts only (src/runtime/secret-box.ts); the plain text is never written anywhere.
      `CREATE TABLE secrets (
         name TEXT NOT NULL,
         secret TEXT NOT NULL,
         iv TEXT NOT NULL,
         ciphertext TEXT NOT NULL,
         updated_at TEXT NOT NULL,
         PRIMARY KEY (name, secret)
       )`,
    ],
  },
  {
    version: 4,
    description: "scoped API tokens, hashed",
    statements: [
      // The SHA-256 of each token, never the token (src/registry/token-store.ts); looked up by hash on verification.
      `CREATE TABLE tokens (
         id TEXT PRIMARY KEY,
         hash TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL,
         scope TEXT NOT NULL,
         prefix TEXT NOT NULL,
         created_at TEXT NOT NULL
       )`,
    ],
  },
  {
    version: 5,
    description: "deployments: which versions serve a function, under which aliases, in which regions",
    statements: [
      // Since this migration region objects order what they apply by deployments.seq, not by version number
      // (migration 1's comment on last_version describes the order before it); last_version still never decreases,
      // so a version number never names two versions.
      // One row per routing change (deploy, rollback, split, alias, delete). `seq` is the order regions apply them
      // in, and a function's deployment stamp; a function's current deployment is its row with the highest seq.
      // `routes` is a DeploymentRoutes document (src/runtime/deployment.ts), NULL for a delete; `regions` a JSON
      // array. A delete keeps only its own row of the function's history, since its versions are gone too. Rows are
      // only ever deleted below a function's newest one, so the table's largest seq never goes down and a rowid
      // key (max + 1) keeps increasing without AUTOINCREMENT.
      `CREATE TABLE deployments (
         seq INTEGER PRIMARY KEY,
         name TEXT NOT NULL,
         kind TEXT NOT NULL,
         regions TEXT NOT NULL,
         routes TEXT,
         created_at TEXT NOT NULL
       )`,
      `CREATE INDEX deployments_by_name ON deployments (name, seq)`,
      // Every function deployed before deployments existed serves its current version, 100%, where it lists.
      `INSERT INTO deployments (name, kind, regions, routes, created_at)
         SELECT f.name, 'deploy', json_extract(v.document, '$.regions'),
                json_object('default', json_array(json_object('version', f.current_version, 'percent', 100)), 'aliases', json_object()),
                f.updated_at
         FROM functions f JOIN versions v ON v.name = f.name AND v.version = f.current_version
         ORDER BY f.name`,
    ],
  },
];

/** Runs every migration above the recorded version. */
export function migrateRegistry(storage: DurableObjectStorage): number {
  const sql = storage.sql;
  sql.exec(`CREATE TABLE IF NOT EXISTS ${REGISTRY_MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = Number(sql.exec<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${REGISTRY_MIGRATIONS_TABLE}`).one().v ?? 0);
  let applied = current;
  for (const migration of REGISTRY_MIGRATIONS) {
    if (migration.version <= current) continue;
    storage.transactionSync(() => {
      for (const statement of migration.statements) sql.exec(statement);
      sql.exec(
        `INSERT INTO ${REGISTRY_MIGRATIONS_TABLE} (version, description, applied_at) VALUES (?, ?, ?)`,
        migration.version,
        migration.description,
        new Date().toISOString(),
      );
    });
    applied = migration.version;
  }
  return applied;
}
