// heliosdb_edge_invoke_async over HTTP: a guest queues another function and answers its id; the callee's result
// appears at GET /v1/invocations/:id (with the token); a callee that fails its first attempts is retried with
// growing delays, one that always fails is dead-lettered; the grant is charged to the caller and bounds every
// attempt; cycles and functions with a database are refused.

import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelayBound } from "../../src/runtime/index.ts";
import { AUTH, deployed, deployRaw, freshName, invoke, request } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

interface View {
  id: string;
  status: string;
  attempts: number;
  requestId: string;
  result: { text?: string; status: number; usage: { fuelUsed: number } } | null;
  error: { code: string } | null;
}

async function deploy(name: string, wat: string, query: Record<string, string>): Promise<void> {
  const response = await deployRaw(name, guestBytes(`wat:${wat}`), { query });
  if (!response.ok) throw new Error(`deploy ${name}: ${response.status} ${await response.text()}`);
}

/** An async-invoker that queues `callee`. */
async function invoker(callee: string): Promise<string> {
  const name = freshName("queuer");
  await deploy(name, "async-invoker", { profile: "invoke", config: JSON.stringify({ next: callee }) });
  return name;
}

/** Invokes the async-invoker with a grant and the callee's payload: the host status and the id. */
async function queueThrough(name: string, grant: number, payload: string): Promise<{ status: number; id: string; fuelUsed: number; requestId: string | null }> {
  const body = new Uint8Array([...new Uint8Array(new Uint32Array([grant]).buffer), ...new TextEncoder().encode(payload)]);
  const response = await invoke(name, body);
  expect(response.status).toBe(200);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const status = new DataView(bytes.buffer).getInt32(0, true);
  return { status, id: new TextDecoder().decode(bytes.subarray(4)), fuelUsed: Number(response.headers.get("x-helios-fuel-used")), requestId: response.headers.get("x-helios-request-id") };
}

async function settled(id: string): Promise<View> {
  for (let i = 0; i < 600; i++) {
    const view = await (await request("GET", `/v1/invocations/${id}`, { headers: AUTH })).json<View>();
    if (view.status === "succeeded" || view.status === "dead_letter") return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`invocation ${id} never settled`);
}

const flakyUrl = (key: string, fail: number) => `http://allowed.test/flaky?key=${key}&fail=${fail}`;
const flakyTimes = async (key: string) => (await (await fetch(`http://allowed.test/flaky?key=${key}&report=1`)).json()) as number[];

describe("heliosdb_edge_invoke_async", () => {
  it("queues the callee and answers its id; the callee's result is read with the token", async () => {
    const callee = freshName("echo-callee");
    await deployed(callee, "echo");
    const name = await invoker(callee);
    const queued = await queueThrough(name, 5_000_000, "ping");
    expect(queued.status).toBe(0);
    expect(queued.id).toMatch(/^inv_wnam_\d+_[0-9a-f]{32}$/);
    // The grant is the caller's fuel: charged on top of the call's own 2,000,000 base.
    expect(queued.fuelUsed).toBeGreaterThanOrEqual(7_000_000);
    const view = await settled(queued.id);
    expect(view.status).toBe("succeeded");
    expect(view.attempts).toBe(1);
    expect(view.result!.text).toBe("ping");
    // The callee runs on the grant, as a member of the caller's tree (same request id).
    expect(view.result!.usage.fuelUsed).toBeGreaterThan(0);
    expect(view.result!.usage.fuelUsed).toBeLessThanOrEqual(5_000_000);
    expect(view.requestId).toBe(queued.requestId);
    // A guest-queued invocation is always read with the token, and its id is unguessable (128 random bits).
    expect((await request("GET", `/v1/invocations/${queued.id}`)).status).toBe(401);
    const other = await queueThrough(name, 5_000_000, "pong");
    expect(other.id).not.toBe(queued.id);
    expect(other.id.slice(-32)).not.toBe(queued.id.slice(-32));
  });

  it("retries a callee that fails its first two attempts with growing delay bounds, then it succeeds", async () => {
    const callee = freshName("flaky");
    await deploy(callee, "status-from-fetch", { profile: "network", allowedHosts: "allowed.test" });
    const key = freshName("k");
    const queued = await queueThrough(await invoker(callee), 5_000_000, flakyUrl(key, 2));
    expect(queued.status).toBe(0);
    const view = await settled(queued.id);
    expect(view.status).toBe("succeeded");
    expect(view.attempts).toBe(3);
    expect(view.result!.status).toBe(200);
    const times = await flakyTimes(key);
    expect(times).toHaveLength(3);
    // Retry n waits between the floor and the n-th bound of the shared schedule (full jitter: 500 ms, then 1 s).
    for (let n = 1; n < times.length; n++) {
      const gap = times[n]! - times[n - 1]!;
      expect(gap).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.minDelayMs - 5);
      expect(gap).toBeLessThanOrEqual(retryDelayBound(DEFAULT_RETRY_POLICY, n) + 1_500);
    }
    expect(retryDelayBound(DEFAULT_RETRY_POLICY, 2)).toBeGreaterThan(retryDelayBound(DEFAULT_RETRY_POLICY, 1));
  }, 60_000);

  it("dead-letters a callee that always fails after the default attempts, listed for its function", async () => {
    const callee = freshName("always-503");
    await deploy(callee, "status-from-fetch", { profile: "network", allowedHosts: "allowed.test" });
    const key = freshName("k");
    const queued = await queueThrough(await invoker(callee), 5_000_000, flakyUrl(key, 1_000));
    expect(queued.status).toBe(0);
    const view = await settled(queued.id);
    expect(view.status).toBe("dead_letter");
    expect(view.attempts).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(view.error?.code).toBe("error_status");
    expect(await flakyTimes(key)).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
    const list = await (await request("GET", `/v1/functions/${callee}/invocations?status=dead_letter`, { headers: AUTH })).json<{ invocations: View[] }>();
    expect(list.invocations.map((v) => v.id)).toEqual([queued.id]);
  }, 60_000);

  it("bounds every attempt by the grant: a callee that burns it is not retried past it", async () => {
    const callee = freshName("spinner");
    await deployed(callee, "spin");
    // spin loops forever; a grant of 50,000 fuel runs out in the first attempt, and none is left for a second.
    const queued = await queueThrough(await invoker(callee), 50_000, "x");
    expect(queued.status).toBe(0);
    const view = await settled(queued.id);
    expect(view.status).toBe("dead_letter");
    expect(view.error?.code).toBe("call_tree_exhausted");
    expect(view.attempts).toBe(2);
  }, 30_000);

  it("refuses a grant above the caller's fuel, a cycle and an unknown callee's region", async () => {
    const name = await invoker("whatever");
    expect((await queueThrough(name, 2_000_000_000, "x")).status).toBe(-5);
    expect((await queueThrough(name, 0, "x")).status).toBe(-4);
    const self = freshName("self-queuer");
    await deploy(self, "async-invoker", { profile: "invoke", config: JSON.stringify({ next: self }) });
    expect((await queueThrough(self, 1_000, "x")).status).toBe(-14);
  });

  it("refuses a function with a database (notPermitted): a queued invocation is not part of its transaction", async () => {
    const db = freshName("adb").replace(/-/g, "_").slice(0, 60);
    expect((await request("PUT", `/v1/regions/wnam/databases/${db}`, { headers: AUTH })).status).toBe(201);
    const callee = freshName("echo-callee");
    await deployed(callee, "echo");
    for (const profile of ["database_read,invoke", "database,invoke"]) {
      const name = freshName("db-queuer");
      await deploy(name, "async-invoker", { profile, database: db, config: JSON.stringify({ next: callee }) });
      expect((await queueThrough(name, 1_000, "x")).status).toBe(-12);
    }
    const list = await (await request("GET", `/v1/functions/${callee}/invocations?status=queued`, { headers: AUTH })).json<{ invocations: View[] }>();
    expect(list.invocations).toEqual([]);
  });
});
