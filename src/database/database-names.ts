// Names in the database API: databases and trigger registrations share one pattern. A database object is named
// "<region>/<db>", so the pattern must never admit "/" (two different pairs could otherwise name one object).
// Defined once in the runtime layer (the manifest's `database` field and the region object use them too).

export { DATABASE_NAME, databaseObjectName } from "../runtime/database-names.ts";
