// The HTTP answer to an invocation: the guest's status and headers, then the runtime's own.

import { describe, expect, it } from "vitest";
import type { InvokeResult } from "../../src/runtime/index.ts";
import { GUEST_CONTENT_POLICY, invocationResponse } from "../../src/api/invoke-function.ts";

function result(overrides: Partial<InvokeResult> = {}): InvokeResult {
  return {
    output: new TextEncoder().encode("out"),
    fuelUsed: 252,
    memoryPages: 1,
    durationMs: 1.23456,
    region: "wnam",
    sha256: "ab".repeat(32),
    version: 3,
    logs: [],
    leakedBlocks: 0,
    leakedBytes: 0,
    sandboxRuns: 1,
    hostCalls: { heliosdb_log: 2, heliosdb_output: 1 },
    requestId: "req-1",
    ...overrides,
  };
}

describe("invocationResponse", () => {
  it("answers 200 application/octet-stream with the output and every usage header", async () => {
    const response = invocationResponse(result({ deployment: 7 }), "POST", 64);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("out");
    expect(Object.fromEntries(response.headers)).toEqual({
      "content-type": "application/octet-stream",
      "content-security-policy": GUEST_CONTENT_POLICY,
      "x-helios-region": "wnam",
      "x-helios-sha256": "ab".repeat(32),
      "x-helios-version": "3",
      "x-helios-deployment": "7",
      "x-helios-fuel-used": "252",
      "x-helios-memory-pages": "1",
      "x-helios-duration-ms": "1.235",
      "x-helios-leaks": "0",
      "x-helios-sandbox-runs": "1",
      "x-helios-host-calls": "3",
      "x-helios-bytes-in": "64",
      "x-helios-bytes-out": "3",
      "x-helios-request-id": "req-1",
    });
  });

  it("keeps the guest's status and headers: its content type, every repeated value, and its policy beside the runtime's", () => {
    const response = invocationResponse(
      result({
        response: {
          status: 201,
          headers: [["content-type", "text/html"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["content-security-policy", "default-src 'self'"]],
        },
      }),
      "POST",
      0,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("text/html");
    // Iteration yields each set-cookie value on its own (Fetch standard, "sort and combine").
    expect([...response.headers].filter(([name]) => name === "set-cookie").map(([, value]) => value)).toEqual(["a=1", "b=2"]);
    expect(response.headers.get("content-security-policy")).toBe(`${GUEST_CONTENT_POLICY}, default-src 'self'`);
    expect(response.headers.has("x-helios-deployment")).toBe(false);
  });

  it("sends no body for HEAD and for the null-body statuses", async () => {
    for (const [method, status] of [["HEAD", 200], ["POST", 204], ["POST", 304]] as const) {
      const response = invocationResponse(result({ response: { status, headers: [] } }), method, 0);
      expect(response.status).toBe(status);
      expect(response.body).toBeNull();
      expect(response.headers.get("x-helios-bytes-out")).toBe("3");
    }
  });

  it("answers a guest that set no head the same way every time, with no deployment header when none served it", async () => {
    const first = invocationResponse(result({ deployment: 7 }), "POST", 64);
    const second = invocationResponse(result({ fuelUsed: 9, requestId: "req-2", durationMs: 0.5 }), "POST", 5);
    expect(await first.text()).toBe("out");
    expect(second.headers.has("x-helios-deployment")).toBe(false);
    expect(Object.fromEntries(second.headers)).toMatchObject({ "x-helios-fuel-used": "9", "x-helios-request-id": "req-2", "x-helios-duration-ms": "0.500", "x-helios-bytes-in": "5" });
    // The first answer kept its own values: answers are copies, never the shared template itself.
    expect(first.headers.get("x-helios-request-id")).toBe("req-1");
    expect(first.headers.get("x-helios-deployment")).toBe("7");
    const head = invocationResponse(result({ deployment: 1 }), "HEAD", 0);
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect([...head.headers].length).toBe(15);
  });
});
