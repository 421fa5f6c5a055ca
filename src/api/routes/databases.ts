// The database API (all need the bearer token): databases per region, admin SQL, rows as JSON objects, and BEFORE-
// trigger registrations. Routes parse and answer; src/services does the work.

import { Hono, type Context } from "hono";
import { checkTriggerSpec } from "../../database/index.ts";
import * as databases from "../../services/index.ts";
import { assertDatabaseName, parsePage, parseRow, parseSqlBody, readJsonBody } from "../database-request.ts";
import { InvalidRequestError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { isRead, requirePermission } from "../permissions.ts";

export const databaseRoutes = new Hono<HonoEnv>();

const BASE = "/v1/regions/:region/databases";

for (const path of [BASE, `${BASE}/*`]) {
  // Reads: the admin token or a `read` token; everything else (writes, admin SQL, triggers): the admin token.
  databaseRoutes.use(path, requirePermission((c) => ({ action: isRead(c.req.method) ? "read_any" : "admin" })));
}

/** The region and database named by the path (the database's syntax checked; the region by the service). */
function target(c: Context<HonoEnv>): [string, string] {
  return [c.req.param("region")!, assertDatabaseName(c.req.param("db")!, "database")];
}

databaseRoutes.put(`${BASE}/:db`, async (c) => {
  const [region, db] = target(c);
  const { created, database } = await databases.createDatabase(c.env, region, db);
  return c.json({ database }, created ? 201 : 200);
});

databaseRoutes.get(BASE, async (c) => {
  return c.json({ databases: await databases.listDatabases(c.env, c.req.param("region")) });
});

databaseRoutes.get(`${BASE}/:db`, async (c) => {
  const [region, db] = target(c);
  const { database, tables, sizeBytes, triggers } = await databases.describeDatabase(c.env, region, db);
  return c.json({ database: { ...database, sizeBytes, tables, triggers } });
});

databaseRoutes.delete(`${BASE}/:db`, async (c) => {
  const [region, db] = target(c);
  await databases.deleteDatabase(c.env, region, db);
  return c.json({ deleted: db, region });
});

databaseRoutes.post(`${BASE}/:db/sql`, async (c) => {
  const [region, db] = target(c);
  const { sql, params } = parseSqlBody(await readJsonBody(c.req.raw));
  return c.json(await databases.runSql(c.env, region, db, sql, params));
});

// --- Rows.

databaseRoutes.post(`${BASE}/:db/tables/:table/rows`, async (c) => {
  const [region, db] = target(c);
  const values = parseRow(await readJsonBody(c.req.raw), { nonEmpty: false });
  return c.json({ row: await databases.insertRow(c.env, region, db, c.req.param("table"), values) }, 201);
});

databaseRoutes.get(`${BASE}/:db/tables/:table/rows`, async (c) => {
  const [region, db] = target(c);
  const page = parsePage(c.req.query("limit"), c.req.query("cursor"));
  return c.json(await databases.listRows(c.env, region, db, c.req.param("table"), page));
});

databaseRoutes.get(`${BASE}/:db/tables/:table/rows/:key`, async (c) => {
  const [region, db] = target(c);
  return c.json({ row: await databases.getRow(c.env, region, db, c.req.param("table"), c.req.param("key")) });
});

databaseRoutes.patch(`${BASE}/:db/tables/:table/rows/:key`, async (c) => {
  const [region, db] = target(c);
  const values = parseRow(await readJsonBody(c.req.raw), { nonEmpty: true });
  return c.json({ row: await databases.patchRow(c.env, region, db, c.req.param("table"), c.req.param("key"), values) });
});

databaseRoutes.delete(`${BASE}/:db/tables/:table/rows/:key`, async (c) => {
  const [region, db] = target(c);
  return c.json({ deleted: await databases.deleteRow(c.env, region, db, c.req.param("table"), c.req.param("key")) });
});

// --- BEFORE triggers.

databaseRoutes.put(`${BASE}/:db/triggers/:name`, async (c) => {
  const [region, db] = target(c);
  const name = assertDatabaseName(c.req.param("name"), "trigger");
  const checked = checkTriggerSpec(await readJsonBody(c.req.raw));
  if (!checked.ok) throw new InvalidRequestError(checked.issues);
  const { trigger, created } = await databases.putTrigger(c.env, region, db, name, checked.spec);
  return c.json({ trigger }, created ? 201 : 200);
});

databaseRoutes.get(`${BASE}/:db/triggers`, async (c) => {
  const [region, db] = target(c);
  return c.json({ triggers: await databases.listTriggers(c.env, region, db) });
});

databaseRoutes.get(`${BASE}/:db/triggers/:name`, async (c) => {
  const [region, db] = target(c);
  return c.json({ trigger: await databases.getTrigger(c.env, region, db, assertDatabaseName(c.req.param("name"), "trigger")) });
});

databaseRoutes.delete(`${BASE}/:db/triggers/:name`, async (c) => {
  const [region, db] = target(c);
  const name = assertDatabaseName(c.req.param("name"), "trigger");
  await databases.deleteTrigger(c.env, region, db, name);
  return c.json({ deleted: name });
});
