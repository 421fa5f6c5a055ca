// The registry's list of databases per region (migration 2): written on create and delete, read by the list route.
// It is never on a database's read or write path (each database object knows by itself whether it exists).

export interface ListedDatabase {
  region: string;
  name: string;
  createdAt: string;
}

const INSERT = `INSERT INTO databases (region, name, created_at) VALUES (?, ?, ?) ON CONFLICT (region, name) DO NOTHING`;
const SELECT_REGION = `SELECT region, name, created_at FROM databases WHERE region = ? ORDER BY name`;
const DELETE = `DELETE FROM databases WHERE region = ? AND name = ? RETURNING name`;

export function recordDatabase(sql: SqlStorage, entry: ListedDatabase): void {
  sql.exec(INSERT, entry.region, entry.name, entry.createdAt);
}

export function listDatabases(sql: SqlStorage, region: string): ListedDatabase[] {
  return sql
    .exec<{ region: string; name: string; created_at: string }>(SELECT_REGION, region)
    .toArray()
    .map((row) => ({ region: row.region, name: row.name, createdAt: row.created_at }));
}

/** Returns whether the database was listed. */
export function forgetDatabase(sql: SqlStorage, region: string, name: string): boolean {
  return sql.exec(DELETE, region, name).toArray().length > 0;
}
