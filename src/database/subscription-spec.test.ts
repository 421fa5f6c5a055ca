import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS_CEILING } from "../runtime/retry-schedule.ts";
import { checkSubscriptionSpec, DEFAULT_BATCH_SIZE, DEFAULT_MAX_LAG, MAX_BATCH_SIZE, MAX_LAG_CEILING } from "./subscription-spec.ts";

describe("checkSubscriptionSpec", () => {
  it("fills in the defaults", () => {
    expect(checkSubscriptionSpec({ function: "feed" })).toEqual({
      ok: true,
      spec: { function: "feed", tables: null, events: ["insert", "update", "delete"], batchSize: DEFAULT_BATCH_SIZE, maxAttempts: 5, onFailure: "dead_letter", includeOwnWrites: false, maxLag: DEFAULT_MAX_LAG },
    });
  });

  it("keeps what was given, events in canonical order and tables without repeats", () => {
    const checked = checkSubscriptionSpec({ function: "feed", tables: ["orders", "orders"], events: ["schema", "insert"], batchSize: 1, maxAttempts: 2, onFailure: "block", includeOwnWrites: true, maxLag: 7 });
    expect(checked).toEqual({ ok: true, spec: { function: "feed", tables: ["orders"], events: ["insert", "schema"], batchSize: 1, maxAttempts: 2, onFailure: "block", includeOwnWrites: true, maxLag: 7 } });
  });

  it.each([
    [null, "body"],
    [[], "body"],
    [{}, "function"],
    [{ function: "Bad Name" }, "function"],
    [{ function: "f", extra: 1 }, "extra"],
    [{ function: "f", tables: [] }, "tables"],
    [{ function: "f", tables: [""] }, "tables"],
    [{ function: "f", events: ["truncate"] }, "events"],
    [{ function: "f", events: ["insert", "insert"] }, "events"],
    [{ function: "f", batchSize: 0 }, "batchSize"],
    [{ function: "f", batchSize: MAX_BATCH_SIZE + 1 }, "batchSize"],
    [{ function: "f", batchSize: 1.5 }, "batchSize"],
    [{ function: "f", maxAttempts: MAX_ATTEMPTS_CEILING + 1 }, "maxAttempts"],
    [{ function: "f", onFailure: "retry" }, "onFailure"],
    [{ function: "f", includeOwnWrites: "yes" }, "includeOwnWrites"],
    [{ function: "f", maxLag: 0 }, "maxLag"],
    [{ function: "f", maxLag: MAX_LAG_CEILING + 1 }, "maxLag"],
  ])("refuses %j naming %s", (body, field) => {
    const checked = checkSubscriptionSpec(body);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues.map((i) => i.field)).toContain(field);
  });
});
