// Asynchronous invocations on the real local server, over HTTP: `?mode=async` answers 202 with an id and the
// result appears at GET /v1/invocations/:id; a guest that queues another function through
// heliosdb_edge_invoke_async answers the id, and the callee's result appears there too (read with the token).

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watToBytes } from "../../src/wasm/fixtures.ts";
import { compileGuests, type GuestName } from "../support/guest-modules.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let server: LocalServer;
let guests: Record<GuestName, Uint8Array>;
let invoker: Uint8Array;

beforeAll(async () => {
  const wat = readFileSync(new URL("../fixtures/guests/async-invoker.wat", import.meta.url), "utf8");
  [server, guests, invoker] = await Promise.all([startLocalServer(), compileGuests(), watToBytes(wat, [], { filename: "async-invoker.wat" })]);
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${server.token}` });

async function deploy(name: string, bytes: Uint8Array, query = ""): Promise<void> {
  const response = await fetch(`${server.baseUrl}/v1/functions/${name}${query}`, {
    method: "PUT",
    body: bytes,
    headers: { ...auth(), "content-type": "application/wasm", "x-helios-sha256": createHash("sha256").update(bytes).digest("hex") },
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

interface View { id: string; status: string; attempts: number; result: { text?: string } | null }

async function settled(id: string): Promise<View> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${server.baseUrl}/v1/invocations/${id}`, { headers: auth() });
    expect(response.status).toBe(200);
    const view = (await response.json()) as View;
    if (view.status === "succeeded" || view.status === "dead_letter") return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`invocation ${id} never settled`);
}

describe("asynchronous invocations on the local server", () => {
  it("answer 202 with an id at once, then the result", async () => {
    await deploy("e2e-async-echo", guests.echo);
    const response = await fetch(`${server.baseUrl}/v1/functions/e2e-async-echo/invoke?mode=async`, { method: "POST", body: "hello later" });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(id).toMatch(/^inv_[a-z0-9-]+_\d+_[0-9a-f]{32}$/);
    const view = await settled(id);
    expect(view.status).toBe("succeeded");
    expect(view.result?.text).toBe("hello later");
  });

  it("let a guest queue another function and answer its id; the callee's result is read with the token", async () => {
    await deploy("e2e-async-callee", guests.echo);
    await deploy("e2e-async-queuer", invoker, `?profile=invoke&config=${encodeURIComponent(JSON.stringify({ next: "e2e-async-callee" }))}`);
    const grant = new Uint8Array(new Uint32Array([3_000_000]).buffer);
    const response = await fetch(`${server.baseUrl}/v1/functions/e2e-async-queuer/invoke`, { method: "POST", body: Buffer.concat([grant, Buffer.from("from a guest")]) });
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new DataView(bytes.buffer).getInt32(0, true)).toBe(0);
    const id = new TextDecoder().decode(bytes.subarray(4));
    expect(id).toMatch(/^inv_[a-z0-9-]+_\d+_[0-9a-f]{32}$/);
    expect((await fetch(`${server.baseUrl}/v1/invocations/${id}`)).status).toBe(401);
    const view = await settled(id);
    expect(view.status).toBe("succeeded");
    expect(view.result?.text).toBe("from a guest");
  });
});
