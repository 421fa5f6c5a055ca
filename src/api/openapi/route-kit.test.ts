import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../errors.ts";
import { parseQuery } from "./route-kit.ts";

const Query = z.object({
  region: z.string().optional(),
  mode: z.enum(["sync", "async"]).optional(),
  attempts: z.coerce.number().int().min(1).max(20).optional(),
});

function refusal(search: string): unknown {
  try {
    parseQuery(Query, new URLSearchParams(search));
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).issues.map((issue) => issue.field);
  }
  throw new Error(`"${search}" was accepted`);
}

describe("parseQuery", () => {
  it("answers the parsed query: absent names stay absent, coercions apply, unknown names are ignored", () => {
    expect(parseQuery(Query, new URLSearchParams(""))).toEqual({});
    expect(parseQuery(Query, new URLSearchParams("region=weur&mode=async&attempts=3&other=1"))).toEqual({ region: "weur", mode: "async", attempts: 3 });
  });

  it("refuses a bad value as invalid_request naming the field", () => {
    expect(refusal("mode=sideways")).toEqual(["mode"]);
    expect(refusal("attempts=0")).toEqual(["attempts"]);
  });

  it("refuses a name given twice for a single value, as the validator middleware does (a repeated name is a list)", () => {
    expect(refusal("region=wnam&region=weur")).toEqual(["region"]);
  });
});
