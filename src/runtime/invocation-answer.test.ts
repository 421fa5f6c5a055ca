import { describe, expect, it } from "vitest";
import type { InvocationOutcome, InvocationUsage } from "../sandbox/index.ts";
import type { FunctionVersion } from "./function-version.ts";
import { invokeResultOf, SerializedFailure, settleRpc } from "./invocation-answer.ts";

const record = { name: "f", version: 3, sha256: "ab".repeat(32) } as FunctionVersion;
const usage: InvocationUsage = { fuelUsed: 120, memoryPages: 2, logs: [{ level: "info", message: "hi" }], leakedBlocks: 1, leakedBytes: 16, hostCalls: { heliosdb_log: 1 } };
const run = { region: "wnam", durationMs: 1.5, sandboxRuns: 2, requestId: "req-1" };

describe("invokeResultOf", () => {
  it("answers a success with its usage, where it ran, and a head only when the guest set one", () => {
    const output = new TextEncoder().encode("out").buffer as ArrayBuffer;
    const plain = invokeResultOf({ ok: true, output, ...usage }, record, run);
    expect(plain).toEqual({
      output: new TextEncoder().encode("out"), fuelUsed: 120, memoryPages: 2, durationMs: 1.5, region: "wnam", sha256: record.sha256, version: 3,
      logs: usage.logs, leakedBlocks: 1, leakedBytes: 16, sandboxRuns: 2, hostCalls: { heliosdb_log: 1 }, requestId: "req-1",
    });
    expect("response" in plain).toBe(false);
    const head = { status: 201, headers: [["x-a", "1"]] } as NonNullable<Extract<InvocationOutcome, { ok: true }>["response"]>;
    expect(invokeResultOf({ ok: true, output, response: head, ...usage }, record, run).response).toEqual(head);
  });

  it("throws a failure carrying what the guest did before it, which settleRpc answers unchanged", async () => {
    const error = { code: "out_of_fuel", message: "ran out", details: { limit: 100 } };
    const failed: InvocationOutcome = { ok: false, error, ...usage };
    expect(() => invokeResultOf(failed, record, run)).toThrow(SerializedFailure);
    const answer = await settleRpc(() => invokeResultOf(failed, record, run), "x_internal_error");
    expect(answer).toEqual({
      ok: false,
      error: { code: "out_of_fuel", message: "ran out", details: { limit: 100, fuelUsed: 120, memoryPages: 2, logs: usage.logs, leakedBlocks: 1, leakedBytes: 16, hostCalls: { heliosdb_log: 1 }, sandboxRuns: 2 } },
    });
  });

  it("settleRpc answers anything else under the internal code it is given", async () => {
    const answer = await settleRpc(() => {
      throw new Error("boom");
    }, "x_internal_error");
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error.code).toBe("x_internal_error");
    expect(await settleRpc(async () => 7, "x_internal_error")).toEqual({ ok: true, value: 7 });
  });
});
