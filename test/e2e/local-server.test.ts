// The whole loop against the real local server started as `npm start` starts it, over HTTP from outside.

import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileGuests, type GuestName } from "../support/guest-modules.ts";
import { startLocalServer, storedBlobCount, type LocalServer } from "./local-server.ts";

let server: LocalServer;
let guests: Record<GuestName, Uint8Array>;

beforeAll(async () => {
  [server, guests] = await Promise.all([startLocalServer(), compileGuests()]);
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const auth = () => ({ authorization: `Bearer ${server.token}` });

function deploy(name: string, bytes: Uint8Array, query = "", hash = sha256(bytes)): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/functions/${name}${query}`, {
    method: "PUT",
    body: bytes,
    headers: { ...auth(), "content-type": "application/wasm", "x-helios-sha256": hash },
  });
}

async function mustDeploy(name: string, guest: GuestName, query = ""): Promise<{ sha256: string; version: number }> {
  const response = await deploy(name, guests[guest], query);
  const body = (await response.json()) as { function: { sha256: string; version: number } };
  expect(response.status, JSON.stringify(body)).toBeLessThan(300);
  return body.function;
}

function invoke(name: string, body?: Uint8Array | string, region?: string): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/functions/${name}/invoke${region ? `?region=${region}` : ""}`, { method: "POST", body });
}

async function listNames(): Promise<string[]> {
  const response = await fetch(`${server.baseUrl}/v1/functions`, { headers: auth() });
  return ((await response.json()) as { functions: { name: string }[] }).functions.map((f) => f.name);
}

describe("npm start", () => {
  it("deployed the examples and printed how to invoke them", async () => {
    expect(server.output()).toMatch(/curl -i -X POST --data-binary .Ada. "http:\/\/127\.0\.0\.1:\d+\/v1\/functions\/hello\/invoke"/);
    expect(await listNames()).toEqual(expect.arrayContaining(["echo", "hello"]));
    const hello = await invoke("hello", "e2e");
    expect(hello.status).toBe(200);
    expect(await hello.text()).toContain("e2e");
  });
});

describe("over HTTP", () => {
  it("refuses management without the token (401)", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }] as Record<string, string>[]) {
      const list = await fetch(`${server.baseUrl}/v1/functions`, { headers });
      expect(list.status).toBe(401);
      expect(((await list.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    const put = await fetch(`${server.baseUrl}/v1/functions/sneaky`, {
      method: "PUT",
      body: guests.echo,
      headers: { "content-type": "application/wasm", "x-helios-sha256": sha256(guests.echo) },
    });
    expect(put.status).toBe(401);
    expect(await listNames()).not.toContain("sneaky");
  });

  it("deploys once and invokes in two regions", async () => {
    const fn = await mustDeploy("e2e-echo", "echo", "?regions=wnam,weur");
    for (const region of ["wnam", "weur"]) {
      const response = await invoke("e2e-echo", `hello ${region}`, region);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`hello ${region}`);
      expect(response.headers.get("x-helios-region")).toBe(region);
      expect(response.headers.get("x-helios-sha256")).toBe(fn.sha256);
      expect(Number(response.headers.get("x-helios-fuel-used"))).toBeGreaterThan(0);
    }
    const elsewhere = await invoke("e2e-echo", "x", "apac");
    expect(elsewhere.status).toBe(404);
  });

  it("redeploys under a stream of invocations: no failed request, every response from exactly one version", async () => {
    const shaOf = { v1: sha256(guests.v1), v2: sha256(guests.v2) } as Record<string, string>;
    await mustDeploy("e2e-swap", "v1", "?regions=wnam,weur");
    let streaming = true;
    const failures: string[] = [];
    const seen: { body: string; sha: string | null; version: string | null }[] = [];
    const client = async (region: string) => {
      while (streaming) {
        try {
          const response = await invoke("e2e-swap", undefined, region);
          const body = await response.text();
          if (response.status !== 200) failures.push(`${response.status} ${body}`);
          else seen.push({ body, sha: response.headers.get("x-helios-sha256"), version: response.headers.get("x-helios-version") });
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = ["wnam", "weur", "wnam", "weur", "wnam", "weur"].map(client);
    for (let i = 0; i < 8; i++) {
      const response = await deploy("e2e-swap", i % 2 === 0 ? guests.v2 : guests.v1, "?regions=wnam,weur");
      expect(response.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    streaming = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(seen.length).toBeGreaterThan(20);
    const bodies = new Set(seen.map((s) => s.body));
    expect(bodies).toEqual(new Set(["v1", "v2"]));
    for (const s of seen) {
      expect(s.sha).toBe(shaOf[s.body]);
      expect(s.body).toBe(Number(s.version) % 2 === 1 ? "v1" : "v2");
    }
    for (const region of ["wnam", "weur"]) {
      const final = await invoke("e2e-swap", undefined, region);
      expect(await final.text()).toBe("v1");
      expect(final.headers.get("x-helios-version")).toBe("9");
    }
  });

  it("stops an infinite loop with out_of_fuel, then keeps answering", async () => {
    await mustDeploy("e2e-spin", "spin", "?fuel=5000000");
    const spun = await invoke("e2e-spin", "x");
    expect(spun.status).toBe(422);
    expect(((await spun.json()) as { error: { code: string } }).error.code).toBe("out_of_fuel");
    const health = await fetch(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const hello = await invoke("hello", "still here");
    expect(hello.status).toBe(200);
  });

  it("answers 413 to an oversized payload", async () => {
    await mustDeploy("e2e-small", "echo", "?maxPayloadBytes=1024");
    const over = await invoke("e2e-small", new Uint8Array(4096));
    expect(over.status).toBe(413);
    expect(((await over.json()) as { error: { code: string; limit: number } }).error).toMatchObject({ code: "payload_too_large", limit: 1024 });
    const huge = await invoke("e2e-small", new Uint8Array(9 * 1024 * 1024 + 1));
    expect(huge.status).toBe(413);
    expect((await invoke("e2e-small", "fits")).status).toBe(200);
  });

  it("rejects a wrong hash and stores nothing", async () => {
    const blobsBefore = storedBlobCount(server.stateDir);
    const namesBefore = await listNames();
    const bytes = guests["memory-hog"];
    const response = await deploy("e2e-wrong-hash", bytes, "", "f".repeat(64));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string; actual: string } }).error).toMatchObject({
      code: "hash_mismatch",
      actual: sha256(bytes),
    });
    expect(storedBlobCount(server.stateDir)).toBe(blobsBefore);
    expect(await listNames()).toEqual(namesBefore);
    const get = await fetch(`${server.baseUrl}/v1/functions/e2e-wrong-hash`, { headers: auth() });
    expect(get.status).toBe(404);
  });
});

describe("persistent state", () => {
  it("a restarted server on the same state directory still serves what was deployed", async () => {
    const { stateDir, token } = server;
    await server.stop();
    server = await startLocalServer({ stateDir, token });
    const response = await invoke("e2e-echo", "after restart", "weur");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("after restart");
    expect(response.headers.get("x-helios-version")).toBe("1");
  });
});
