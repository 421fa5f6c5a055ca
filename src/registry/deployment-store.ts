// The registry's deployments table (migration 5): typed statements over one SqlStorage. Rows are never updated; a
// routing change is a new row, and a delete prunes the function's older rows (its versions are gone with it).

import type { Deployment, DeploymentKind, DeploymentRoutes } from "../runtime/index.ts";

interface DeploymentRow extends Record<string, SqlStorageValue> {
  seq: number;
  name: string;
  kind: string;
  regions: string;
  routes: string | null;
  created_at: string;
}

const COLUMNS = `seq, name, kind, regions, routes, created_at`;
const INSERT = `INSERT INTO deployments (name, kind, regions, routes, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`;
const LATEST = `SELECT ${COLUMNS} FROM deployments WHERE name = ? ORDER BY seq DESC LIMIT 1`;
const HISTORY = `SELECT ${COLUMNS} FROM deployments WHERE name = ? ORDER BY seq DESC LIMIT ?`;
const PRUNE = `DELETE FROM deployments WHERE name = ? AND seq < ?`;

export interface DeploymentDraft {
  name: string;
  kind: DeploymentKind;
  regions: string[];
  routes: DeploymentRoutes | null;
}

export function insertDeployment(sql: SqlStorage, draft: DeploymentDraft, now: string): Deployment {
  const row = sql
    .exec<DeploymentRow>(INSERT, draft.name, draft.kind, JSON.stringify(draft.regions), draft.routes === null ? null : JSON.stringify(draft.routes), now)
    .one();
  return fromRow(row);
}

export function latestDeployment(sql: SqlStorage, name: string): Deployment | null {
  const rows = sql.exec<DeploymentRow>(LATEST, name).toArray();
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Newest first. */
export function deploymentHistory(sql: SqlStorage, name: string, limit: number): Deployment[] {
  return sql.exec<DeploymentRow>(HISTORY, name, limit).toArray().map(fromRow);
}

/** Drops every deployment of `name` older than `keepFrom`. */
export function pruneDeployments(sql: SqlStorage, name: string, keepFrom: number): void {
  sql.exec(PRUNE, name, keepFrom);
}

function fromRow(row: DeploymentRow): Deployment {
  return {
    name: row.name,
    seq: row.seq,
    kind: row.kind as DeploymentKind,
    regions: JSON.parse(row.regions) as string[],
    routes: row.routes === null ? null : (JSON.parse(row.routes) as DeploymentRoutes),
    createdAt: row.created_at,
  };
}
