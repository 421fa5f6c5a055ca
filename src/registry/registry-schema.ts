// SQLite schema of the registry object. Statements are idempotent and run on every start, so a fresh
// object and an existing one converge on the same tables.

export const REGISTRY_SCHEMA = [
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
];
