import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../errors.ts";
import { parseQuery, QUERY_CACHE_ENTRIES, QueryParser, searchOf } from "./route-kit.ts";

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

describe("QueryParser", () => {
  it("answers what parseQuery answers, one frozen object per query string it has seen", () => {
    const parser = new QueryParser(Query);
    const first = parser.parse("region=weur&attempts=3");
    expect(first).toEqual(parseQuery(Query, new URLSearchParams("region=weur&attempts=3")));
    expect(Object.isFrozen(first)).toBe(true);
    expect(parser.parse("region=weur&attempts=3")).toBe(first);
    expect(parser.parse("region=wnam")).toEqual({ region: "wnam" });
    expect(parser.parse("")).toEqual({});
  });

  it("refuses a bad query every time it is sent, with a new error each time", () => {
    const parser = new QueryParser(Query);
    const errors = [0, 1].map(() => {
      try {
        parser.parse("mode=sideways");
      } catch (error) {
        return error;
      }
      throw new Error("accepted");
    });
    expect(errors[0]).toBeInstanceOf(InvalidRequestError);
    expect(errors[1]).toBeInstanceOf(InvalidRequestError);
    expect(errors[1]).not.toBe(errors[0]);
  });

  it("keeps at most QUERY_CACHE_ENTRIES answers, dropping the oldest first", () => {
    const parser = new QueryParser(Query);
    const oldest = parser.parse("attempts=1");
    for (let i = 0; i < QUERY_CACHE_ENTRIES; i++) parser.parse(`region=r${i}`);
    expect(parser.parse("attempts=1")).not.toBe(oldest);
    expect(parser.parse("attempts=1")).toEqual(oldest);
  });
});

describe("searchOf", () => {
  it("is the query string new URL(url).search gives, without its ?", () => {
    for (const url of ["http://h/p", "http://h/p?", "http://h/p?a=1&b=%20x", "http://h/p?a=1#frag", "http://h/p?q=a?b"]) {
      expect(searchOf(url)).toBe(new URL(url).search.slice(1));
    }
  });
});
