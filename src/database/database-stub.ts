// Access to one database's object: named "<region>/<db>", created in the region's location hint on first use (later
// gets reach it wherever it lives), so the data sits where the region's functions run.

import type { Env } from "../env.ts";
import { isLocationHint } from "../regions/region-client.ts";
import type { DatabaseObject } from "./database-object.ts";
import { databaseObjectName } from "./database-names.ts";

export function databaseStub(env: Env, region: string, db: string): DurableObjectStub<DatabaseObject> {
  const id = env.DATABASE.idFromName(databaseObjectName(region, db));
  return env.DATABASE.get(id, isLocationHint(region) ? { locationHint: region } : undefined);
}
