// The durable record that a database exists: one value in the object's own key-value storage (the SQLite-backed
// object keeps it in its _cf_KV table, which no user SQL may name), written by create and removed with everything
// else by deleteAll. An object without it is a database nobody created (or one that was deleted): the API answers
// unknown_database instead of creating tables in it by accident. Reading it is a synchronous local lookup, so the
// check costs nothing on the write path and involves no other object.

const MARKER_KEY = "helios:database";

export interface DatabaseMarker {
  region: string;
  name: string;
  createdAt: string;
}

export function readMarker(storage: DurableObjectStorage): DatabaseMarker | null {
  return storage.kv.get<DatabaseMarker>(MARKER_KEY) ?? null;
}

/** Writes the marker unless one is there; returns the marker and whether this call created it. */
export function ensureMarker(storage: DurableObjectStorage, region: string, name: string): { marker: DatabaseMarker; created: boolean } {
  const existing = readMarker(storage);
  if (existing !== null) return { marker: existing, created: false };
  const marker = { region, name, createdAt: new Date().toISOString() };
  storage.kv.put(MARKER_KEY, marker);
  return { marker, created: true };
}
