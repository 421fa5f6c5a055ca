// The database API (all need a token: reads the admin token or a `read` token, everything else the admin token):
// databases per region, admin SQL, rows as JSON objects, and BEFORE-trigger registrations. Routes parse and answer;
// src/services does the work.

import { createRoute, OpenAPIHono, z, type RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import { checkTriggerSpec } from "../../database/index.ts";
import * as databases from "../../services/index.ts";
import { assertDatabaseName, parsePage, parseRow, parseSqlBody, readJsonBody } from "../database-request.ts";
import { InvalidRequestError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { ListedDatabase, Row, SqlBody, SqlResult, TableDescription, TriggerBody, TriggerRegistration } from "../openapi/schemas.ts";
import { isRead, requirePermission } from "../permissions.ts";

const BASE = "/v1/regions/{region}/databases";

const param = (name: string, example: string) => z.string().openapi({ param: { name, in: "path" }, example });
const DbParams = z.object({ region: param("region", "wnam"), db: param("db", "shop") });
const TableParams = DbParams.extend({ table: param("table", "orders") });
const RowParams = TableParams.extend({ key: param("key", "1").openapi({ description: "primary key (or rowid); a composite key as a URL-encoded JSON array" }) });
const TriggerParams = DbParams.extend({ name: param("name", "validate-order") });

/** Reads: the admin token or a `read` token; everything else (writes, admin SQL, triggers): the admin token. */
const guard = requirePermission((c) => ({ action: isRead(c.req.method) ? "read_any" : "admin" }));

const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });

function declare<const R extends Omit<RouteConfig, "security" | "middleware">>(route: R) {
  return createRoute({ ...route, security: TOKEN, middleware: guard });
}

const DatabaseDetails = ListedDatabase.extend({ sizeBytes: z.number().int(), tables: z.array(TableDescription), triggers: z.array(TriggerRegistration) });

const createDb = declare({
  method: "put", path: `${BASE}/{db}`, summary: "Create a database in a region", request: { params: DbParams },
  responses: { 200: json("it existed", z.object({ database: ListedDatabase })), 201: json("created", z.object({ database: ListedDatabase })), ...ERRORS },
});
const listDbs = declare({
  method: "get", path: BASE, summary: "The region's databases", request: { params: DbParams.pick({ region: true }) },
  responses: { 200: json("the databases", z.object({ databases: z.array(ListedDatabase) })), ...ERRORS },
});
const describeDb = declare({
  method: "get", path: `${BASE}/{db}`, summary: "Tables (columns, row counts), size and triggers", request: { params: DbParams },
  responses: { 200: json("the database", z.object({ database: DatabaseDetails })), ...ERRORS },
});
const deleteDb = declare({
  method: "delete", path: `${BASE}/{db}`, summary: "Delete the database: tables, rows and triggers", request: { params: DbParams },
  responses: { 200: json("deleted", z.object({ deleted: z.string(), region: z.string() })), ...ERRORS },
});
const runSql = ownBody(declare({
  method: "post", path: `${BASE}/{db}/sql`, summary: "Run one admin SQL statement with bound parameters",
  request: { params: DbParams, body: { required: true, content: { "application/json": { schema: SqlBody } } } },
  responses: { 200: json("the result", SqlResult), ...ERRORS },
}));
const insertRow = ownBody(declare({
  method: "post", path: `${BASE}/{db}/tables/{table}/rows`, summary: "Insert a row (column -> value)",
  request: { params: TableParams, body: { required: true, content: { "application/json": { schema: Row } } } },
  responses: { 201: json("the stored row", z.object({ row: Row.nullable() })), ...ERRORS },
}));
const listRows = declare({
  method: "get", path: `${BASE}/{db}/tables/{table}/rows`, summary: "Rows in key order, one keyset page",
  request: { params: TableParams, query: z.object({ limit: z.string().optional(), cursor: z.string().optional() }) },
  responses: { 200: json("a page", z.object({ rows: z.array(Row), nextCursor: z.string().nullable() })), ...ERRORS },
});
const getRow = declare({
  method: "get", path: `${BASE}/{db}/tables/{table}/rows/{key}`, summary: "One row by primary key (or rowid)", request: { params: RowParams },
  responses: { 200: json("the row", z.object({ row: Row })), ...ERRORS },
});
const patchRow = ownBody(declare({
  method: "patch", path: `${BASE}/{db}/tables/{table}/rows/{key}`, summary: "Set the given columns of one row",
  request: { params: RowParams, body: { required: true, content: { "application/json": { schema: Row } } } },
  responses: { 200: json("the row after the change", z.object({ row: Row })), ...ERRORS },
}));
const deleteRow = declare({
  method: "delete", path: `${BASE}/{db}/tables/{table}/rows/{key}`, summary: "Delete one row", request: { params: RowParams },
  responses: { 200: json("the deleted row", z.object({ deleted: Row })), ...ERRORS },
});
const putTrigger = ownBody(declare({
  method: "put", path: `${BASE}/{db}/triggers/{name}`, summary: "Register (or replace) a BEFORE trigger",
  request: { params: TriggerParams, body: { required: true, content: { "application/json": { schema: TriggerBody } } } },
  responses: { 200: json("replaced", z.object({ trigger: TriggerRegistration })), 201: json("registered", z.object({ trigger: TriggerRegistration })), ...ERRORS },
}));
const listTriggers = declare({
  method: "get", path: `${BASE}/{db}/triggers`, summary: "Trigger registrations", request: { params: DbParams },
  responses: { 200: json("the triggers", z.object({ triggers: z.array(TriggerRegistration) })), ...ERRORS },
});
const getTrigger = declare({
  method: "get", path: `${BASE}/{db}/triggers/{name}`, summary: "One trigger registration", request: { params: TriggerParams },
  responses: { 200: json("the trigger", z.object({ trigger: TriggerRegistration })), ...ERRORS },
});
const deleteTrigger = declare({
  method: "delete", path: `${BASE}/{db}/triggers/{name}`, summary: "Remove a trigger registration", request: { params: TriggerParams },
  responses: { 200: json("removed", z.object({ deleted: z.string() })), ...ERRORS },
});

/** The region and database named by the path (the database's syntax checked; the region by the service). */
function target(c: Context<HonoEnv>): [string, string] {
  return [c.req.param("region")!, assertDatabaseName(c.req.param("db")!, "database")];
}

export const databaseRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(createDb, async (c) => {
    const [region, db] = target(c);
    const { created, database } = await databases.createDatabase(c.env, region, db);
    return created ? c.json({ database }, 201) : c.json({ database }, 200);
  })
  .openapi(listDbs, async (c) => c.json({ databases: await databases.listDatabases(c.env, c.req.param("region")!) }, 200))
  .openapi(describeDb, async (c) => {
    const [region, db] = target(c);
    const { database, tables, sizeBytes, triggers } = await databases.describeDatabase(c.env, region, db);
    return c.json({ database: { ...database, sizeBytes, tables, triggers } }, 200);
  })
  .openapi(deleteDb, async (c) => {
    const [region, db] = target(c);
    await databases.deleteDatabase(c.env, region, db);
    return c.json({ deleted: db, region }, 200);
  })
  .openapi(runSql, async (c) => {
    const [region, db] = target(c);
    const { sql, params } = parseSqlBody(await readJsonBody(c.req.raw));
    return c.json(await databases.runSql(c.env, region, db, sql, params), 200);
  })
  // --- Rows.
  .openapi(insertRow, async (c) => {
    const [region, db] = target(c);
    const values = parseRow(await readJsonBody(c.req.raw), { nonEmpty: false });
    return c.json({ row: await databases.insertRow(c.env, region, db, c.req.param("table")!, values) }, 201);
  })
  .openapi(listRows, async (c) => {
    const [region, db] = target(c);
    const page = parsePage(c.req.query("limit"), c.req.query("cursor"));
    return c.json(await databases.listRows(c.env, region, db, c.req.param("table")!, page), 200);
  })
  .openapi(getRow, async (c) => {
    const [region, db] = target(c);
    return c.json({ row: await databases.getRow(c.env, region, db, c.req.param("table")!, c.req.param("key")!) }, 200);
  })
  .openapi(patchRow, async (c) => {
    const [region, db] = target(c);
    const values = parseRow(await readJsonBody(c.req.raw), { nonEmpty: true });
    return c.json({ row: await databases.patchRow(c.env, region, db, c.req.param("table")!, c.req.param("key")!, values) }, 200);
  })
  .openapi(deleteRow, async (c) => {
    const [region, db] = target(c);
    return c.json({ deleted: await databases.deleteRow(c.env, region, db, c.req.param("table")!, c.req.param("key")!) }, 200);
  })
  // --- BEFORE triggers.
  .openapi(putTrigger, async (c) => {
    const [region, db] = target(c);
    const name = assertDatabaseName(c.req.param("name")!, "trigger");
    const checked = checkTriggerSpec(await readJsonBody(c.req.raw));
    if (!checked.ok) throw new InvalidRequestError(checked.issues);
    const { trigger, created } = await databases.putTrigger(c.env, region, db, name, checked.spec);
    return created ? c.json({ trigger }, 201) : c.json({ trigger }, 200);
  })
  .openapi(listTriggers, async (c) => {
    const [region, db] = target(c);
    return c.json({ triggers: await databases.listTriggers(c.env, region, db) }, 200);
  })
  .openapi(getTrigger, async (c) => {
    const [region, db] = target(c);
    return c.json({ trigger: await databases.getTrigger(c.env, region, db, assertDatabaseName(c.req.param("name")!, "trigger")) }, 200);
  })
  .openapi(deleteTrigger, async (c) => {
    const [region, db] = target(c);
    const name = assertDatabaseName(c.req.param("name")!, "trigger");
    await databases.deleteTrigger(c.env, region, db, name);
    return c.json({ deleted: name }, 200);
  });
