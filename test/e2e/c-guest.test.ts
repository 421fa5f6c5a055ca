// The C WASI example (modules/examples/c-echo.c), built by `npm run build:modules` with clang and wasi-libc and
// deployed by `npm start`, over HTTP: any method and path reach it, the request arrives intact (minus the caller's
// Authorization), and the status, content type, headers and body it sets through its CGI header block come back.

import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let server: LocalServer;

beforeAll(async () => {
  // CI installs clang (.ci/run); locally build-modules skips the C guests without it, and says so.
  if (!existsSync(new URL("../../modules/build/examples/c-echo.wasm", import.meta.url))) {
    throw new Error("modules/build/examples/c-echo.wasm is missing: install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 and run npm run build:modules");
  }
  server = await startLocalServer();
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

interface Echo {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  contentType: string;
  body: string;
}

async function call(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server.baseUrl}/fn/c-echo${path}`, { method, ...init });
  const text = await response.text();
  return { response, text, echo: response.headers.get("content-type") === "application/json" ? (JSON.parse(text) as Echo) : null };
}

describe("C guest over /fn (npm start deployed it)", () => {
  it("GET: status, content type and headers as the guest set them; path and query intact", async () => {
    const { response, echo } = await call("GET", "/users/42/a%2Fb?sort=name&tag=x%20y&tag=z");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-powered-by")).toBe("wasi-libc");
    expect(echo).toMatchObject({ method: "GET", path: "/users/42/a%2Fb", query: "sort=name&tag=x%20y&tag=z", body: "" });
  });

  it("PUT and POST carry their bodies (201); DELETE reaches the guest (200)", async () => {
    const put = await call("PUT", "/items/7", { body: '{"name":"lamp"}', headers: { "content-type": "application/json" } });
    expect(put.response.status).toBe(201);
    expect(put.echo).toMatchObject({ method: "PUT", path: "/items/7", contentType: "application/json", body: '{"name":"lamp"}' });
    const post = await call("POST", "", { body: "x".repeat(5000) });
    expect(post.response.status).toBe(201);
    expect(post.echo).toMatchObject({ method: "POST", path: "/", body: "x".repeat(5000) });
    const del = await call("DELETE", "/items/7");
    expect(del.response.status).toBe(200);
    expect(del.echo).toMatchObject({ method: "DELETE", path: "/items/7" });
  });

  it("request headers arrive as HTTP_* variables; the caller's Authorization never does", async () => {
    const { echo, text } = await call("GET", "/h", { headers: { "x-request-id": "req-123", authorization: `Bearer ${server.token}` } });
    expect(echo?.headers["x-request-id"]).toBe("req-123");
    expect(Object.keys(echo?.headers ?? {})).not.toContain("authorization");
    expect(text).not.toContain(server.token);
  });
});
