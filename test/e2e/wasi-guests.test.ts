// The guest examples built from source by `npm run build:modules` and deployed by `npm start`, over HTTP: the C
// handler (modules/examples/c-echo.c, clang + wasi-libc) and the Rust JSON API (modules/examples/rust-api.rs,
// Debian rustc + its wasm32-wasi std). Any method and path reach them, the request arrives intact (minus the
// caller's Authorization), and the status, content type, headers and body they set through the CGI header block
// come back. Also the AssemblyScript static page (modules/examples/static-page.ts, ABI version 2).

import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let server: LocalServer;

beforeAll(async () => {
  // CI installs the toolchains (.ci/run); locally build-modules skips a guest whose toolchain is missing, and says so.
  for (const [file, packages] of [["c-echo.wasm", "clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32"], ["rust-api.wasm", "rustc libstd-rust-dev-wasm32"], ["rust-sdk-hello.wasm", "rustc libstd-rust-dev-wasm32"]]) {
    if (!existsSync(new URL(`../../modules/build/examples/${file}`, import.meta.url))) {
      throw new Error(`modules/build/examples/${file} is missing: apt-get install -y ${packages}, then npm run build:modules`);
    }
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

async function call(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}, fn = "c-echo") {
  const response = await fetch(`${server.baseUrl}/fn/${fn}${path}`, { method, ...init });
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

describe("Rust guest over /fn (npm start deployed it)", () => {
  const rust = (method: string, path: string, body?: string) => call(method, path, { body }, "rust-api");

  it("routes on method and path; JSON with the status and content type it set", async () => {
    const root = await rust("GET", "/");
    expect(root.response.status).toBe(200);
    expect(root.response.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(root.text)).toMatchObject({ service: "rust-api" });
    const hello = await rust("GET", "/hello/ada?x=1");
    expect(JSON.parse(hello.text)).toEqual({ hello: "ada" });
    const sum = await rust("POST", "/sum", "1 2, 39");
    expect([sum.response.status, JSON.parse(sum.text)]).toEqual([200, { sum: 42 }]);
    const bad = await rust("POST", "/sum", "1 two");
    expect(bad.response.status).toBe(400);
    expect(JSON.parse((await rust("POST", "/length", "héllo")).text)).toEqual({ bytes: 6, chars: 5 });
  });

  it("DELETE is 204 with no body; PUT is 405 with Allow; unknown paths 404", async () => {
    const del = await rust("DELETE", "/items/7");
    expect(del.response.status).toBe(204);
    expect(del.text).toBe("");
    const put = await rust("PUT", "/items/7", "x");
    expect(put.response.status).toBe(405);
    expect(put.response.headers.get("allow")).toBe("GET, POST, DELETE");
    expect((await rust("GET", "/nowhere")).response.status).toBe(404);
  });
});

describe("static HTML page over /fn (AssemblyScript, ABI version 2; npm start deployed it)", () => {
  it("GET answers 200 text/html with the page; other methods 405 with Allow", async () => {
    const page = await call("GET", "", {}, "static-page");
    expect(page.response.status).toBe(200);
    expect(page.response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.response.headers.get("cache-control")).toBe("public, max-age=60");
    expect(page.text).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page.text).toContain("<h1>Hello from Helios Edge</h1>");
    const post = await call("POST", "/", { body: "x" }, "static-page");
    expect(post.response.status).toBe(405);
    expect(post.response.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("Rust guest on the Rust SDK over /fn (ABI version 2, wasm32-unknown-unknown; npm start deployed it)", () => {
  const sdk = (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) => call(method, path, init, "rust-sdk-hello");

  it("routes through the SDK's plain-function glue: status, content type and body as set; query intact", async () => {
    const root = await sdk("GET", "/");
    expect([root.response.status, root.response.headers.get("content-type"), root.text]).toEqual([200, "text/plain", "hello from rust-sdk-hello"]);
    const hello = await sdk("GET", "/hello/ada?lang=en&x=1");
    expect(hello.response.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(hello.text)).toEqual({ hello: "ada", query: "lang=en&x=1" });
    const echo = await sdk("POST", "/echo", { body: "y".repeat(10_000), headers: { "content-type": "text/x-test" } });
    expect([echo.response.status, echo.response.headers.get("content-type"), echo.text]).toEqual([200, "text/x-test", "y".repeat(10_000)]);
    expect((await sdk("DELETE", "/hello/ada")).response.status).toBe(404);
  });
});
