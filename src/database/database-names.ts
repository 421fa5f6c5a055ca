// Names in the database API: databases and trigger registrations share one pattern. A database object is named
// "<region>/<db>", so the pattern must never admit "/" (two different pairs could otherwise name one object).

/** A database or trigger name: lower-case letters, digits, "_" and "-", 1 to 63 characters. */
export const DATABASE_NAME = /^[a-z0-9_-]{1,63}$/;

/** The name of the Durable Object that holds `db` in `region` (env.DATABASE.idFromName). */
export function databaseObjectName(region: string, db: string): string {
  return `${region}/${db}`;
}
