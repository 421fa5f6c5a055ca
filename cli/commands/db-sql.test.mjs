import { describe, expect, it } from "vitest";
import { UsageError } from "../lib/errors.mjs";
import { cellText, jsonOrString, sqlParams } from "./db-sql.mjs";

describe("sqlParams", () => {
  it("reads each --param as JSON when it parses and as a string otherwise, in order", () => {
    expect(sqlParams({ param: ["42", "A1", "true", "null", '"42"', '{"$base64":"AAE="}'] })).toEqual([42, "A1", true, null, "42", { $base64: "AAE=" }]);
    expect(sqlParams({})).toEqual([]);
  });

  it("takes --params as a JSON array, and refuses anything else or both forms at once", () => {
    expect(sqlParams({ params: '[1, "a", null]' })).toEqual([1, "a", null]);
    expect(() => sqlParams({ params: '{"a":1}' })).toThrow(UsageError);
    expect(() => sqlParams({ params: "[1," })).toThrow(/must be a JSON array/);
    expect(() => sqlParams({ params: "[1]", param: ["2"] })).toThrow(/not both/);
  });
});

describe("cellText", () => {
  it("shows NULL for null, JSON for blobs, the value otherwise", () => {
    expect(cellText(null)).toBe("NULL");
    expect(cellText({ $base64: "AA==" })).toBe('{"$base64":"AA=="}');
    expect(cellText(1.5)).toBe("1.5");
    expect(jsonOrString("not json")).toBe("not json");
  });
});
