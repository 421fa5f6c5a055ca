// The module fuzzer's case runner (npm run fuzz): reproducible from (run seed, index) alone, and clean on a sample.

import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { caseSeed, loadCorpus, runCase } from "../support/module-fuzz.ts";

const repoRoot = resolve(import.meta.dirname, "../..");

describe("module fuzz cases", () => {
  it("replay exactly from (run seed, index), independent of order", async () => {
    const corpus = await loadCorpus(repoRoot);
    expect(corpus.length).toBeGreaterThan(20);
    const forward = [0, 1, 2, 3, 4].map((i) => runCase(corpus, 77, i));
    const backward = [4, 3, 2, 1, 0].map((i) => runCase(corpus, 77, i)).reverse();
    expect(backward).toEqual(forward);
    expect(new Set([0, 1, 2, 3, 4].map((i) => caseSeed(77, i))).size).toBe(5);
    expect(caseSeed(77, 0)).not.toBe(caseSeed(78, 0));
  });

  it("2,000 cases of a fixed run: no crash, no invalid output, and both verdicts occur", async () => {
    const corpus = await loadCorpus(repoRoot);
    const results = Array.from({ length: 2_000 }, (_, i) => runCase(corpus, 40403880, i));
    expect(results.filter((r) => r.problem !== null).map((r) => `${r.source} [${r.steps.join("; ")}]: ${r.problem}`)).toEqual([]);
    expect(results.some((r) => r.outcome === "deployed")).toBe(true);
    expect(results.some((r) => r.outcome === "refused")).toBe(true);
    expect(results.some((r) => r.v8Valid)).toBe(true);
  });
});
