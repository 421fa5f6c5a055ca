import { describe, expect, it } from "vitest";
import { HostStatus } from "../sandbox/index.ts";
import { CHAIN_DEADLINE_MS, extendChain, MAX_CALL_DEPTH, rootChain } from "./call-chain.ts";

describe("call chain", () => {
  const now = 1_000_000;

  it("grows one function per call and keeps the root's deadline", () => {
    const root = rootChain("a", "req-1", now);
    expect(root).toEqual({ functions: ["a"], deadline: now + CHAIN_DEADLINE_MS, requestId: "req-1" });
    expect(extendChain(root, "b", now + 5)).toEqual({ functions: ["a", "b"], deadline: root.deadline, requestId: "req-1" });
  });

  it("refuses A -> A and A -> B -> A as cycles", () => {
    const root = rootChain("a", "req-1", now);
    expect(extendChain(root, "a", now)).toBe(HostStatus.callCycle);
    const ab = extendChain(root, "b", now);
    expect(typeof ab).toBe("object");
    expect(extendChain(ab as Exclude<typeof ab, number>, "a", now)).toBe(HostStatus.callCycle);
  });

  it(`allows ${MAX_CALL_DEPTH} functions on a chain and refuses one more`, () => {
    let chain = rootChain("f0", "req-1", now);
    for (let i = 1; i < MAX_CALL_DEPTH; i++) {
      const next = extendChain(chain, `f${i}`, now);
      if (typeof next === "number") throw new Error(`refused at ${i}: ${next}`);
      chain = next;
    }
    expect(chain.functions).toHaveLength(MAX_CALL_DEPTH);
    expect(extendChain(chain, "one-more", now)).toBe(HostStatus.callDepthExceeded);
  });

  it("refuses a call once the deadline has passed", () => {
    const root = rootChain("a", "req-1", now);
    expect(extendChain(root, "b", root.deadline - 1)).not.toBe(HostStatus.deadlineExceeded);
    expect(extendChain(root, "b", root.deadline)).toBe(HostStatus.deadlineExceeded);
  });
});
