// The registry's migration 5 on a registry that predates deployments: every function serves its current version,
// 100%, where that version lists, and deployment sequence numbers keep increasing afterwards.

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RegistryObject } from "../../src/registry/index.ts";
import { migrateRegistry } from "../../src/registry/registry-schema.ts";
import { DEFAULT_LIMITS, type FunctionVersion } from "../../src/runtime/index.ts";

function version(name: string, number: number, regions: string[]): FunctionVersion {
  return {
    name,
    version: number,
    sha256: String(number).repeat(64).slice(0, 64),
    instrumentedSha256: "f".repeat(64),
    moduleKey: `instrumented/${"f".repeat(64)}.wasm`,
    regions,
    profile: ["minimal"],
    limits: { ...DEFAULT_LIMITS },
    config: {},
    private: false,
    deployedAt: "2026-11-01T00:00:00.000Z",
  };
}

describe("registry migration 5 (deployments)", () => {
  it("gives every function deployed before it a deployment of its current version", async () => {
    const stub = env.REGISTRY.get(env.REGISTRY.idFromName(`migration-${Date.now()}`));
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      // Back to the schema of migrations 1 to 4, with what a registry of that time held.
      sql.exec(`DROP TABLE deployments`);
      sql.exec(`DELETE FROM migrations WHERE version = 5`);
      const rows = [version("old-a", 1, ["wnam"]), version("old-a", 2, ["wnam", "weur"]), version("old-b", 4, ["apac"])];
      for (const v of rows) {
        sql.exec(`INSERT INTO versions (name, version, sha256, instrumented_sha256, document) VALUES (?, ?, ?, ?, ?)`, v.name, v.version, v.sha256, v.instrumentedSha256, JSON.stringify(v));
      }
      sql.exec(`INSERT INTO functions VALUES ('old-a', 2, 2, 'then', 'then'), ('old-b', 4, 5, 'then', 'then'), ('gone', NULL, 3, 'then', 'then')`);

      expect(migrateRegistry(state.storage)).toBeGreaterThanOrEqual(5);
      const registry = new RegistryObject(state, env);
      const a = registry.currentDeployment("old-a")!;
      expect(a.deployment).toMatchObject({ kind: "deploy", regions: ["wnam", "weur"], routes: { default: [{ version: 2, percent: 100 }], aliases: {} } });
      expect(a.versions.map((v) => v.version)).toEqual([2]);
      expect(registry.currentDeployment("old-b")!.deployment.regions).toEqual(["apac"]);
      expect(registry.currentDeployment("gone")).toBeNull();
      expect(registry.getFunction("old-a")!.current.version).toBe(2);

      // A rollback afterwards is a newer deployment, and names the version before.
      const back = registry.rollback("old-a", 1);
      expect("bundle" in back && back.bundle.deployment.seq).toBeGreaterThan(a.deployment.seq);
      expect(registry.listFunctions().find((f) => f.name === "old-a")!.version).toBe(1);
    });
  });
});
