import { describe, expect, it } from "vitest";
import { CHAIN_DEADLINE_MS, extendChain, MAX_CALL_DEPTH, rootChain } from "./call-chain.ts";
import { afterAttempt, INVOCATION_DEADLINE_MS, invocationDeadline, lineageChain, MAX_SANDBOX_RUNS_PER_REQUEST, RunBudget } from "./call-tree.ts";

describe("call tree budget", () => {
  it("hands each callee what is left and counts what comes back, the invocation itself included", () => {
    const budget = new RunBudget(MAX_SANDBOX_RUNS_PER_REQUEST);
    expect(budget.used).toBe(1);
    expect(budget.available).toBe(MAX_SANDBOX_RUNS_PER_REQUEST - 1);
    budget.spend(30, budget.available);
    expect(budget.available).toBe(MAX_SANDBOX_RUNS_PER_REQUEST - 31);
    budget.spend(1, budget.available);
    expect(budget.used).toBe(32);
  });

  it("never goes below zero, and counts a callee that did not answer as having used all it was handed", () => {
    const budget = new RunBudget(5);
    const handed = budget.available;
    budget.spend(Number.NaN, handed);
    expect(budget.available).toBe(0);
    expect(budget.used).toBe(5);
    // A callee claiming more than it was handed is counted as using what it was handed.
    const other = new RunBudget(5);
    other.spend(1000, other.available);
    expect(other.used).toBe(5);
    other.spend(-3, 0);
    expect(other.used).toBe(5);
  });

  it("a subtree handed one run has nothing for callees", () => {
    expect(new RunBudget(1).available).toBe(0);
  });

  it("the invocation deadline is the chain's or INVOCATION_DEADLINE_MS from now, whichever comes first", () => {
    const chain = rootChain("a", "req-1", 1_000);
    expect(invocationDeadline(chain, 1_000)).toBe(Math.min(chain.deadline, 1_000 + INVOCATION_DEADLINE_MS));
    expect(invocationDeadline(chain, chain.deadline - 10)).toBe(chain.deadline);
  });

  it("gives a queued child its caller's chain with a fresh deadline, and takes each attempt's usage off its share", () => {
    const chain = lineageChain({ ancestors: ["a", "b"], runs: 10, fuel: 1_000 }, "c", "req-2", 5_000);
    expect(chain).toEqual({ functions: ["a", "b", "c"], deadline: 5_000 + CHAIN_DEADLINE_MS, requestId: "req-2" });
    // Cycles and depth hold across the queue: the child's own calls extend that chain.
    expect(extendChain(chain, "a", 5_000)).toBe(-14);
    expect(chain.functions.length + 1).toBe(MAX_CALL_DEPTH);
    expect(extendChain(extendChain(chain, "d", 5_000) as typeof chain, "e", 5_000)).toBe(-13);
    const lineage = { ancestors: ["a"], runs: 10, fuel: 1_000 };
    expect(afterAttempt(lineage, 3, 400)).toEqual({ ancestors: ["a"], runs: 7, fuel: 600 });
    expect(afterAttempt(lineage, 30, 4_000)).toEqual({ ancestors: ["a"], runs: 0, fuel: 0 });
    // Usage the attempt could not report counts as everything it had.
    expect(afterAttempt(lineage, Number.NaN, -1)).toEqual({ ancestors: ["a"], runs: 0, fuel: 0 });
  });
});
