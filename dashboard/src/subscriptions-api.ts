// The subscriptions routes (database change subscriptions) as the API declares them: the shapes below follow its
// answers (SubscriptionView, DeadLetterView), reached through the same typed client's URL builder and bearer header.

import { ok, type HeliosClient } from "./api.ts";

export interface SubscriptionView {
  name: string;
  function: string;
  tables: string[] | null;
  events: string[];
  batchSize: number;
  maxAttempts: number;
  onFailure: "dead_letter" | "block";
  state: "active" | "paused" | "blocked";
  pausedReason?: "operator" | "lag_cap" | null;
  cursor: number;
  headSeq: number;
  lag: number;
  oldestUndeliveredAge: number | null;
  deadLetters: number;
  attempts?: number;
  nextAttemptAt?: string | null;
  lastError: { code: string; message: string; at: string } | null;
  createdAt: string;
}

export interface DeadLetterView {
  id: string;
  seq: number;
  change: { table?: string; op?: string; [field: string]: unknown };
  attempts: number;
  error: { code: string; message: string };
  failedAt: string;
  state?: "dead" | "replaying";
}

type Call = (args: { param: Record<string, string> }) => Promise<Response>;
interface Node {
  $get: Call;
  $post: Call;
  $delete: Call;
}
interface SubscriptionsNode extends Node {
  ":name": Node & { pause: Node; resume: Node; "dead-letters": Node & { ":id": Node & { replay: Node } } };
}

function subscriptions(api: HeliosClient): SubscriptionsNode {
  const regions = (api.v1 as unknown as { regions: Record<string, { databases: Record<string, { subscriptions: SubscriptionsNode }> }> }).regions;
  return regions[":region"]!.databases[":db"]!.subscriptions;
}

export interface DbRef {
  region: string;
  db: string;
}

export const listSubscriptions = (api: HeliosClient, at: DbRef) =>
  ok(subscriptions(api).$get({ param: { ...at } })) as Promise<{ subscriptions: SubscriptionView[] }>;
export const getSubscription = (api: HeliosClient, at: DbRef, name: string) =>
  ok(subscriptions(api)[":name"].$get({ param: { ...at, name } })) as Promise<SubscriptionView>;
export const listDeadLetters = (api: HeliosClient, at: DbRef, name: string) =>
  ok(subscriptions(api)[":name"]["dead-letters"].$get({ param: { ...at, name } })) as Promise<{ deadLetters: DeadLetterView[] }>;
export const replayDeadLetter = (api: HeliosClient, at: DbRef, name: string, id: string) =>
  ok(subscriptions(api)[":name"]["dead-letters"][":id"].replay.$post({ param: { ...at, name, id } }));
export const discardDeadLetter = (api: HeliosClient, at: DbRef, name: string, id: string) =>
  ok(subscriptions(api)[":name"]["dead-letters"][":id"].$delete({ param: { ...at, name, id } }));
export const pauseSubscription = (api: HeliosClient, at: DbRef, name: string) => ok(subscriptions(api)[":name"].pause.$post({ param: { ...at, name } }));
export const resumeSubscription = (api: HeliosClient, at: DbRef, name: string) => ok(subscriptions(api)[":name"].resume.$post({ param: { ...at, name } }));
