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
      // Identical bytes and settings are the same version: v1 is version 1, v2 version 2, however often deployed.
      expect(s.body).toBe(s.version === "1" ? "v1" : "v2");
    }
    for (const region of ["wnam", "weur"]) {
      const final = await invoke("e2e-swap", undefined, region);
      expect(await final.text()).toBe("v1");
      expect(final.headers.get("x-helios-version")).toBe("1");
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

const json = (method: string, path: string, body?: unknown) =>
  fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...auth(), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("versions and deployments over HTTP", () => {
  it("locally, an invocation without a region runs in DEFAULT_REGION (the placeholder location is nobody's)", async () => {
    // The README's deploy example: regions wnam and weur, then an invocation naming no region.
    await mustDeploy("e2e-where", "echo", "?regions=wnam,weur");
    const response = await invoke("e2e-where", "here");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-helios-region")).toBe("wnam");
    const regions = (await (await fetch(`${server.baseUrl}/v1/regions`)).json()) as { nearest: string; default: string };
    expect(regions.nearest).toBe(regions.default);
  });

  it("lists versions, answers an identical redeploy with the existing one, rolls back under load, serves aliases and pins", async () => {
    const name = "e2e-versions";
    await mustDeploy(name, "v1", "?regions=wnam");
    await mustDeploy(name, "v2", "?regions=wnam");
    const again = await deploy(name, guests.v2, "?regions=wnam");
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false, function: { version: 2 } });
    const listed = (await (await json("GET", `/v1/functions/${name}/versions`)).json()) as { versions: { version: number; regions: string[] }[] };
    expect(listed.versions.map((v) => [v.version, v.regions])).toEqual([[2, ["wnam"]], [1, ["wnam"]]]);

    let streaming = true;
    let rolledBack = false;
    const seen: { body: string; version: string | null; after: boolean }[] = [];
    const client = async () => {
      while (streaming) {
        const after = rolledBack;
        const response = await invoke(name, undefined, "wnam");
        seen.push({ body: await response.text(), version: response.headers.get("x-helios-version"), after });
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 200));
    const rollback = await json("POST", `/v1/functions/${name}/rollback`);
    expect(rollback.status).toBe(200);
    rolledBack = true;
    await new Promise((r) => setTimeout(r, 200));
    streaming = false;
    await Promise.all(clients);
    for (const s of seen) expect(s.body).toBe(`v${s.version}`);
    expect(seen.filter((s) => !s.after).some((s) => s.version === "2")).toBe(true);
    const after = seen.filter((s) => s.after);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.version === "1")).toBe(true);

    expect((await json("PUT", `/v1/functions/${name}/aliases/next`, { version: 2 })).status).toBe(200);
    expect(await (await invoke(`${name}@next`, undefined, "wnam")).text()).toBe("v2");
    expect(await (await invoke(name, undefined, "wnam")).text()).toBe("v1");
    const pinned = await fetch(`${server.baseUrl}/v1/functions/${name}/invoke?region=wnam&version=2`, { method: "POST" });
    expect(await pinned.text()).toBe("v2");
  });
});

describe("percentage splits over HTTP", () => {
  it("serves a 90/10 split in proportion over 1,000 invocations", async () => {
    const name = "e2e-split";
    await mustDeploy(name, "v1", "?regions=wnam");
    await mustDeploy(name, "v2", "?regions=wnam");
    const split = await json("POST", `/v1/functions/${name}/deployments`, { versions: [{ version: 1, percent: 90 }, { version: 2, percent: 10 }] });
    expect(split.status).toBe(201);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) {
      const response = await invoke(name, undefined, "wnam");
      const version = response.headers.get("x-helios-version") ?? "none";
      expect(await response.text()).toBe(`v${version}`);
      counts[version] = (counts[version] ?? 0) + 1;
    }
    expect((counts["1"] ?? 0) + (counts["2"] ?? 0)).toBe(1000);
    // Binomial(1000, 0.1) has a standard deviation of 9.5: 60..140 is more than four of them either side.
    expect(counts["2"] ?? 0).toBeGreaterThanOrEqual(60);
    expect(counts["2"] ?? 0).toBeLessThanOrEqual(140);
  });
});

describe("persistent state", () => {
  it("a restarted server on the same state directory still serves what was deployed, and never deploys an example over a user's function", async () => {
    const before = await (await fetch(`${server.baseUrl}/v1/functions/hello`, { headers: auth() })).json() as { function: { version: number; tag?: string } };
    expect(before.function.tag).toBe("helios-example");
    // The user takes the example's name for a function of their own.
    const mine = await mustDeploy("echo", "v1");

    const { stateDir, token } = server;
    await server.stop();
    server = await startLocalServer({ stateDir, token });
    const response = await invoke("e2e-echo", "after restart", "weur");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("after restart");
    expect(response.headers.get("x-helios-version")).toBe("1");

    expect(server.output()).toMatch(/kept your function echo/);
    const echo = await invoke("echo", "x");
    expect(await echo.text()).toBe("v1");
    expect(echo.headers.get("x-helios-sha256")).toBe(mine.sha256);
    // An unchanged example is a no-op on restart: the same version, no new one.
    const after = await (await fetch(`${server.baseUrl}/v1/functions/hello`, { headers: auth() })).json() as { function: { version: number } };
    expect(after.function.version).toBe(before.function.version);
  });
});
