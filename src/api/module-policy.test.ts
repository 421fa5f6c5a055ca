import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, LIMIT_CEILINGS } from "../runtime/limits.ts";
import { MAX_CONFIG_ENTRIES, MAX_CONFIG_VALUE_CHARS } from "./manifest.ts";
import { MAX_MODULE_BYTES, MULTIPART_OVERHEAD_BYTES, STRUCTURAL_LIMITS } from "../services/module-policy.ts";

const limitsDoc = readFileSync(new URL("../../docs/limits.md", import.meta.url), "utf8");
const section = (title: string) => limitsDoc.split(`## ${title}`)[1]?.split("\n## ")[0] ?? "";
const count = (n: number) => n.toLocaleString("en-US");
const bytes = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n / 1024} KiB`);

describe("docs/limits.md states the limits the code enforces", () => {
  it("deploy caps", () => {
    const doc = section("Deploy caps");
    expect(doc).toContain(`| module size | ${bytes(MAX_MODULE_BYTES)}`);
    expect(doc).toContain(`module cap + ${bytes(MULTIPART_OVERHEAD_BYTES)}`);
    expect(doc).toContain(`| functions (incl. imported) | ${count(STRUCTURAL_LIMITS.maxFunctions)} |`);
    expect(doc).toContain(`| locals per function | ${count(STRUCTURAL_LIMITS.maxLocalsPerFunction)} |`);
    expect(doc).toContain(`| tables / table elements | ${STRUCTURAL_LIMITS.maxTables} / ${count(STRUCTURAL_LIMITS.maxTableElements)} |`);
    expect(doc).toContain(`| data segments | ${count(STRUCTURAL_LIMITS.maxDataSegments)} |`);
    expect(doc).toContain(`| globals | ${count(STRUCTURAL_LIMITS.maxGlobals)} |`);
    expect(doc).toContain(`${MAX_CONFIG_ENTRIES} entries`);
    expect(doc).toContain(`${count(MAX_CONFIG_VALUE_CHARS)} characters`);
  });

  it("per-function defaults and ceilings", () => {
    const doc = section("Per-function limits");
    expect(doc).toContain(`| \`fuel\` | ${count(DEFAULT_LIMITS.fuel)} | ${count(LIMIT_CEILINGS.fuel)} |`);
    expect(doc).toContain(`| \`maxMemoryPages\` (64 KiB) | ${DEFAULT_LIMITS.maxMemoryPages} (`);
    expect(doc).toContain(`| ${LIMIT_CEILINGS.maxMemoryPages} (`);
    expect(doc).toContain(`| \`maxPayloadBytes\` | ${bytes(DEFAULT_LIMITS.maxPayloadBytes)} | ${bytes(LIMIT_CEILINGS.maxPayloadBytes)} |`);
    expect(doc).toContain(`| \`maxResponseBytes\` | ${bytes(DEFAULT_LIMITS.maxResponseBytes)} | ${bytes(LIMIT_CEILINGS.maxResponseBytes)} |`);
  });
});
