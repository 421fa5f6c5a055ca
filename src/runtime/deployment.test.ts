import { describe, expect, it } from "vitest";
import { orderRoute, pickVersion, routeProblem, routedVersions, sameRoute, splitPoint } from "./deployment.ts";

describe("routes", () => {
  it("orders shares largest first, the newer version first on a tie", () => {
    expect(orderRoute([{ version: 1, percent: 10 }, { version: 2, percent: 90 }])).toEqual([{ version: 2, percent: 90 }, { version: 1, percent: 10 }]);
    expect(orderRoute([{ version: 1, percent: 50 }, { version: 3, percent: 50 }])[0].version).toBe(3);
    expect(sameRoute([{ version: 1, percent: 10 }, { version: 2, percent: 90 }], [{ version: 2, percent: 90 }, { version: 1, percent: 10 }])).toBe(true);
  });

  it("names what is wrong with a route", () => {
    expect(routeProblem([{ version: 1, percent: 100 }])).toBeNull();
    expect(routeProblem([{ version: 1, percent: 33.5 }, { version: 2, percent: 66.5 }])).toBeNull();
    expect(routeProblem([])).toMatch(/at least one/);
    expect(routeProblem([{ version: 1, percent: 50 }, { version: 1, percent: 50 }])).toMatch(/twice/);
    expect(routeProblem([{ version: 1, percent: 90 }, { version: 2, percent: 20 }])).toMatch(/add up to 100/);
    expect(routeProblem([{ version: 1, percent: 0 }, { version: 2, percent: 100 }])).toMatch(/above 0/);
  });

  it("lists every routed version once", () => {
    expect(routedVersions({ default: [{ version: 3, percent: 100 }], aliases: { a: [{ version: 3, percent: 50 }, { version: 1, percent: 50 }] } }).sort()).toEqual([1, 3]);
    expect(routedVersions(null)).toEqual([]);
  });
});

describe("splits", () => {
  const split = [{ version: 1, percent: 90 }, { version: 2, percent: 10 }];
  it("lays the shares end to end on [0, 1)", () => {
    expect(pickVersion(split, 0)).toBe(1);
    expect(pickVersion(split, 0.8999)).toBe(1);
    expect(pickVersion(split, 0.9)).toBe(2);
    expect(pickVersion(split, 0.99999)).toBe(2);
  });

  it("gives one routing key one point, and spreads many keys evenly", () => {
    expect(splitPoint("user-42")).toBe(splitPoint("user-42"));
    const points = Array.from({ length: 10_000 }, (_, i) => splitPoint(`user-${i}`));
    expect(points.every((p) => p >= 0 && p < 1)).toBe(true);
    const tenths = new Array(10).fill(0);
    for (const p of points) tenths[Math.floor(p * 10)]++;
    // 1,000 expected per tenth; the standard deviation is 30, so 850..1150 is five of them.
    for (const n of tenths) expect(n).toBeGreaterThan(850), expect(n).toBeLessThan(1150);
    const v2 = points.filter((p) => pickVersion(split, p) === 2).length;
    expect(v2).toBeGreaterThan(850);
    expect(v2).toBeLessThan(1150);
  });

  it("uses the random source without a key", () => {
    expect(splitPoint(undefined, () => 0.25)).toBe(0.25);
    expect(splitPoint("", () => 0.75)).toBe(0.75);
  });
});
