// The _headers file the dashboard's answers carry: parsed into [name, value] pairs, with anything the Worker would not
// apply (another rule than /*, a line without a colon) refused at build time instead of silently dropped.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHeaders } from "./build-dashboard.mjs";

describe("parseHeaders", () => {
  it("reads the dashboard's own _headers: every header of the /* rule, comments skipped", () => {
    const headers = parseHeaders(readFileSync("dashboard/public/_headers", "utf8"));
    const byName = new Map(headers);
    expect(byName.get("Content-Security-Policy")).toMatch(/^default-src 'self'; script-src 'self';.*frame-ancestors 'none'$/);
    expect(byName.get("X-Frame-Options")).toBe("DENY");
    expect(byName.get("Cache-Control")).toBe("no-cache");
    expect(headers.every(([name, value]) => /^[A-Za-z-]+$/.test(name) && value.length > 0 && !value.includes("#"))).toBe(true);
  });

  it("keeps a colon inside a value, and trims around the separator", () => {
    expect(parseHeaders("/*\n  Link: <https://a.example/x>; rel=preload\n")).toEqual([["Link", "<https://a.example/x>; rel=preload"]]);
  });

  it("refuses another rule than /*, and a header line without a colon", () => {
    expect(() => parseHeaders("/app.js\n  X-A: b\n")).toThrow(/only \/\*/);
    expect(() => parseHeaders("/*\n  no colon here\n")).toThrow(/malformed/);
    expect(() => parseHeaders("  X-A: b\n")).toThrow(/malformed/);
  });
});
