import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelay, retryDelayBound, type RetryPolicy } from "./retry-schedule.ts";

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 1_000, minDelayMs: 10, maxAttempts: 6 };

describe("retryDelay", () => {
  it("doubles the bound with every failure up to the cap", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n, top))).toEqual([99, 199, 399, 799, 999]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelayBound(policy, n))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it("jitters below the bound and never under the floor", () => {
    expect(retryDelay(policy, 3, () => 0)).toBe(10);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(200);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 1; n < policy.maxAttempts; n++) {
      for (let i = 0; i < 200; i++) {
        const delay = retryDelay(policy, n, random)!;
        expect(delay).toBeGreaterThanOrEqual(policy.minDelayMs);
        expect(delay).toBeLessThanOrEqual(retryDelayBound(policy, n));
      }
    }
  });

  it("answers null once the attempts are used up", () => {
    expect(retryDelay(policy, 5, () => 0.5)).not.toBeNull();
    expect(retryDelay(policy, 6, () => 0.5)).toBeNull();
    expect(retryDelay({ ...DEFAULT_RETRY_POLICY, maxAttempts: 1 }, 1)).toBeNull();
  });

  it("refuses a failure count that is not a positive integer", () => {
    expect(() => retryDelay(policy, 0)).toThrow(RangeError);
    expect(() => retryDelay(policy, 1.5)).toThrow(RangeError);
  });

  it("stays finite for huge attempt numbers", () => {
    expect(retryDelay({ ...policy, maxAttempts: 10_000 }, 5_000, () => 0.999)).toBe(999);
  });
});
