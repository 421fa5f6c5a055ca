// Asynchronous invocations over HTTP: 202 with an id, then the result; a failing one retried and dead-lettered;
// private results need the token; unknown and malformed ids are 404.

import { describe, expect, it } from "vitest";
import { AUTH, deployed, freshName, request } from "./api-support.ts";

interface View { id: string; status: string; attempts: number; result: { text?: string; usage: { fuelUsed: number } } | null; error: { code: string } | null }

async function queue(name: string, body: string, query = "", headers: Record<string, string> = {}): Promise<Response> {
  return request("POST", `/v1/functions/${name}/invoke?mode=async${query}`, { body, headers });
}

async function settled(id: string, headers: Record<string, string> = {}): Promise<View> {
  for (let i = 0; i < 300; i++) {
    const view = await (await request("GET", `/v1/invocations/${id}`, { headers })).json<View>();
    if (view.status === "succeeded" || view.status === "dead_letter") return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`invocation ${id} never settled`);
}

describe("asynchronous invocations", () => {
  it("answer 202 with an unguessable id, then the result with its usage", async () => {
    const name = freshName("async-echo");
    await deployed(name, "echo");
    const response = await queue(name, "ping");
    expect(response.status).toBe(202);
    const { id, status } = await response.json<{ id: string; status: string }>();
    expect(status).toBe("queued");
    expect(id).toMatch(/^inv_wnam_\d+_[0-9a-f]{32}$/);
    const view = await settled(id);
    expect(view.status).toBe("succeeded");
    expect(view.attempts).toBe(1);
    expect(view.result?.text).toBe("ping");
    expect(view.result?.usage.fuelUsed).toBeGreaterThan(0);
  });

  it("retry a failing one and dead-letter it after maxAttempts, listed for its function", async () => {
    const name = freshName("async-trap");
    await deployed(name, "trap");
    const { id } = await (await queue(name, "x", "&maxAttempts=2")).json<{ id: string }>();
    const view = await settled(id);
    expect(view.status).toBe("dead_letter");
    expect(view.attempts).toBe(2);
    expect(view.error?.code).toBe("guest_trap");
    const list = await (await request("GET", `/v1/functions/${name}/invocations?status=dead_letter`, { headers: AUTH })).json<{ invocations: View[] }>();
    expect(list.invocations.map((v) => v.id)).toEqual([id]);
  });

  it("need the token for a private function, to queue and to read", async () => {
    const name = freshName("async-private");
    await deployed(name, "echo", { query: { private: "true" } });
    expect((await queue(name, "x")).status).toBe(401);
    const { id } = await (await queue(name, "secret", "", AUTH)).json<{ id: string }>();
    const view = await settled(id, AUTH);
    expect(view.result?.text).toBe("secret");
    const anonymous = await request("GET", `/v1/invocations/${id}`);
    expect(anonymous.status).toBe(401);
  });

  it("answer 404 for unknown and malformed ids, never 500", async () => {
    for (const id of ["inv_wnam_0_00000000000000000000000000000000", "inv_mars_0_00000000000000000000000000000000", "nope", "inv_wnam_999_00000000000000000000000000000000"]) {
      const response = await request("GET", `/v1/invocations/${id}`);
      expect(response.status).toBe(404);
      expect((await response.json<{ error: { code: string } }>()).error.code).toBe("unknown_invocation");
    }
    expect((await queue(freshName("missing"), "x")).status).toBe(404);
  });
});
