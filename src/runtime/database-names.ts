// Database names and the Durable Object each one lives in: one object per region and database, named
// "<region>/<db>" and created with the region's location hint.

/** A database's name: what the API, the manifest field `database` and the object name accept. */
export const DATABASE_NAME = /^[a-z0-9_-]{1,63}$/;

export function isDatabaseName(name: string): boolean {
  return DATABASE_NAME.test(name);
}

/** The database object's name for `db` in `region`. */
export function databaseObjectName(region: string, db: string): string {
  return `${region}/${db}`;
}

/** The (region, db) an object name stands for, or null when it is not one. */
export function parseDatabaseObjectName(name: string): { region: string; db: string } | null {
  const slash = name.indexOf("/");
  if (slash <= 0) return null;
  const region = name.slice(0, slash);
  const db = name.slice(slash + 1);
  return isDatabaseName(db) ? { region, db } : null;
}
