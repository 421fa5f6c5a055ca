import { describe, expect, it } from "vitest";
import { FUNCTION_NAME } from "../api/manifest.ts";
import { checkTriggerSpec, TRIGGER_FUNCTION_NAME } from "./trigger-registry.ts";

describe("checkTriggerSpec", () => {
  it("accepts a BEFORE registration and orders its events", () => {
    expect(checkTriggerSpec({ table: "orders", events: ["update", "insert"], function: "validate-order", timing: "before" })).toEqual({
      ok: true,
      spec: { table: "orders", events: ["insert", "update"], function: "validate-order", timing: "before" },
    });
  });

  it("names every offending field", () => {
    const checked = checkTriggerSpec({ table: "", events: ["insert", "truncate"], function: "a_b", timing: "later", extra: 1 });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.issues.map((i) => i.field).sort()).toEqual(["events", "extra", "function", "table", "timing"]);
    expect(checkTriggerSpec(null)).toMatchObject({ ok: false, issues: [{ field: "body" }] });
    expect(checkTriggerSpec({ table: "t", events: "insert", function: "f", timing: "before" })).toMatchObject({ ok: false, issues: [{ field: "events" }] });
  });

  it("uses the deploy API's function-name pattern", () => {
    expect(TRIGGER_FUNCTION_NAME.source).toBe(FUNCTION_NAME.source);
  });
});
