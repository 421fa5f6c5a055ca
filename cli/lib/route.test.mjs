import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.mjs";
import { parseRoute, routeText } from "./route.mjs";

describe("parseRoute", () => {
  it("reads one version, with or without a v", () => {
    expect(parseRoute("3", "x")).toEqual({ version: 3 });
    expect(parseRoute("v12", "x")).toEqual({ version: 12 });
  });

  it("reads a split as version:percent pairs (the server checks they add up to 100)", () => {
    expect(parseRoute("3:90,2:10", "x")).toEqual({ versions: [{ version: 3, percent: 90 }, { version: 2, percent: 10 }] });
    expect(parseRoute("v3:33.5%, v2:66.5%", "x")).toEqual({ versions: [{ version: 3, percent: 33.5 }, { version: 2, percent: 66.5 }] });
  });

  it("refuses anything else as a usage error naming the command", () => {
    for (const bad of ["", "latest", "3:", "3:90,two:10", "-1"]) {
      expect(() => parseRoute(bad, "alias set")).toThrow(UsageError);
    }
  });
});

describe("routeText", () => {
  it("shows one version plainly and a split with its percentages", () => {
    expect(routeText([{ version: 3, percent: 100 }])).toBe("v3");
    expect(routeText([{ version: 3, percent: 90 }, { version: 2, percent: 10 }])).toBe("v3 90% · v2 10%");
    expect(routeText(null)).toBe("-");
  });
});
