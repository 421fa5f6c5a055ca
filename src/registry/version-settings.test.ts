import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type FunctionVersion } from "../runtime/index.ts";
import { settingsKey } from "./version-settings.ts";

const version: FunctionVersion = {
  name: "f",
  version: 1,
  sha256: "a".repeat(64),
  instrumentedSha256: "b".repeat(64),
  moduleKey: "instrumented/b.wasm",
  regions: ["wnam"],
  profile: ["minimal"],
  limits: { ...DEFAULT_LIMITS },
  config: { a: "1", b: "2" },
  allowedHosts: [],
  private: false,
  deployedAt: "2026-01-01T00:00:00.000Z",
};

describe("settingsKey", () => {
  it("ignores what the registry and the instrumenter derive, and the order of fields", () => {
    const other = { ...version, version: 7, deployedAt: "later", instrumentedSha256: "c", moduleKey: "k", config: { b: "2", a: "1" } };
    expect(settingsKey(other)).toBe(settingsKey(version));
  });

  it("reads a missing allowedHosts (versions stored before it existed) as the default", () => {
    const { allowedHosts: _hosts, ...old } = version;
    expect(settingsKey(old)).toBe(settingsKey(version));
  });

  it("tells every setting and the bytes apart", () => {
    const changes: Partial<FunctionVersion>[] = [
      { sha256: "d".repeat(64) },
      { regions: ["wnam", "weur"] },
      { profile: ["compute"] },
      { limits: { ...DEFAULT_LIMITS, fuel: 1 } },
      { config: { a: "1" } },
      { allowedHosts: ["api.example.com"] },
      { private: true },
      { tag: "x" },
    ];
    for (const change of changes) expect(settingsKey({ ...version, ...change }), JSON.stringify(change)).not.toBe(settingsKey(version));
  });
});
