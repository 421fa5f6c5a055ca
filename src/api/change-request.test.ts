import { describe, expect, it } from "vitest";
import { parseChangeQuery } from "./change-request.ts";

const fieldOf = (query: Record<string, string>) => {
  try {
    parseChangeQuery(query);
    return null;
  } catch (error) {
    return { code: (error as { code: string }).code, field: (error as { field: string }).field };
  }
};

describe("change stream query", () => {
  it("has defaults: from the start, 100 entries, no wait", () => {
    expect(parseChangeQuery({})).toEqual({ after: 0, limit: 100, waitMs: 0 });
  });

  it("reads after, limit and wait (seconds, with up to 3 decimals)", () => {
    expect(parseChangeQuery({ after: "42", limit: "1000", wait: "0.25" })).toEqual({ after: 42, limit: 1000, waitMs: 250 });
    expect(parseChangeQuery({ wait: "30" }).waitMs).toBe(30_000);
  });

  it.each([
    [{ after: "-1" }, "after"],
    [{ after: "1.5" }, "after"],
    [{ after: "abc" }, "after"],
    [{ limit: "0" }, "limit"],
    [{ limit: "1001" }, "limit"],
    [{ wait: "31" }, "wait"],
    [{ wait: "-1" }, "wait"],
    [{ wait: "1e3" }, "wait"],
  ])("refuses %o naming %s", (query, field) => {
    expect(fieldOf(query)).toEqual({ code: "invalid_request", field });
  });
});
