// Logs and metrics against the real local server (`npm start`'s way of serving), over HTTP from outside: a
// successful invocation's lines read back and tailed live, its request id echoed, the metrics counting it.

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let server: LocalServer;
const logger = new Uint8Array(readFileSync(join(import.meta.dirname, "../../modules/build/examples/logger.wasm")));

beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${server.token}` });

async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < 100 && !check(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe("logs and metrics over HTTP", () => {
  it("reads back, tails and counts a successful invocation's logs under its request id", async () => {
    const name = `e2e-logs-${Date.now().toString(36)}`;
    const deployed = await fetch(`${server.baseUrl}/v1/functions/${name}?regions=wnam`, {
      method: "PUT",
      body: logger,
      headers: { ...auth(), "content-type": "application/wasm", "x-helios-sha256": createHash("sha256").update(logger).digest("hex") },
    });
    expect(deployed.status).toBe(201);

    const tail = await fetch(`${server.baseUrl}/v1/functions/${name}/logs/tail`, { headers: auth() });
    expect(tail.headers.get("content-type")).toBe("text/event-stream");
    const reader = tail.body!.getReader();
    const decoder = new TextDecoder();
    let streamed = decoder.decode((await reader.read()).value);

    const invoked = await fetch(`${server.baseUrl}/v1/functions/${name}/invoke?region=wnam`, {
      method: "POST",
      body: "hello from e2e\nwarn: careful",
      headers: { "x-helios-request-id": "e2e-request-1" },
    });
    expect(await invoked.text()).toBe("logged 2");
    expect(invoked.headers.get("x-helios-request-id")).toBe("e2e-request-1");

    while ((streamed.match(/event: log/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed += decoder.decode(value);
    }
    await reader.cancel();
    const events = streamed.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(events.map((e) => e.message)).toEqual(["hello from e2e", "careful"]);

    const read = async () => (await (await fetch(`${server.baseUrl}/v1/functions/${name}/logs`, { headers: auth() })).json()) as { lines: { message: string; requestId: string; level: string }[] };
    const { lines } = await eventually(read, (body) => body.lines.length >= 2);
    expect(lines.map((l) => [l.level, l.message, l.requestId])).toEqual([
      ["info", "hello from e2e", "e2e-request-1"],
      ["warn", "careful", "e2e-request-1"],
    ]);

    const metrics = async () => (await (await fetch(`${server.baseUrl}/v1/functions/${name}/metrics`, { headers: auth() })).json()) as { total: { invocations: number } };
    expect((await eventually(metrics, (m) => m.total.invocations >= 1)).total.invocations).toBe(1);
    const prometheus = await (await fetch(`${server.baseUrl}/metrics`, { headers: auth() })).text();
    expect(prometheus).toContain(`helios_invocations{function="${name}",region="wnam",window_minutes="60"} 1`);
  });
});
