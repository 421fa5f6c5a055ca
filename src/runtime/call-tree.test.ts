import { describe, expect, it } from "vitest";
import { rootChain } from "./call-chain.ts";
import { INVOCATION_DEADLINE_MS, invocationDeadline, MAX_SANDBOX_RUNS_PER_REQUEST, RunBudget } from "./call-tree.ts";

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
});
