// Function secrets through the HTTP API: set at deploy (manifest) and through their own endpoint, write-only (no
// endpoint ever returns a value), stored sealed (the registry holds no plain text), and read by the guest through
// heliosdb_config_get like config, in every region, fresh after each change.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { registryStub } from "../../src/registry/index.ts";
import { AUTH, deployRaw, errorOf, freshName, invoke, request, sha256Hex, textOf, type FunctionJson } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

const READER = () => guestBytes("example:config-reader");
const SECRET = "s3cr3t-value-6f1c2a9e";
const ROTATED = "rotated-value-0b7d44e1";
const ADDED = "added-value-93ad10cc";
const VALUES = [SECRET, ROTATED, ADDED];

async function deployWithManifest(name: string, manifest: Record<string, unknown>): Promise<Response> {
  const bytes = READER();
  const form = new FormData();
  form.set("manifest", JSON.stringify({ sha256: await sha256Hex(bytes), profile: "compute", ...manifest }));
  form.set("module", new File([bytes], "reader.wasm", { type: "application/wasm" }));
  return request("PUT", `/v1/functions/${name}`, { body: form, headers: AUTH });
}

function putSecret(name: string, secret: string, value: unknown): Promise<Response> {
  return request("PUT", `/v1/functions/${name}/secrets/${secret}`, {
    body: JSON.stringify({ value }),
    headers: { ...AUTH, "content-type": "application/json" },
  });
}

async function read(name: string, key: string, region?: string): Promise<string | null> {
  const response = await invoke(name, key, { region });
  const text = await textOf(response);
  if (response.status !== 200) throw new Error(`invoke ${name}: ${response.status} ${text}`);
  return (JSON.parse(text) as { value: string | null }).value;
}

/** The body of every read endpoint that knows about the function; none may hold a value. */
async function everyReadBody(name: string): Promise<string[]> {
  const paths = ["/v1/functions", `/v1/functions/${name}`, `/v1/functions/${name}/secrets`, "/v1/regions", "/healthz"];
  return Promise.all(paths.map(async (path) => textOf(await request("GET", path, { headers: AUTH }))));
}

function expectNoValue(texts: string[]): void {
  for (const text of texts) for (const value of VALUES) expect(text).not.toContain(value);
}

describe("secrets", () => {
  it("are never returned by any endpoint, are stored sealed, and reach the guest through the config call", async () => {
    const name = freshName("secrets");
    const seen: string[] = [];

    const deployed = await deployWithManifest(name, { config: { greeting: "plain" }, secrets: { API_KEY: SECRET } });
    seen.push(await deployed.clone().text());
    expect(deployed.status).toBe(201);
    const { function: fn } = await deployed.json<{ function: FunctionJson & { secrets: string[] } }>();
    expect(fn.secrets).toEqual(["API_KEY"]);
    expect(fn.config).toEqual({ greeting: "plain" });

    // The guest reads secrets and config through the same call, in every region it runs in.
    expect(await read(name, "API_KEY", "wnam")).toBe(SECRET);
    expect(await read(name, "API_KEY", "apac")).toBe(SECRET);
    expect(await read(name, "greeting")).toBe("plain");

    // Set through the endpoint: a new name (201), then a new value for an existing one (200), each visible at once.
    const added = await putSecret(name, "ADDED", ADDED);
    seen.push(await added.clone().text());
    expect(added.status).toBe(201);
    expect((await added.json<{ secret: { name: string; updatedAt: string } }>()).secret.name).toBe("ADDED");
    expect(await read(name, "ADDED", "weur")).toBe(ADDED);
    const rotated = await putSecret(name, "API_KEY", ROTATED);
    seen.push(await rotated.clone().text());
    expect(rotated.status).toBe(200);
    expect(await read(name, "API_KEY", "wnam")).toBe(ROTATED);
    expect(await read(name, "API_KEY", "apac")).toBe(ROTATED);

    // Every GET shows names only.
    const reads = await everyReadBody(name);
    seen.push(...reads);
    const listed = JSON.parse(reads[2]) as { secrets: { name: string; updatedAt: string }[] };
    expect(listed.secrets.map((s) => s.name)).toEqual(["ADDED", "API_KEY"]);
    const details = JSON.parse(reads[1]) as { function: { secrets: string[] } };
    expect(details.function.secrets).toEqual(["ADDED", "API_KEY"]);
    const list = JSON.parse(reads[0]) as { functions: { name: string; secrets: string[] }[] };
    expect(list.functions.find((f) => f.name === name)?.secrets).toEqual(["ADDED", "API_KEY"]);

    // A redeploy without secrets keeps them; error bodies about secrets do not echo values.
    const redeployed = await deployWithManifest(name, { config: { greeting: "plain" } });
    seen.push(await redeployed.clone().text());
    expect(redeployed.status).toBe(200);
    expect(await read(name, "API_KEY")).toBe(ROTATED);
    const refused = await deployWithManifest(name, { secrets: { API_KEY: { nested: SECRET } } });
    seen.push(await refused.clone().text());
    expect(refused.status).toBe(400);
    const badBody = await request("PUT", `/v1/functions/${name}/secrets/X`, {
      body: `{"value": ${SECRET}}`,
      headers: { ...AUTH, "content-type": "application/json" },
    });
    seen.push(await badBody.clone().text());
    expect((await errorOf(badBody)).code).toBe("invalid_request");
    expectNoValue(seen);

    // At rest: ciphertexts in the registry, no plain text anywhere in its tables.
    await runInDurableObject(registryStub(env), async (_instance, state) => {
      const rows = state.storage.sql.exec<{ secret: string; iv: string; ciphertext: string }>(
        "SELECT secret, iv, ciphertext FROM secrets WHERE name = ?", name,
      ).toArray();
      expect(rows.map((r) => r.secret).sort()).toEqual(["ADDED", "API_KEY"]);
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray();
      for (const { name: table } of tables) {
        const dump = JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${table}"`).toArray());
        for (const value of VALUES) expect(dump).not.toContain(value);
        for (const value of VALUES) expect(dump).not.toContain(btoa(value));
      }
    });

    // Deleted: gone for the guest, and a second delete names the missing secret.
    const deleted = await request("DELETE", `/v1/functions/${name}/secrets/ADDED`, { headers: AUTH });
    expect(await deleted.json()).toEqual({ deleted: "ADDED" });
    expect(await read(name, "ADDED", "weur")).toBeNull();
    const again = await request("DELETE", `/v1/functions/${name}/secrets/ADDED`, { headers: AUTH });
    expect(again.status).toBe(404);
    expect(await errorOf(again)).toMatchObject({ code: "unknown_secret", functionName: name, secret: "ADDED" });
  });

  it("keep secret and config names apart, and nothing is written when they clash", async () => {
    const name = freshName("clash");
    expect((await deployWithManifest(name, { config: { TOKEN: "x" } })).status).toBe(201);
    const clash = await putSecret(name, "TOKEN", SECRET);
    expect(clash.status).toBe(409);
    expect(await errorOf(clash)).toMatchObject({ code: "secret_conflicts_with_config", key: "TOKEN" });
    expect(await read(name, "TOKEN")).toBe("x");

    expect((await putSecret(name, "KEY", SECRET)).status).toBe(201);
    const redeploy = await deployWithManifest(name, { config: { KEY: "plain" }, secrets: { OTHER: ADDED } });
    expect(redeploy.status).toBe(409);
    expect(await errorOf(redeploy)).toMatchObject({ code: "secret_conflicts_with_config", key: "KEY" });
    const listed = await (await request("GET", `/v1/functions/${name}/secrets`, { headers: AUTH })).json<{ secrets: { name: string }[] }>();
    expect(listed.secrets.map((s) => s.name)).toEqual(["KEY"]);
    expect(await read(name, "KEY")).toBe(SECRET);
  });

  it("go with their function: deleted with it, not set for an unknown one, never through a query string", async () => {
    const name = freshName("gone");
    expect((await deployWithManifest(name, { secrets: { KEY: SECRET } })).status).toBe(201);
    expect((await request("DELETE", `/v1/functions/${name}`, { headers: AUTH })).status).toBe(200);
    const redeployed = await deployWithManifest(name, {});
    expect((await redeployed.json<{ function: { secrets: string[] } }>()).function.secrets).toEqual([]);
    expect(await read(name, "KEY")).toBeNull();

    const unknown = await putSecret(freshName("nobody"), "KEY", SECRET);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("unknown_function");

    const viaQuery = await deployRaw(freshName("query"), READER(), { query: { profile: "compute", secrets: JSON.stringify({ KEY: SECRET }) } });
    expect(viaQuery.status).toBe(400);
    expect(await viaQuery.text()).not.toContain(SECRET);
  });

  it("need the token, a valid name and a JSON string value", async () => {
    const name = freshName("rules");
    expect((await deployWithManifest(name, {})).status).toBe(201);
    const noToken = await request("PUT", `/v1/functions/${name}/secrets/KEY`, {
      body: JSON.stringify({ value: SECRET }),
      headers: { "content-type": "application/json" },
    });
    expect(noToken.status).toBe(401);
    expect((await request("GET", `/v1/functions/${name}/secrets`)).status).toBe(401);
    expect((await errorOf(await putSecret(name, "bad%20name", SECRET))).field).toBe("secret");
    expect((await errorOf(await putSecret(name, "KEY", 42))).field).toBe("value");
    expect((await errorOf(await putSecret(name, "KEY", "x".repeat(4097)))).field).toBe("value");
    const text = await request("PUT", `/v1/functions/${name}/secrets/KEY`, { body: SECRET, headers: { ...AUTH, "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    const listed = await (await request("GET", `/v1/functions/${name}/secrets`, { headers: AUTH })).json<{ secrets: unknown[] }>();
    expect(listed.secrets).toEqual([]);
  });
});
