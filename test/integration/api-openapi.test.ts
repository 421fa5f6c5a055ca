// GET /v1/openapi.json against the real app: it declares every route the app serves, and real answers of a tour
// through every route group (driven through the typed client where it can be) match the declared responses.

import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp, heliosClient } from "../../src/api/index.ts";
import { checkResponse, validate, type OpenApiDocument } from "../support/openapi-check.ts";
import { AUTH, BASE, deployRaw, freshName, guest, request, TOKEN } from "./api-support.ts";

const fetchSelf = ((input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(input, init)) as typeof fetch;

async function spec(): Promise<OpenApiDocument> {
  const response = await request("GET", "/v1/openapi.json");
  expect(response.status).toBe(200);
  return response.json<OpenApiDocument>();
}

/** What both fetch's Response and the typed client's ClientResponse offer. */
interface Answer {
  status: number;
  url: string;
  headers: Headers;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Reads the answer and checks it against the document; returns the parsed JSON (or null for other bodies). */
async function conforms(document: OpenApiDocument, method: string, response: Answer): Promise<unknown> {
  const contentType = response.headers.get("content-type") ?? "";
  const body = contentType.startsWith("application/json") ? await response.json() : (await response.arrayBuffer(), null);
  const path = new URL(response.url || BASE).pathname;
  expect(checkResponse(document, method, path, response.status, contentType, body), `${method} ${path} ${response.status}`).toEqual([]);
  return body;
}

describe("OpenAPI", () => {
  it("declares every route the app serves, with the catalogue's error schemas", async () => {
    const document = await spec();
    const served = createApp().routes.filter((r) => r.method !== "ALL" || r.path.startsWith("/fn/"));
    for (const route of served) {
      const template = route.path.replace(/:([^/]+)/g, "{$1}").replace(/\/\*$/, "/{path}");
      const methods = route.method === "ALL" ? ["get", "post", "put", "patch", "delete"] : [route.method.toLowerCase()];
      for (const method of methods) expect(document.paths[template]?.[method], `${method} ${template}`).toBeDefined();
    }
    const schemas = (document as { components: { schemas: Record<string, unknown> } }).components.schemas;
    for (const code of ["unauthorized", "forbidden", "invalid_request", "unknown_function", "unknown_secret", "out_of_fuel"]) {
      expect(schemas[`Error_${code}`], code).toBeDefined();
    }
    expect(schemas).not.toHaveProperty("Error_double_free"); // guest-only codes never reach HTTP

    // The check itself refuses what the document does not describe.
    expect(checkResponse(document, "GET", "/healthz", 200, "application/json", { status: "ok" })).toEqual([]);
    expect(checkResponse(document, "GET", "/healthz", 200, "application/json", { status: "ok", extra: 1 })).not.toEqual([]);
    expect(checkResponse(document, "GET", "/healthz", 200, "application/json", { status: "down" })).not.toEqual([]);
    expect(checkResponse(document, "GET", "/healthz", 299, "application/json", { status: "ok" })).not.toEqual([]);
    expect(checkResponse(document, "PATCH", "/healthz", 200, "application/json", { status: "ok" })).not.toEqual([]);
    expect(checkResponse(document, "GET", "/v1/functions/x", 404, "application/json", { error: { code: "unknown_function", message: "m" } })).not.toEqual([]);
  });

  it("real answers of every route group match the declared responses", async () => {
    const document = await spec();
    const api = heliosClient(BASE, { token: TOKEN, fetch: fetchSelf });
    const anonymous = heliosClient(BASE, { fetch: fetchSelf });
    const check = (method: string, response: Answer) => conforms(document, method, response);
    const name = freshName("spec");

    await check("GET", await anonymous.healthz.$get());
    await check("GET", await anonymous.v1.regions.$get());
    await check("GET", await request("GET", "/v1/openapi.json"));
    await check("POST", await request("POST", "/v1/_baseline/echo", { body: "x" }));
    // No path is declared for an unknown route; its answer is the catalogue's not_found schema.
    const missing = await request("GET", "/no/such/route");
    expect(missing.status).toBe(404);
    expect(validate(document, { $ref: "#/components/schemas/Error_not_found" }, await missing.json(), "not_found")).toEqual([]);

    // Functions.
    await check("PUT", await deployRaw(name, guest("echo")));
    // The same bytes and settings again: the existing version, none minted; a changed setting mints version 2.
    const same = (await check("PUT", await deployRaw(name, guest("echo"), { query: { private: "false" } }))) as { created: boolean };
    expect(same.created).toBe(false);
    await check("PUT", await deployRaw(name, guest("echo"), { query: { config: JSON.stringify({ MODE: "two" }) } }));
    await check("PUT", await deployRaw(freshName("bad"), guest("echo"), { sha256: "0".repeat(64) }));
    await check("GET", await api.v1.functions.$get());
    const details = (await check("GET", await api.v1.functions[":name"].$get({ param: { name } }))) as { function: { version: number } };
    expect(details.function.version).toBe(2);
    await check("GET", await api.v1.functions[":name"].$get({ param: { name: freshName("nobody") } }));
    await check("GET", await anonymous.v1.functions.$get());
    await check("POST", await api.v1.functions[":name"].invoke.$post({ param: { name }, query: {} }, { init: { body: "hi" } }));
    await check("POST", await request("POST", `/fn/${name}/any/path`, { body: "hi" }));
    await check("POST", await request("POST", `/v1/functions/${freshName("nobody")}/invoke`));
    await check("POST", await request("POST", `/v1/functions/${name}/invoke?region=nowhere`));

    // Versions, deployments, rollback and aliases.
    const json = { ...AUTH, "content-type": "application/json" };
    await check("GET", await api.v1.functions[":name"].versions.$get({ param: { name }, query: {} }));
    await check("GET", await api.v1.functions[":name"].deployments.$get({ param: { name }, query: {} }));
    await check("POST", await request("POST", `/v1/functions/${name}/deployments`, { headers: json, body: JSON.stringify({ versions: [{ version: 2, percent: 90 }, { version: 1, percent: 10 }] }) }));
    await check("POST", await request("POST", `/v1/functions/${name}/deployments`, { headers: json, body: JSON.stringify({ version: 9 }) }));
    await check("PUT", await request("PUT", `/v1/functions/${name}/aliases/canary`, { headers: json, body: JSON.stringify({ version: 2 }) }));
    await check("GET", await api.v1.functions[":name"].aliases.$get({ param: { name } }));
    await check("POST", await request("POST", `/v1/functions/${name}@canary/invoke`, { body: "hi" }));
    await check("DELETE", await api.v1.functions[":name"].aliases[":alias"].$delete({ param: { name, alias: "canary" } }));
    await check("POST", await request("POST", `/v1/functions/${name}/rollback`, { headers: AUTH }));
    await check("POST", await request("POST", `/v1/functions/${name}/rollback`, { headers: json, body: JSON.stringify({ version: 2 }) }));

    // Secrets.
    const secret = { param: { name, secret: "API_KEY" } };
    await check("PUT", await api.v1.functions[":name"].secrets[":secret"].$put({ ...secret, json: { value: "v1" } }));
    await check("PUT", await api.v1.functions[":name"].secrets[":secret"].$put({ ...secret, json: { value: "v2" } }));
    await check("GET", await api.v1.functions[":name"].secrets.$get({ param: { name } }));
    await check("DELETE", await api.v1.functions[":name"].secrets[":secret"].$delete(secret));
    await check("DELETE", await api.v1.functions[":name"].secrets[":secret"].$delete(secret));

    // Tokens.
    const created = (await check("POST", await api.v1.tokens.$post({ json: { scope: "read" } }))) as { token: string; info: { id: string } };
    await check("GET", await api.v1.tokens.$get());
    const reader = heliosClient(BASE, { token: created.token, fetch: fetchSelf });
    await check("GET", await reader.v1.functions.$get());
    await check("DELETE", await reader.v1.functions[":name"].$delete({ param: { name } }));
    await check("DELETE", await api.v1.tokens[":id"].$delete({ param: { id: created.info.id } }));
    await check("POST", await api.v1.tokens.$post({ json: { scope: "deploy" } }));

    // Databases.
    const db = { region: "wnam", db: freshName("specdb").replace(/-/g, "_") };
    const dbs = api.v1.regions[":region"].databases;
    await check("PUT", await dbs[":db"].$put({ param: db }));
    await check("PUT", await dbs[":db"].$put({ param: db }));
    await check("POST", await dbs[":db"].sql.$post({ param: db, json: { sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)" } }));
    await check("POST", await dbs[":db"].sql.$post({ param: db, json: { sql: "SELECT nope FROM t" } }));
    const table = { ...db, table: "t" };
    await check("POST", await dbs[":db"].tables[":table"].rows.$post({ param: table, json: { v: "a" } }));
    await check("GET", await dbs[":db"].tables[":table"].rows.$get({ param: table, query: { limit: "10" } }));
    await check("GET", await dbs[":db"].tables[":table"].rows[":key"].$get({ param: { ...table, key: "1" } }));
    await check("PATCH", await dbs[":db"].tables[":table"].rows[":key"].$patch({ param: { ...table, key: "1" }, json: { v: "b" } }));
    await check("DELETE", await dbs[":db"].tables[":table"].rows[":key"].$delete({ param: { ...table, key: "1" } }));
    await check("GET", await dbs[":db"].tables[":table"].rows[":key"].$get({ param: { ...table, key: "1" } }));
    await check("GET", await dbs[":db"].triggers.$get({ param: db }));
    await check("GET", await dbs[":db"].triggers[":name"].$get({ param: { ...db, name: "none" } }));
    await check("PUT", await dbs[":db"].triggers[":name"].$put({ param: { ...db, name: "t1" }, json: { table: "t", events: ["insert"], function: freshName("nofn") } }));
    await check("GET", await dbs.$get({ param: { region: "wnam" } }));
    await check("GET", await dbs[":db"].$get({ param: db }));
    await check("DELETE", await dbs[":db"].$delete({ param: db }));

    await check("DELETE", await api.v1.functions[":name"].$delete({ param: { name } }));
    await check("DELETE", await request("DELETE", `/v1/functions/${name}`, { headers: AUTH }));
  });
});
