import { describe, expect, it } from "vitest";
import { requestIdFrom } from "./request-id.ts";

describe("requestIdFrom", () => {
  it("keeps a valid incoming id", () => {
    expect(requestIdFrom("trace-123.abc:9_Z")).toBe("trace-123.abc:9_Z");
  });

  it("mints a UUID for an absent, empty, too long or malformed id", () => {
    for (const bad of [undefined, null, "", "x".repeat(129), "has space", "new\nline", "ünï"]) {
      const id = requestIdFrom(bad);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(id).not.toBe(bad);
    }
  });

  it("mints a different id each time", () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
