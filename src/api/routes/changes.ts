// The change stream (docs/cdc.md): GET .../changes (at once, or a long poll with `wait`). Reads need the admin
// token or a `read` token, as the row API's reads. Routes parse and answer; src/services does the work.

import { createRoute, OpenAPIHono, z, type RouteConfig } from "@hono/zod-openapi";
import * as changes from "../../services/index.ts";
import { parseAfter, parseChangeQuery } from "../change-request.ts";
import { assertDatabaseName, parsePage } from "../database-request.ts";
import { WebSocketRequiredError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERRORS, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { ChangeEntry, Row } from "../openapi/schemas.ts";
import { requirePermission } from "../permissions.ts";

const BASE = "/v1/regions/{region}/databases/{db}";

const param = (name: string, example: string) => z.string().openapi({ param: { name, in: "path" }, example });
const DbParams = z.object({ region: param("region", "wnam"), db: param("db", "shop") });
const guard = requirePermission(() => ({ action: "read_any" }));
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });

function declare<const R extends Omit<RouteConfig, "security" | "middleware">>(route: R) {
  return createRoute({ ...route, security: TOKEN, middleware: guard });
}

const ChangeQuery = z.object({
  after: z.string().optional().openapi({ description: "answer the entries with seq > after (default 0)", example: "0" }),
  limit: z.string().optional().openapi({ description: "most entries (1..1000, default 100)", example: "100" }),
  wait: z.string().optional().openapi({ description: "seconds to hold the request when there is nothing yet (0..30, default 0)", example: "10" }),
});

const readChanges = declare({
  method: "get", path: `${BASE}/changes`, summary: "Change log entries after a seq (a long poll with wait)",
  description: "Answers at once when entries after `after` exist; otherwise, with `wait`, holds the request until a commit appends some or the wait ends (then `changes` is empty). 410 cursor_expired when retention already pruned entries after `after`.",
  request: { params: DbParams, query: ChangeQuery },
  responses: { 200: json("entries in seq order, and the head", z.object({ changes: z.array(ChangeEntry), headSeq: z.number().int() })), ...ERRORS },
});

const tailChanges = declare({
  method: "get", path: `${BASE}/changes/tail`, summary: "WebSocket tail: every change log entry after a seq, in order, as it commits",
  description: "Upgrade to a WebSocket. The server sends `{\"type\":\"changes\",\"changes\":[...],\"headSeq\"}` frames in seq order; the client acknowledges with `{\"type\":\"ack\",\"seq\":N}` (at most 1,000 entries are sent past the last ack). Reconnect with `after` = the last seq processed. Close code 4410 after an `{\"type\":\"error\",\"code\":\"cursor_expired\"}` frame. See docs/cdc.md.",
  request: { params: DbParams, query: ChangeQuery.pick({ after: true }) },
  responses: { 101: { description: "switching to the WebSocket" }, ...ERRORS },
});

const snapshotTable = declare({
  method: "get", path: `${BASE}/tables/{table}/snapshot`, summary: "A table's rows with the change log seq they are consistent with",
  description: "Rows in key order, one keyset page (limit 1..1000, default 100). Every page carries the first page's `seq`: after the last page, follow GET .../changes?after=seq and apply each entry (upsert by key, delete) to miss nothing. 410 cursor_expired when the log no longer holds the entries after that seq (start again).",
  request: { params: DbParams.extend({ table: param("table", "orders") }), query: z.object({ limit: z.string().optional(), cursor: z.string().optional() }) },
  responses: { 200: json("a page", z.object({ rows: z.array(Row), nextCursor: z.string().nullable(), seq: z.number().int() })), ...ERRORS },
});

export const changeRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(readChanges, async (c) => {
    const region = c.req.param("region")!;
    const db = assertDatabaseName(c.req.param("db")!, "database");
    const { after, limit, waitMs } = parseChangeQuery(c.req.query());
    return c.json(await changes.readChanges(c.env, region, db, after, limit, waitMs), 200);
  })
  .openapi(tailChanges, async (c) => {
    const region = c.req.param("region")!;
    const db = assertDatabaseName(c.req.param("db")!, "database");
    const after = parseAfter(c.req.query("after"));
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") throw new WebSocketRequiredError();
    // The 101 answer carries the client end of the socket; it is passed on untouched.
    return (await changes.openChangeTail(c.env, region, db, after, c.req.raw)) as never;
  })
  .openapi(snapshotTable, async (c) => {
    const region = c.req.param("region")!;
    const db = assertDatabaseName(c.req.param("db")!, "database");
    const page = parsePage(c.req.query("limit"), c.req.query("cursor"));
    return c.json(await changes.snapshotTable(c.env, region, db, c.req.param("table")!, page), 200);
  });
