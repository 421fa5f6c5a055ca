// The registry's numbered migrations: a fresh object gets every one once; an object made before migrations existed
// (its functions and versions tables, no record of migrations) keeps its rows and gains the later tables.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { migrateRegistry, REGISTRY_MIGRATIONS } from "../../src/registry/registry-schema.ts";
import type { RegistryObject } from "../../src/registry/index.ts";

const registry = (name: string) => env.REGISTRY.get(env.REGISTRY.idFromName(name));
const versions = (sql: SqlStorage) => sql.exec<{ version: number }>("SELECT version FROM migrations ORDER BY version").toArray().map((r) => r.version);

describe("registry migrations", () => {
  it("apply once each, in order, on a fresh object", async () => {
    const recorded = await runInDurableObject(registry("fresh"), (_: RegistryObject, state) => {
      const before = versions(state.storage.sql);
      migrateRegistry(state.storage);
      return { before, after: versions(state.storage.sql) };
    });
    expect(recorded.before).toEqual(REGISTRY_MIGRATIONS.map((m) => m.version));
    expect(recorded.after).toEqual(recorded.before);
  });

  it("bring a pre-migration registry up to date without losing its functions", async () => {
    const outcome = await runInDurableObject(registry("legacy"), (_: RegistryObject, state) => {
      const sql = state.storage.sql;
      sql.exec("INSERT INTO functions (name, current_version, last_version, created_at, updated_at) VALUES ('old', 1, 1, 'then', 'then')");
      // What an object created before numbered migrations looks like: the tables of migration 1 and nothing else
      // (every later migration's tables dropped, whatever they are).
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray();
      for (const { name } of tables) if (name !== "functions" && name !== "versions") sql.exec(`DROP TABLE "${name}"`);
      const applied = migrateRegistry(state.storage);
      return {
        applied,
        versions: versions(sql),
        functions: sql.exec<{ name: string }>("SELECT name FROM functions").toArray().map((r) => r.name),
        databases: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM databases").one().n,
      };
    });
    const all = REGISTRY_MIGRATIONS.map((m) => m.version);
    expect(outcome).toEqual({ applied: all[all.length - 1], versions: all, functions: ["old"], databases: 0 });
  });
});
