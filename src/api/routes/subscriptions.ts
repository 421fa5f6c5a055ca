// The subscription API of a database (token: reads the admin token or a `read` token, everything else the admin
// token): subscriptions of its change log (create or replace, list, get, pause, resume, delete) and each one's
// dead-letter list (list, replay, discard). Routes parse and answer; src/services/subscription-service.ts does the work.

import { createRoute, OpenAPIHono, z, type RouteConfig } from "@hono/zod-openapi";
import type { Context } from "hono";
import { checkSubscriptionSpec } from "../../database/index.ts";
import * as subscriptions from "../../services/index.ts";
import { assertDatabaseName, readJsonBody } from "../database-request.ts";
import { InvalidRequestError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { ERRORS, ownBody, TOKEN, validationHook } from "../openapi/route-kit.ts";
import { DeadLetter, SubscriptionBody, SubscriptionView } from "../openapi/subscription-schemas.ts";
import { isRead, requirePermission } from "../permissions.ts";

const BASE = "/v1/regions/{region}/databases/{db}/subscriptions";

const param = (name: string, example: string) => z.string().openapi({ param: { name, in: "path" }, example });
const DbParams = z.object({ region: param("region", "wnam"), db: param("db", "shop") });
const NameParams = DbParams.extend({ name: param("name", "order-feed") });
const LetterParams = NameParams.extend({ id: param("id", "1") });

const guard = requirePermission((c) => ({ action: isRead(c.req.method) ? "read_any" : "admin" }));
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { "application/json": { schema } } });

function declare<const R extends Omit<RouteConfig, "security" | "middleware">>(route: R) {
  return createRoute({ ...route, security: TOKEN, middleware: guard });
}

const putSubscription = ownBody(declare({
  method: "put", path: `${BASE}/{name}`, summary: "Subscribe a function to the database's changes (or replace the subscription's settings)",
  request: { params: NameParams, body: { required: true, content: { "application/json": { schema: SubscriptionBody } } } },
  responses: { 200: json("replaced (cursor, state and dead letters kept)", SubscriptionView), 201: json("created: it receives what commits from now on", SubscriptionView), ...ERRORS },
}));
const listSubscriptions = declare({
  method: "get", path: BASE, summary: "The database's subscriptions", request: { params: DbParams },
  responses: { 200: json("the subscriptions", z.object({ subscriptions: z.array(SubscriptionView) })), ...ERRORS },
});
const getSubscription = declare({
  method: "get", path: `${BASE}/{name}`, summary: "One subscription: cursor, head, lag, state, last error", request: { params: NameParams },
  responses: { 200: json("the subscription", SubscriptionView), ...ERRORS },
});
const pauseSubscription = declare({
  method: "post", path: `${BASE}/{name}/pause`, summary: "Stop delivering (the cursor keeps its place)", request: { params: NameParams },
  responses: { 200: json("the subscription", SubscriptionView), ...ERRORS },
});
const resumeSubscription = declare({
  method: "post", path: `${BASE}/{name}/resume`, summary: "Deliver again, from the same change (a blocked batch gets fresh attempts)",
  request: { params: NameParams, query: z.object({ skipPruned: z.enum(["true", "false"]).optional().openapi({ description: "move past changes the log no longer holds" }) }) },
  responses: { 200: json("the subscription", SubscriptionView), ...ERRORS },
});
const deleteSubscription = declare({
  method: "delete", path: `${BASE}/{name}`, summary: "Remove a subscription and its dead letters", request: { params: NameParams },
  responses: { 200: json("removed", z.object({ deleted: z.string() })), ...ERRORS },
});
const listDeadLetters = declare({
  method: "get", path: `${BASE}/{name}/dead-letters`, summary: "Changes the subscription gave up on, in seq order", request: { params: NameParams },
  responses: { 200: json("the dead letters", z.object({ deadLetters: z.array(DeadLetter) })), ...ERRORS },
});
const replayDeadLetter = declare({
  method: "post", path: `${BASE}/{name}/dead-letters/{id}/replay`, summary: "Deliver a dead letter again (alone, on its own retry schedule)", request: { params: LetterParams },
  responses: { 202: json("queued: it leaves the list once delivered", z.object({ deadLetter: DeadLetter })), ...ERRORS },
});
const discardDeadLetter = declare({
  method: "delete", path: `${BASE}/{name}/dead-letters/{id}`, summary: "Discard a dead letter", request: { params: LetterParams },
  responses: { 200: json("discarded", z.object({ deleted: z.string() })), ...ERRORS },
});

/** Region, database and subscription named by the path (names checked here; the region by the service). */
function target(c: Context<HonoEnv>): [string, string, string] {
  return [c.req.param("region")!, assertDatabaseName(c.req.param("db")!, "database"), assertDatabaseName(c.req.param("name") ?? "", "subscription")];
}

export const subscriptionRoutes = new OpenAPIHono<HonoEnv>({ defaultHook: validationHook })
  .openapi(putSubscription, async (c) => {
    const [region, db, name] = target(c);
    const checked = checkSubscriptionSpec(await readJsonBody(c.req.raw));
    if (!checked.ok) throw new InvalidRequestError(checked.issues);
    const { subscription, created } = await subscriptions.putSubscription(c.env, region, db, name, checked.spec);
    return created ? c.json(subscription, 201) : c.json(subscription, 200);
  })
  .openapi(listSubscriptions, async (c) => {
    const region = c.req.param("region")!;
    const db = assertDatabaseName(c.req.param("db")!, "database");
    return c.json({ subscriptions: await subscriptions.listSubscriptions(c.env, region, db) }, 200);
  })
  .openapi(getSubscription, async (c) => c.json(await subscriptions.getSubscription(c.env, ...target(c)), 200))
  .openapi(pauseSubscription, async (c) => c.json(await subscriptions.pauseSubscription(c.env, ...target(c)), 200))
  .openapi(resumeSubscription, async (c) => c.json(await subscriptions.resumeSubscription(c.env, ...target(c), c.req.query("skipPruned") === "true"), 200))
  .openapi(deleteSubscription, async (c) => {
    const [region, db, name] = target(c);
    await subscriptions.deleteSubscription(c.env, region, db, name);
    return c.json({ deleted: name }, 200);
  })
  .openapi(listDeadLetters, async (c) => c.json({ deadLetters: await subscriptions.listDeadLetters(c.env, ...target(c)) }, 200))
  .openapi(replayDeadLetter, async (c) => c.json({ deadLetter: await subscriptions.replayDeadLetter(c.env, ...target(c), c.req.param("id")!) }, 202))
  .openapi(discardDeadLetter, async (c) => {
    const id = c.req.param("id")!;
    await subscriptions.discardDeadLetter(c.env, ...target(c), id);
    return c.json({ deleted: id }, 200);
  });
