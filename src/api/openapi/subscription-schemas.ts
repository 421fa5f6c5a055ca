// Schemas of the subscription API (src/api/routes/subscriptions.ts): the PUT body, the subscription view and the
// dead letters. The body is checked at run time by checkSubscriptionSpec (src/database/subscription-spec.ts).

import { z } from "@hono/zod-openapi";

const Event = z.enum(["insert", "update", "delete", "schema"]);

export const SubscriptionBody = z
  .object({
    function: z.string().openapi({ example: "order-feed" }),
    tables: z.array(z.string()).nullable().optional().openapi({ description: "absent or null: every user table" }),
    events: z.array(Event).optional().openapi({ description: "default insert, update, delete" }),
    batchSize: z.number().int().optional().openapi({ description: "changes per invocation, 1-1000 (default 100)" }),
    maxAttempts: z.number().int().optional().openapi({ description: "attempts per batch, 1-20 (default 5)" }),
    onFailure: z.enum(["dead_letter", "block"]).optional(),
    includeOwnWrites: z.boolean().optional().openapi({ description: "deliver the changes the consumer's own invocations wrote (default false)" }),
    maxLag: z.number().int().optional().openapi({ description: "lag cap in changes, 1-1,000,000 (default 100,000)" }),
  })
  .strict();

const DeliveryError = z.object({ code: z.string(), message: z.string() });

export const SubscriptionView = z
  .object({
    name: z.string(),
    function: z.string(),
    tables: z.array(z.string()).nullable().openapi({ description: "null: every user table" }),
    events: z.array(Event),
    batchSize: z.number().int(),
    maxAttempts: z.number().int(),
    onFailure: z.enum(["dead_letter", "block"]),
    includeOwnWrites: z.boolean(),
    maxLag: z.number().int(),
    state: z.enum(["active", "paused", "blocked"]),
    pausedReason: z.enum(["operator", "lag_cap"]).nullable(),
    cursor: z.number().int().openapi({ description: "the last seq handled; only moves forward" }),
    headSeq: z.number().int(),
    lag: z.number().int(),
    oldestUndeliveredAge: z.number().nullable().openapi({ description: "ms since the first change after the cursor committed" }),
    deadLetters: z.number().int(),
    attempts: z.number().int().openapi({ description: "failed attempts of the batch after the cursor" }),
    nextAttemptAt: z.string().nullable(),
    lastError: DeliveryError.extend({ at: z.string() }).nullable(),
    trigger: z.string().nullable().openapi({ description: "the AFTER trigger registration that made it, if any" }),
    createdAt: z.string(),
  })
  .openapi("Subscription");

const Change = z.object({
  seq: z.number().int(),
  txId: z.string(),
  table: z.string(),
  op: Event,
  key: z.unknown(),
  old: z.record(z.unknown()).nullable(),
  new: z.record(z.unknown()).nullable(),
  committedAt: z.string(),
  origin: z.string().nullable(),
});

export const DeadLetter = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    change: Change,
    attempts: z.number().int(),
    error: DeliveryError,
    failedAt: z.string(),
    state: z.enum(["dead", "replaying"]),
  })
  .openapi("DeadLetter");
