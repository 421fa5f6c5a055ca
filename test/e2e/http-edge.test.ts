// The HTTP edge of the real local server (as `npm start` runs it: workerd served by Miniflare directly), over raw
// sockets: early 413s from a declared Content-Length, chunked bodies cut off at the cap, the connection closed or
// drained afterwards so the next request is served at once (on the same or another connection), malformed and
// conflicting Content-Length headers, and a taken port. Each case is one the attack run found (issue 7, item 5).

import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startLocalServer, type LocalServer } from "./local-server.ts";
import { rawConnect, writeChunked } from "./raw-http.ts";

const MiB = 1024 * 1024;
/** The invocation body ceiling and the module cap (docs/limits.md). */
const INVOKE_CAP = 8 * MiB;
const MODULE_CAP = 4 * MiB;
const SHA = "a".repeat(64);

let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer({ args: ["--no-examples"] });
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

const invokeHead = (framing: string) => `POST /v1/functions/nobody/invoke HTTP/1.1\r\nHost: local\r\n${framing}\r\n`;
const deployHead = (framing: string) =>
  `PUT /v1/functions/edge-deploy?sha256=${SHA} HTTP/1.1\r\nHost: local\r\nAuthorization: Bearer ${server.token}\r\n` +
  `Content-Type: application/wasm\r\n${framing}\r\n`;

/** The next request is served at once: a fresh connection's /healthz answers 200 within a few seconds. */
async function nextRequestIsServed(): Promise<void> {
  const response = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
}

function expectJsonError(response: { status: number; headers: Record<string, string>; body: string }, status: number, code: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  expect(JSON.parse(response.body)).toMatchObject({ error: { code } });
}

describe("a declared Content-Length over the cap", () => {
  it.each([
    ["invocation", invokeHead, 30 * MiB, "payload_too_large"],
    ["deploy", deployHead, 30 * MiB, "module_too_large"],
  ] as const)("%s: 413 while the body is still being sent, the connection closed, the next request served", async (_, head, declared, code) => {
    const connection = await rawConnect(server.baseUrl);
    await connection.write(head(`Content-Length: ${declared}\r\n`));
    await connection.write(new Uint8Array(256 * 1024).fill(97));
    // Only 256 KiB of 30 MiB are sent and the socket stays open: an answer now is an answer without the body.
    expectJsonError(await connection.response(), 413, code);
    expect(await connection.ended()).toMatch(/closed|reset/);
    await nextRequestIsServed();
  });
});

describe("a chunked body over the cap", () => {
  it.each([
    ["invocation", invokeHead, INVOKE_CAP, "payload_too_large"],
    ["deploy", deployHead, MODULE_CAP, "module_too_large"],
  ] as const)("%s: a client that waits after passing the cap gets the 413 and the connection ends", async (_, head, cap, code) => {
    const connection = await rawConnect(server.baseUrl);
    await connection.write(head("Transfer-Encoding: chunked\r\n"));
    void writeChunked(connection, cap + 512 * 1024, false);
    expectJsonError(await connection.response(), 413, code);
    expect(await connection.ended()).toMatch(/closed|reset/);
    await nextRequestIsServed();
  });

  // The 413 is sent at once and complete, while the server reads and discards the rest of the body
  // (src/api/drain-request.ts), so a client that sends everything is not reset and keeps its connection.
  it.each([
    ["invocation just over the cap", invokeHead, INVOKE_CAP + 1024, "payload_too_large"],
    ["invocation of 10 MiB", invokeHead, 10 * MiB, "payload_too_large"],
    ["deploy just over the cap", deployHead, MODULE_CAP + 1024, "module_too_large"],
    ["deploy of 5 MiB", deployHead, 5 * MiB, "module_too_large"],
  ] as const)("%s, sent in full (the attack): 413, and the same connection serves the next request at once", async (_, head, total, code) => {
    const connection = await rawConnect(server.baseUrl);
    await connection.write(head("Transfer-Encoding: chunked\r\n"));
    const answer = connection.response();
    expect(await writeChunked(connection, total)).toBe(total);
    expectJsonError(await answer, 413, code);
    await connection.write("GET /healthz HTTP/1.1\r\nHost: local\r\n\r\n");
    expect((await connection.response(10_000)).status).toBe(200);
    connection.close();
    await nextRequestIsServed();
  });

  it("a declared length over the cap, sent in full: 413 at once, and the same connection is kept", async () => {
    const connection = await rawConnect(server.baseUrl);
    const total = 9 * MiB;
    await connection.write(invokeHead(`Content-Length: ${total}\r\n`));
    const answer = connection.response();
    for (let sent = 0; sent < total; sent += MiB) expect(await connection.write(new Uint8Array(MiB))).toBe(true);
    expectJsonError(await answer, 413, "payload_too_large");
    await connection.write("GET /healthz HTTP/1.1\r\nHost: local\r\n\r\n");
    expect((await connection.response(10_000)).status).toBe(200);
    connection.close();
  });
});

describe("malformed and conflicting Content-Length", () => {
  // workerd's HTTP server (KJ) refuses these while parsing, before any JavaScript sees the request, with a plain
  // 500 and `Connection: close` (docs/limits.md, "HTTP edge"); the project's own JSON 400 (invalid_content_length)
  // answers wherever the request reaches our code (src/api/read-body.test.ts). What must hold here: refused, the
  // connection closed, nothing hangs.
  it.each([
    ["Content-Length: abc\r\n", "hello"],
    ["Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"],
    ["Content-Length: -5\r\n", "hello"],
  ])("%j is refused, the connection is closed and the next request served", async (framing, body) => {
    const connection = await rawConnect(server.baseUrl);
    await connection.write(invokeHead(framing) + body);
    const response = await connection.response();
    expect([400, 500]).toContain(response.status);
    expect(response.headers.connection).toBe("close");
    expect(await connection.ended()).toMatch(/closed|reset/);
    await nextRequestIsServed();
  });
});

describe("npm start on a taken port", () => {
  let blocker: Server;
  afterAll(() => blocker?.close());

  it("exits non-zero at once, naming the port and the --port flag", async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((done) => blocker.listen(port, "127.0.0.1", done));
    const child = spawn(process.execPath, ["scripts/start.mjs", "--port", String(port), "--no-watch"], {
      cwd: resolve(import.meta.dirname, "../.."),
      env: { ...process.env, HELIOS_TOKEN: "unused" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (data) => (output += data));
    child.stderr!.on("data", (data) => (output += data));
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    expect(code).not.toBe(0);
    expect(output).toContain(`port ${port}`);
    expect(output).toContain("--port");
  });
});
