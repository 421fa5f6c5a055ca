import { describe, expect, it } from "vitest";
import type { InvocationOutcome } from "./invocation.ts";
import { callRequest, fromWire, sandboxCall, toWire } from "./sandbox-call.ts";

const plain: InvocationOutcome = { ok: true, output: new Uint8Array([1, 2, 3]).buffer, fuelUsed: 42, memoryPages: 1, logs: [], leakedBlocks: 0, leakedBytes: 0, hostCalls: {} };

describe("the sandbox call on the wire", () => {
  it("carries the request's fields and leaves absent ones absent", () => {
    const payload = new ArrayBuffer(4);
    const call = sandboxCall(payload, { fuel: 10, maxResponseBytes: 20 }, null);
    expect(call[0]).toBe(payload);
    expect(callRequest(call)).toStrictEqual({ fuel: 10, maxResponseBytes: 20 });
    const http = { method: "POST", path: "/", query: "?a=1", headers: [["x-a", "b"]] as [string, string][] };
    expect(callRequest(sandboxCall(payload, { fuel: 1, maxResponseBytes: 2, deadline: 3, http }, null))).toStrictEqual({ fuel: 1, maxResponseBytes: 2, deadline: 3, http });
  });

  it("sends a plain success as a triple and reads it back as the same outcome", () => {
    const wire = toWire(plain);
    expect(Array.isArray(wire)).toBe(true);
    expect(fromWire(structuredClone(wire))).toStrictEqual(plain);
  });

  it("sends every other outcome whole", () => {
    const others: InvocationOutcome[] = [
      { ...plain, logs: [{ level: "info", message: "hi" }] },
      { ...plain, leakedBlocks: 1, leakedBytes: 8 },
      { ...plain, hostCalls: { heliosdb_log: 1 } },
      { ...plain, response: { status: 201, headers: [] } },
      { ok: false, error: { code: "guest_trap", message: "unreachable", details: {} }, fuelUsed: 5, memoryPages: 1, logs: [], leakedBlocks: 0, leakedBytes: 0, hostCalls: {} },
    ];
    for (const outcome of others) {
      expect(toWire(outcome)).toBe(outcome);
      expect(fromWire(structuredClone(toWire(outcome)))).toStrictEqual(outcome);
    }
  });
});
