// No way back in, against the real local server: even where the operator has exempted the runtime's own address
// under another name (localhost instead of 127.0.0.1), a function fetching the runtime is refused by the runtime
// (loop_detected, 508), so a chain cannot restart itself over HTTP; and the deploy refuses the runtime's own host
// and private addresses whatever the deployer sends.

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startLocalServer, type LocalServer } from "./local-server.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const fetcher = new Uint8Array(readFileSync(resolve(repoRoot, "modules/build/examples/fetcher.wasm")));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let server: LocalServer;
let port: number;

beforeAll(async () => {
  port = await freePort();
  // The operator (not a deployer) exempts localhost:<port>: the runtime's own address under a name it was not
  // reached by, the alias case the marker header exists for.
  server = await startLocalServer({ port, args: ["--no-examples"], env: { HELIOS_OUTBOUND_ALLOW_PRIVATE: `localhost:${port}` } });
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

function deploy(name: string, allowedHosts: string): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/functions/${name}?profile=network&allowedHosts=${encodeURIComponent(allowedHosts)}`, {
    method: "PUT",
    body: fetcher,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/wasm", "x-helios-sha256": sha256(fetcher) },
  });
}

describe("outbound HTTP on the local server", () => {
  it("refuses the runtime's own host and private addresses at deploy", async () => {
    for (const host of [`127.0.0.1:${port}`, "127.0.0.1", "169.254.169.254", "localhost", "[::1]", "10.0.0.1"]) {
      const response = await deploy("e2e-ssrf", host);
      expect(response.status, host).toBe(400);
      const body = (await response.json()) as { error: { code: string; field: string } };
      expect(body.error).toMatchObject({ code: "invalid_request", field: "allowedHosts" });
    }
  });

  it("a function that reaches the runtime through an alias is refused by the runtime: the chain cannot restart", async () => {
    const deployed = await deploy("e2e-self", `localhost:${port}`);
    expect(deployed.status).toBe(201);
    const response = await fetch(`${server.baseUrl}/v1/functions/e2e-self/invoke`, {
      method: "POST",
      body: `http://localhost:${port}/v1/functions/e2e-self/invoke`,
    });
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as { status: number; body: string };
    expect(outcome.status).toBe(508);
    expect(JSON.parse(outcome.body)).toMatchObject({ error: { code: "loop_detected" } });
  });
});
