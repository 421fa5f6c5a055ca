import { describe, expect, it } from "vitest";
import { addValue, DURATION_BOUNDS_MS, emptyHistogram, FUEL_BOUNDS, mergeHistogram, quantile } from "./histogram.ts";

describe("fixed-bin histograms", () => {
  it("bounds follow a 1-2-5 series, increasing", () => {
    expect(DURATION_BOUNDS_MS.slice(0, 6)).toEqual([0.1, 0.2, 0.5, 1, 2, 5]);
    expect(FUEL_BOUNDS[0]).toBe(1_000);
    for (const bounds of [DURATION_BOUNDS_MS, FUEL_BOUNDS]) for (let i = 1; i < bounds.length; i++) expect(bounds[i]!).toBeGreaterThan(bounds[i - 1]!);
  });

  it("a percentile is its bin's upper bound, capped by the largest value seen", () => {
    const h = emptyHistogram(DURATION_BOUNDS_MS);
    for (let i = 0; i < 90; i++) addValue(h, DURATION_BOUNDS_MS, 3); // bin (2, 5]
    for (let i = 0; i < 10; i++) addValue(h, DURATION_BOUNDS_MS, 40); // bin (20, 50]
    expect(quantile(h, DURATION_BOUNDS_MS, 0.5)).toBe(5);
    expect(quantile(h, DURATION_BOUNDS_MS, 0.9)).toBe(5);
    expect(quantile(h, DURATION_BOUNDS_MS, 0.95)).toBe(40);
    expect(quantile(emptyHistogram(DURATION_BOUNDS_MS), DURATION_BOUNDS_MS, 0.5)).toBe(0);
  });

  it("values past the last bound report the largest seen; merging adds bin by bin", () => {
    const a = emptyHistogram(FUEL_BOUNDS);
    const b = emptyHistogram(FUEL_BOUNDS);
    addValue(a, FUEL_BOUNDS, 10);
    addValue(b, FUEL_BOUNDS, 9e10);
    mergeHistogram(a, b);
    expect(a.counts.reduce((s, n) => s + n, 0)).toBe(2);
    // 10 lies in the first bin, reported as its upper bound.
    expect(quantile(a, FUEL_BOUNDS, 0.5)).toBe(1_000);
    expect(quantile(a, FUEL_BOUNDS, 0.99)).toBe(9e10);
  });
});
