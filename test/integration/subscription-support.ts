// Helpers for the subscription tests: a database with an `orders` table, consumers that post their batches to the
// recording sink of the outbound server (test/support/outbound-server.ts), subscriptions over HTTP, and waiting for
// what the sink received.

import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { DatabaseObject } from "../../src/database/index.ts";
import type { SubscriptionDelivery } from "../../src/database/subscription-delivery.ts";
import { AUTH, freshName, request } from "./api-support.ts";
import { database, deployDbGuest } from "./database-support.ts";

export const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { ...AUTH, "content-type": "application/json" } });

export interface Shop {
  db: string;
  base: string;
}

/** A fresh database with `orders (id INTEGER PRIMARY KEY, name TEXT, total REAL)` and `audit (note TEXT)`. */
export async function shop(): Promise<Shop> {
  const db = freshName("subs").replaceAll("-", "_");
  const base = `/v1/regions/wnam/databases/${db}`;
  expect((await request("PUT", base, { headers: AUTH })).status).toBe(201);
  for (const sql of ["CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT, total REAL)", "CREATE TABLE audit (note TEXT)"]) {
    const response = await request("POST", `${base}/sql`, json("POST", { sql }));
    expect(response.status, await response.clone().text()).toBe(200);
  }
  return { db, base };
}

export interface Consumer {
  name: string;
  /** The sink key its batches are recorded under. */
  key: string;
}

/** Deploys a consumer posting to the sink; `sink` adds the sink's failure settings (failFirst, poison). */
export async function consumer(sink: Record<string, string> = {}, writer?: { db: string; sql: string }): Promise<Consumer> {
  const name = freshName("feed");
  const key = freshName("sink");
  const url = `http://allowed.test/cdc-sink?${new URLSearchParams({ key, ...sink })}`;
  if (writer === undefined) {
    await deployDbGuest(name, "cdc-consumer", { profile: "network", allowedHosts: "allowed.test", config: { sink: url } });
  } else {
    await deployDbGuest(name, "cdc-consumer-writer", { profile: "database,network", database: writer.db, allowedHosts: "allowed.test", config: { sink: url, sql: writer.sql } });
  }
  return { name, key };
}

export async function subscribe(shop: Shop, name: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await request("PUT", `${shop.base}/subscriptions/${name}`, json("PUT", body));
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json();
}

export async function view(shop: Shop, name: string): Promise<Record<string, any>> {
  const response = await request("GET", `${shop.base}/subscriptions/${name}`, { headers: AUTH });
  expect(response.status).toBe(200);
  return response.json();
}

export async function insert(shop: Shop, row: Record<string, unknown>): Promise<void> {
  const response = await request("POST", `${shop.base}/tables/orders/rows`, json("POST", row));
  expect(response.status, await response.clone().text()).toBe(201);
}

export interface Received {
  at: number;
  status: number;
  batch: { region: string; database: string; subscription: string; changes: Record<string, any>[] };
}

export async function received(key: string): Promise<Received[]> {
  const records = (await (await fetch(`http://outbound-log.test/cdc?key=${key}`)).json()) as { at: number; status: number; body: string }[];
  return records.map((r) => ({ at: r.at, status: r.status, batch: JSON.parse(r.body) }));
}

/** The changes of the batches the sink accepted, in the order they arrived. */
export async function delivered(key: string): Promise<Record<string, any>[]> {
  return (await received(key)).filter((r) => r.status === 200).flatMap((r) => r.batch.changes);
}

export async function heal(key: string): Promise<void> {
  await fetch(`http://outbound-log.test/cdc-heal?key=${key}`);
}

/** Polls until `check` answers true (or fails with what it last saw). */
export async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last seen: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Fixes the retry schedule's random source of the database's delivery (full jitter becomes its bound x r). */
export async function fixJitter(db: string, r: number): Promise<void> {
  await runInDurableObject(database(db), (instance: DatabaseObject) => {
    (instance as unknown as { delivery: SubscriptionDelivery }).delivery.random = () => r;
  });
}
