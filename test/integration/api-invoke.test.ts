// Invocation through the HTTP API: output and usage headers, region choice, privacy, payload caps, every
// guest failure (each answered as JSON, and the next request still served), and atomic redeploys.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registryStub } from "../../src/registry/index.ts";
import { LIMIT_CEILINGS } from "../../src/runtime/index.ts";
import { AUTH, deployed, deployRaw, errorOf, freshName, guest, invoke, request, textOf, withheldBody } from "./api-support.ts";

describe("POST /v1/functions/:name/invoke", () => {
  it("answers with exactly the function's output bytes and usage headers", async () => {
    const name = freshName("echo");
    const fn = await deployed(name, "echo");
    const payload = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    const response = await invoke(name, payload, { region: "weur" });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(payload);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-helios-region")).toBe("weur");
    expect(response.headers.get("x-helios-sha256")).toBe(fn.sha256);
    expect(response.headers.get("x-helios-version")).toBe("1");
    expect(Number(response.headers.get("x-helios-fuel-used"))).toBeGreaterThan(0);
    expect(Number(response.headers.get("x-helios-memory-pages"))).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(Number(response.headers.get("x-helios-duration-ms")))).toBe(true);
  });

  it("charges the same fuel for the same input every time", async () => {
    const name = freshName("det");
    await deployed(name, "echo");
    const fuel = new Set<string | null>();
    for (let i = 0; i < 3; i++) fuel.add((await invoke(name, "same")).headers.get("x-helios-fuel-used"));
    expect(fuel.size).toBe(1);
  });

  it("picks the region from ?region=, then x-helios-region, then request.cf, then DEFAULT_REGION", async () => {
    const name = freshName("where");
    await deployed(name, "echo");
    const regionOf = async (init: RequestInit, query = "") =>
      (await request("POST", `/v1/functions/${name}/invoke${query}`, init)).headers.get("x-helios-region");
    expect(await regionOf({ headers: { "x-helios-region": "enam" } }, "?region=apac")).toBe("apac");
    expect(await regionOf({ headers: { "x-helios-region": "enam" } })).toBe("enam");
    expect(await regionOf({ cf: { latitude: "48.85", longitude: "2.35", continent: "EU" } })).toBe("weur"); // Paris
    expect(await regionOf({ cf: { latitude: "-33.87", longitude: "151.21", continent: "OC" } })).toBe("apac"); // Sydney
    expect(await regionOf({ cf: { continent: "NA" } })).toBe("wnam");
    expect(await regionOf({ cf: {} })).toBe("wnam");
  });

  it("remembers the nearest region of a client address (CF-Connecting-IP) rather than reading request.cf again", async () => {
    const name = freshName("near");
    await deployed(name, "echo");
    const regionOf = async (cf: RequestInit["cf"], address: string, query = "") =>
      (await request("POST", `/v1/functions/${name}/invoke${query}`, { cf, headers: { "cf-connecting-ip": address } })).headers.get("x-helios-region");
    const paris = { latitude: "48.85", longitude: "2.35", continent: "EU" };
    const sydney = { latitude: "-33.87", longitude: "151.21", continent: "OC" };
    expect(await regionOf(paris, `${name}-a`)).toBe("weur");
    // The same address within the TTL: its region, whatever this request's cf says (Cloudflare derives both from it).
    expect(await regionOf(sydney, `${name}-a`)).toBe("weur");
    expect(await regionOf(sydney, `${name}-b`)).toBe("apac");
    // A named region still wins, and runs where it was asked.
    expect(await regionOf(sydney, `${name}-a`, "?region=enam")).toBe("enam");
  });

  it("invalid_request for a region that is not configured", async () => {
    const name = freshName("mars");
    await deployed(name, "echo");
    const response = await invoke(name, null, { region: "mars" });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "invalid_request", field: "region" });
  });

  it("invalid_request naming the field for a query its declaration refuses, before the payload is read", async () => {
    const name = freshName("query");
    await deployed(name, "echo");
    for (const [query, field] of [["mode=sideways", "mode"], ["mode=async&maxAttempts=0", "maxAttempts"], ["region=wnam&region=weur", "region"]]) {
      const response = await request("POST", `/v1/functions/${name}/invoke?${query}`, { body: "x" });
      expect(response.status, query).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "invalid_request", field });
    }
  });

  it("not_deployed_in_region (404) vs unknown_function (404)", async () => {
    const name = freshName("here");
    await deployed(name, "echo", { query: { regions: "wnam" } });
    const elsewhere = await invoke(name, null, { region: "apac" });
    expect(elsewhere.status).toBe(404);
    expect(await errorOf(elsewhere)).toMatchObject({ code: "not_deployed_in_region", functionName: name, region: "apac" });
    const nowhere = await invoke(freshName("ghost"), null, { region: "wnam" });
    expect(nowhere.status).toBe(404);
    expect((await errorOf(nowhere)).code).toBe("unknown_function");
  });

  it("repairs a region that missed its activation: the registry lists it, so the region is activated on first use", async () => {
    // A committed version whose activation never reached the region (as after an activation_failed deploy).
    const source = await deployed(freshName("source"), "echo");
    const name = freshName("missed");
    const { deployedAt: _at, version: _v, ...draft } = source;
    await registryStub(env).commitVersion({
      ...draft,
      name,
      regions: ["weur"],
      moduleKey: `instrumented/${source.instrumentedSha256}.wasm`,
    });
    const response = await invoke(name, "healed", { region: "weur" });
    expect(response.status).toBe(200);
    expect(await textOf(response)).toBe("healed");
    expect(response.headers.get("x-helios-version")).toBe("1");
    // A region the version does not list stays refused.
    expect((await errorOf(await invoke(name, "x", { region: "wnam" }))).code).toBe("not_deployed_in_region");
  });

  it("private functions need the token; a wrong token is refused even for public ones", async () => {
    const name = freshName("secret");
    await deployed(name, "hello", { query: { private: "true" } });
    const anonymous = await invoke(name);
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("unauthorized");
    const withToken = await invoke(name, null, { headers: AUTH });
    expect(withToken.status).toBe(200);
    expect(await textOf(withToken)).toBe("hello from helios");

    const open = freshName("open");
    await deployed(open, "hello");
    expect((await invoke(open)).status).toBe(200);
    const wrong = await invoke(open, null, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe("unauthorized");
  });

  it("payload_too_large over the function's limit", async () => {
    const name = freshName("small");
    await deployed(name, "echo", { query: { maxPayloadBytes: "1024" } });
    expect((await invoke(name, new Uint8Array(1024))).status).toBe(200);
    const response = await invoke(name, new Uint8Array(1025));
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ code: "payload_too_large", limit: 1024, size: 1025 });
  });

  // The answer comes while the client still withholds the body; the rest is then read and discarded so the
  // client keeps its connection (src/api/drain-request.ts), never kept.
  it("payload_too_large over the ceiling, from Content-Length, before reading the body", async () => {
    const name = freshName("huge");
    await deployed(name, "echo");
    const upload = withheldBody(1024 * 1024, 1);
    const response = await request("POST", `/v1/functions/${name}/invoke`, {
      body: upload.body,
      headers: { "content-length": String(16 * 1024 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(upload.pulledBytes()).toBeLessThanOrEqual(1024 * 1024);
    upload.release();
    expect(await errorOf(response)).toMatchObject({ code: "payload_too_large", limit: LIMIT_CEILINGS.maxPayloadBytes });
  });

  it("payload_too_large for a streamed body with no length, cut off at the ceiling", async () => {
    const name = freshName("chunked");
    await deployed(name, "echo");
    const upload = withheldBody(1024 * 1024, 12);
    const response = await request("POST", `/v1/functions/${name}/invoke`, { body: upload.body });
    expect(response.status).toBe(413);
    upload.release();
    expect((await errorOf(response)).code).toBe("payload_too_large");
  });
});

describe("guest failures are answered as errors and never take the server down", () => {
  const cases = [
    { guest: "spin", status: 422, code: "out_of_fuel", query: { fuel: "100000" }, fields: { budget: 100000 } },
    { guest: "memory-hog", status: 422, code: "memory_limit", query: { maxMemoryPages: "4" }, fields: { maxMemoryPages: 4 } },
    { guest: "trap", status: 500, code: "guest_trap", query: {}, fields: {} },
    { guest: "big-output", status: 502, code: "response_too_large", query: { maxResponseBytes: "1024" }, fields: { size: 61440, limit: 1024 } },
    { guest: "wild-output", status: 502, code: "invalid_guest_output", query: {}, fields: { len: 16 } },
    { guest: "bad-alloc", status: 500, code: "guest_abi_violation", query: {}, fields: {} },
  ] as const;

  for (const c of cases) {
    it(`${c.code} (${c.status}) from ${c.guest}, then the next request succeeds`, async () => {
      const failing = freshName(c.guest);
      const healthy = freshName("after");
      await deployed(failing, c.guest, { query: { ...c.query } });
      await deployed(healthy, "hello");
      for (let round = 0; round < 2; round++) {
        const response = await invoke(failing, "x");
        expect(response.status).toBe(c.status);
        expect(await errorOf(response)).toMatchObject({ code: c.code, ...c.fields });
        const next = await invoke(healthy);
        expect(next.status).toBe(200);
        expect(await textOf(next)).toBe("hello from helios");
      }
    });
  }
});

describe("redeploy is atomic", () => {
  it("every invocation during a stream of redeploys runs exactly one whole version", async () => {
    const name = freshName("atomic");
    const versions = { v1: await deployed(name, "v1", { query: { regions: "wnam" } }) } as Record<string, { sha256: string }>;
    versions.v2 = { sha256: (await deployed(name, "v2", { query: { regions: "wnam" } })).sha256 };
    let deploying = true;
    const seen: { body: string; sha: string | null; version: number }[] = [];
    const failures: string[] = [];
    const client = async () => {
      while (deploying) {
        const response = await invoke(name, null, { region: "wnam" });
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else seen.push({ body: await textOf(response), sha: response.headers.get("x-helios-sha256"), version: Number(response.headers.get("x-helios-version")) });
      }
    };
    const clients = [client(), client(), client(), client()];
    for (let i = 0; i < 6; i++) {
      const next = i % 2 === 0 ? "v1" : "v2";
      const response = await deployRaw(name, guest(next), { query: { regions: "wnam" } });
      expect(response.status).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    deploying = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    expect(seen.length).toBeGreaterThan(10);
    for (const s of seen) {
      expect(["v1", "v2"]).toContain(s.body);
      expect(s.sha).toBe(versions[s.body].sha256);
      // Redeploying identical bytes and settings reuses the version: v1 is always version 1, v2 version 2.
      expect(s.version).toBe(s.body === "v1" ? 1 : 2);
    }
    const final = await invoke(name, null, { region: "wnam" });
    expect(await textOf(final)).toBe("v2");
    expect(final.headers.get("x-helios-version")).toBe("2");
  });
});

describe("service routes", () => {
  it("GET /healthz", async () => {
    const response = await request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("GET /v1/regions lists the configured regions, the default and the caller's nearest", async () => {
    const response = await request("GET", "/v1/regions", { cf: { latitude: "1.29", longitude: "103.85" } });
    expect(response.status).toBe(200);
    const body = await response.json<{ regions: { name: string; default: boolean }[]; default: string; nearest: string }>();
    expect(body.regions.map((r) => [r.name, r.default])).toEqual([
      ["wnam", true],
      ["enam", false],
      ["weur", false],
      ["apac", false],
    ]);
    expect(body.default).toBe("wnam");
    expect(body.nearest).toBe("apac");
  });

  it("POST /v1/_baseline/echo returns the body untouched (the benchmark's no-sandbox baseline)", async () => {
    const payload = new Uint8Array([1, 2, 3, 250]);
    const response = await request("POST", "/v1/_baseline/echo", { body: payload });
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(payload);
  });

  it("not_found for an unknown route, as JSON", async () => {
    const response = await request("GET", "/v2/nothing");
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: "not_found", method: "GET", path: "/v2/nothing" });
  });
});
