// Scoped tokens through the HTTP API: created, listed and revoked by the admin only; each scope allowed what it
// grants and refused the rest (deploy under a name prefix, read-only, invoke-only for private functions); stored as
// SHA-256 only; and a wrong token refused on every route, public ones and unknown paths included.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registryStub } from "../../src/registry/index.ts";
import { AUTH, deployRaw, errorOf, freshName, guest, invoke, request, sha256Hex, textOf } from "./api-support.ts";

interface Created {
  token: string;
  info: { id: string; name: string; scope: string; prefix: string; createdAt: string };
}

async function createToken(body: Record<string, unknown>): Promise<Created> {
  const response = await request("POST", "/v1/tokens", { body: JSON.stringify(body), headers: { ...AUTH, "content-type": "application/json" } });
  if (response.status !== 201) throw new Error(`create token: ${response.status} ${await response.text()}`);
  return response.json<Created>();
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function as(token: string, method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return request(method, path, { ...init, headers: { ...(init.headers as Record<string, string>), ...bearer(token) } });
}

async function deployAs(token: string, name: string, query: Record<string, string> = {}): Promise<Response> {
  return deployRaw(name, guest("echo"), { query, headers: bearer(token) });
}

function putSecretAs(token: string, name: string): Promise<Response> {
  return as(token, "PUT", `/v1/functions/${name}/secrets/KEY`, { body: JSON.stringify({ value: "v" }), headers: { "content-type": "application/json" } });
}

async function statusOf(response: Promise<Response>): Promise<number> {
  const r = await response;
  await r.arrayBuffer();
  return r.status;
}

describe("scoped tokens", () => {
  it("deploy: everything on functions under its prefix, nothing elsewhere", async () => {
    const prefix = `${freshName("team")}-`;
    const { token } = await createToken({ name: "ci", scope: "deploy", prefix });
    const mine = `${prefix}api`;
    const theirs = freshName("other");
    expect((await deployRaw(theirs, guest("echo"), { query: { private: "true" } })).status).toBe(201);

    // Allowed: deploy, read, list (filtered), secrets, invoke private, delete — under the prefix.
    expect(await statusOf(deployAs(token, mine, { private: "true" }))).toBe(201);
    expect(await statusOf(as(token, "GET", `/v1/functions/${mine}`))).toBe(200);
    const listed = await (await as(token, "GET", "/v1/functions")).json<{ functions: { name: string }[] }>();
    expect(listed.functions.map((f) => f.name)).toEqual([mine]);
    expect(await statusOf(putSecretAs(token, mine))).toBe(201);
    const invoked = await invoke(mine, "hi", { headers: bearer(token) });
    expect(await textOf(invoked)).toBe("hi");

    // Refused: names outside the prefix (forbidden, naming scope, action and function), tokens, databases.
    const outside = await deployAs(token, theirs);
    expect(outside.status).toBe(403);
    expect(await errorOf(outside)).toMatchObject({ code: "forbidden", scope: "deploy", action: "deploy", functionName: theirs });
    expect(await statusOf(as(token, "GET", `/v1/functions/${theirs}`))).toBe(403);
    expect(await statusOf(as(token, "DELETE", `/v1/functions/${theirs}`))).toBe(403);
    expect(await statusOf(putSecretAs(token, theirs))).toBe(403);
    expect(await statusOf(invoke(theirs, "x", { headers: bearer(token) }))).toBe(401);
    expect(await statusOf(as(token, "GET", "/v1/tokens"))).toBe(403);
    expect(await statusOf(as(token, "POST", "/v1/tokens", { body: JSON.stringify({ scope: "read" }), headers: { "content-type": "application/json" } }))).toBe(403);
    expect(await statusOf(as(token, "GET", "/v1/regions/wnam/databases"))).toBe(403);
    expect(await statusOf(as(token, "DELETE", `/v1/functions/${mine}`))).toBe(200);
  });

  it("read: every GET, no write, no private invocation", async () => {
    const { token } = await createToken({ scope: "read" });
    const name = freshName("readable");
    expect((await deployRaw(name, guest("echo"), { query: { private: "true" } })).status).toBe(201);

    expect(await statusOf(as(token, "GET", "/v1/functions"))).toBe(200);
    expect(await statusOf(as(token, "GET", `/v1/functions/${name}`))).toBe(200);
    expect(await statusOf(as(token, "GET", `/v1/functions/${name}/secrets`))).toBe(200);
    expect(await statusOf(as(token, "GET", "/v1/regions/wnam/databases"))).toBe(200);

    const write = await deployAs(token, name);
    expect(write.status).toBe(403);
    expect(await errorOf(write)).toMatchObject({ code: "forbidden", scope: "read", action: "deploy" });
    expect(await statusOf(as(token, "DELETE", `/v1/functions/${name}`))).toBe(403);
    expect(await statusOf(putSecretAs(token, name))).toBe(403);
    expect(await statusOf(as(token, "PUT", "/v1/regions/wnam/databases/x"))).toBe(403);
    expect(await statusOf(as(token, "GET", "/v1/tokens"))).toBe(403);
    const privateCall = await invoke(name, "x", { headers: bearer(token) });
    expect(privateCall.status).toBe(401);
    expect(await errorOf(privateCall)).toMatchObject({ code: "unauthorized", functionName: name });
  });

  it("invoke: private functions under its prefix, nothing else", async () => {
    const prefix = `${freshName("inv")}-`;
    const { token } = await createToken({ scope: "invoke", prefix });
    const mine = `${prefix}fn`;
    const theirs = freshName("private");
    for (const name of [mine, theirs]) expect((await deployRaw(name, guest("echo"), { query: { private: "true" } })).status).toBe(201);

    expect(await textOf(await invoke(mine, "ok", { headers: bearer(token) }))).toBe("ok");
    expect(await statusOf(request("POST", `/fn/${mine}`, { body: "ok", headers: bearer(token) }))).toBe(200);
    expect(await statusOf(invoke(mine, "no token"))).toBe(401);
    expect(await statusOf(invoke(theirs, "x", { headers: bearer(token) }))).toBe(401);
    expect(await statusOf(as(token, "GET", `/v1/functions/${mine}`))).toBe(403);
    expect(await statusOf(as(token, "GET", "/v1/functions"))).toBe(403);
    expect(await statusOf(deployAs(token, mine))).toBe(403);
  });

  it("a wrong, malformed, made-up or revoked token is refused on every route, public ones included", async () => {
    const publicFn = freshName("public");
    expect((await deployRaw(publicFn, guest("echo"))).status).toBe(201);
    const { token, info } = await createToken({ scope: "invoke" });
    const made = `hlt_${"A".repeat(43)}`;
    const routes: [string, string][] = [
      ["GET", "/healthz"],
      ["GET", "/v1/regions"],
      ["POST", `/v1/functions/${publicFn}/invoke`],
      ["POST", `/fn/${publicFn}/x`],
      ["GET", "/v1/functions"],
      ["GET", "/v1/tokens"],
      ["GET", "/no/such/route"],
    ];
    // With the valid invoke token, the public routes answer.
    expect(await statusOf(as(token, "GET", "/healthz"))).toBe(200);
    expect(await statusOf(invoke(publicFn, "x", { headers: bearer(token) }))).toBe(200);

    const revoked = await request("DELETE", `/v1/tokens/${info.id}`, { headers: AUTH });
    expect(await revoked.json()).toEqual({ revoked: info.id });
    for (const presented of [`Bearer wrong-token`, `Bearer ${made}`, `Bearer ${token}`, "Basic dXNlcjpwYXNz", "Bearer"]) {
      for (const [method, path] of routes) {
        const response = await request(method, path, { headers: { authorization: presented } });
        expect(response.status, `${presented} ${method} ${path}`).toBe(401);
        expect((await errorOf(response)).code).toBe("unauthorized");
      }
    }
    const again = await request("DELETE", `/v1/tokens/${info.id}`, { headers: AUTH });
    expect(again.status).toBe(404);
    expect(await errorOf(again)).toMatchObject({ code: "unknown_token", id: info.id });
  });

  it("are managed by the admin only, shown once, and stored as their SHA-256", async () => {
    const created = await createToken({ name: "shown once", scope: "deploy", prefix: "svc-" });
    expect(created.token).toMatch(/^hlt_[A-Za-z0-9_-]{43}$/);
    expect(created.info).toMatchObject({ name: "shown once", scope: "deploy", prefix: "svc-" });
    const list = await request("GET", "/v1/tokens", { headers: AUTH });
    const listText = await list.text();
    expect(listText).not.toContain(created.token);
    expect((JSON.parse(listText) as { tokens: Created["info"][] }).tokens).toContainEqual(created.info);

    await runInDurableObject(registryStub(env), async (_instance, state) => {
      const rows = state.storage.sql.exec<{ hash: string }>("SELECT hash FROM tokens WHERE id = ?", created.info.id).toArray();
      expect(rows).toEqual([{ hash: await sha256Hex(new TextEncoder().encode(created.token)) }]);
      expect(JSON.stringify(state.storage.sql.exec("SELECT * FROM tokens").toArray())).not.toContain(created.token);
    });

    expect(await statusOf(request("GET", "/v1/tokens"))).toBe(401);
    expect(await statusOf(request("POST", "/v1/tokens", { body: "{}", headers: { "content-type": "application/json" } }))).toBe(401);
    const noPrefix = await request("POST", "/v1/tokens", { body: JSON.stringify({ scope: "deploy" }), headers: { ...AUTH, "content-type": "application/json" } });
    expect(await errorOf(noPrefix)).toMatchObject({ code: "invalid_request", field: "prefix" });
    const badScope = await request("POST", "/v1/tokens", { body: JSON.stringify({ scope: "root" }), headers: { ...AUTH, "content-type": "application/json" } });
    expect(await errorOf(badScope)).toMatchObject({ code: "invalid_request", field: "scope" });
    const badId = await request("DELETE", "/v1/tokens/nope", { headers: AUTH });
    expect(await errorOf(badId)).toMatchObject({ code: "invalid_request", field: "id" });
  });
});
