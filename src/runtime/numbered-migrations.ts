// Numbered migrations of an object's own tables, shared by every SQLite-backed object that keeps a migrations table.
// Each migration runs once, in order, with its record in one transactionSync; migrations are append-only.

export interface NumberedMigration {
  version: number;
  description: string;
  statements: readonly string[];
}

/** Runs every migration above the version recorded in `table`; answers the version now applied. */
export function applyMigrations(storage: DurableObjectStorage, table: string, migrations: readonly NumberedMigration[]): number {
  const sql = storage.sql;
  sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = Number(sql.exec<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${table}`).one().v ?? 0);
  let applied = current;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    storage.transactionSync(() => {
      for (const statement of migration.statements) sql.exec(statement);
      sql.exec(`INSERT INTO ${table} (version, description, applied_at) VALUES (?, ?, ?)`, migration.version, migration.description, new Date().toISOString());
    });
    applied = migration.version;
  }
  return applied;
}
