// What a region object holds: the deployment of each function it has heard of (in memory, backed by its own SQLite
// storage) with the version records it routes to. Deployments apply in sequence order only, so a late or reordered
// message never rolls a function back and a delete is never undone by an older deployment; the version numbers
// play no part in that order.

import type { Deployment, DeploymentBundle, FunctionVersion } from "../runtime/index.ts";

export interface HeldDeployment {
  deployment: Deployment;
  versions: ReadonlyMap<number, FunctionVersion>;
  /** When this region last made sure (or started to) that the registry has nothing newer; 0: never since loaded. */
  checkedAt: number;
}

const TABLE = "held_deployments";

export class HeldDeployments {
  private readonly held = new Map<string, HeldDeployment>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, bundle TEXT NOT NULL)`);
    // The table before deployments (name, version, record): the registry's deployments supersede it, and a name
    // found only there is repaired from the registry on first use like any name this region has not heard of.
    sql.exec(`DROP TABLE IF EXISTS functions`);
    for (const row of sql.exec<{ bundle: string }>(`SELECT bundle FROM ${TABLE}`)) {
      const bundle = JSON.parse(row.bundle) as DeploymentBundle;
      this.held.set(bundle.deployment.name, entry(bundle, 0));
    }
  }

  get(name: string): HeldDeployment | undefined {
    return this.held.get(name);
  }

  /** Stores the bundle if it is newer than what is held; returns whether it was. */
  apply(bundle: DeploymentBundle, now: number): boolean {
    const { name, seq } = bundle.deployment;
    if (seq <= (this.held.get(name)?.deployment.seq ?? 0)) return false;
    this.sql.exec(
      `INSERT INTO ${TABLE} (name, seq, bundle) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, bundle = excluded.bundle`,
      name,
      seq,
      JSON.stringify(bundle),
    );
    // One Map write: the swap is atomic for every invocation that has not yet read the entry.
    this.held.set(name, entry(bundle, now));
    return true;
  }

  *[Symbol.iterator](): IterableIterator<HeldDeployment> {
    yield* this.held.values();
  }
}

function entry(bundle: DeploymentBundle, checkedAt: number): HeldDeployment {
  return { deployment: bundle.deployment, versions: new Map(bundle.versions.map((v) => [v.version, v])), checkedAt };
}
