// The scope table: what each kind of caller may do, including the prefix rule and the admin/anonymous extremes.

import { describe, expect, it } from "vitest";
import type { TokenScope } from "../registry/index.ts";
import type { Principal } from "./auth.ts";
import { allows, authorize, type Permission } from "./permissions.ts";

const token = (scope: TokenScope, prefix = ""): Principal => ({
  kind: "token",
  token: { id: "tok_0000000000000000", name: "", scope, prefix, createdAt: "" },
});

const fn = (action: "read" | "deploy" | "invoke", functionName: string): Permission => ({ action, functionName });

describe("permissions", () => {
  it("admin may do everything, no token nothing that needs a permission", () => {
    for (const permission of [fn("deploy", "x"), { action: "admin" } as const, { action: "list" } as const]) {
      expect(allows({ kind: "admin" }, permission)).toBe(true);
      expect(allows({ kind: "anonymous" }, permission)).toBe(false);
    }
    expect(() => authorize({ kind: "anonymous" }, { action: "list" })).toThrow(expect.objectContaining({ code: "unauthorized" }));
  });

  it("deploy reaches functions under its prefix only, and no admin or database route", () => {
    const deploy = token("deploy", "team-");
    for (const action of ["read", "deploy", "invoke"] as const) {
      expect(allows(deploy, fn(action, "team-api"))).toBe(true);
      expect(allows(deploy, fn(action, "other"))).toBe(false);
      expect(allows(deploy, fn(action, "tea"))).toBe(false);
    }
    expect(allows(deploy, { action: "list" })).toBe(true);
    expect(allows(deploy, { action: "read_any" })).toBe(false);
    expect(allows(deploy, { action: "admin" })).toBe(false);
    expect(() => authorize(deploy, fn("deploy", "other"))).toThrow(expect.objectContaining({ code: "forbidden", scope: "deploy", functionName: "other" }));
  });

  it("read reads everything and changes nothing; invoke only invokes under its prefix", () => {
    const read = token("read");
    expect([fn("read", "any"), { action: "list" } as const, { action: "read_any" } as const].every((p) => allows(read, p))).toBe(true);
    expect([fn("deploy", "any"), fn("invoke", "any"), { action: "admin" } as const].some((p) => allows(read, p))).toBe(false);
    const invoke = token("invoke", "pay-");
    expect(allows(invoke, fn("invoke", "pay-api"))).toBe(true);
    expect(allows(invoke, fn("invoke", "web"))).toBe(false);
    expect(allows(invoke, fn("read", "pay-api"))).toBe(false);
    expect(allows(invoke, { action: "list" })).toBe(false);
    expect(allows(token("invoke"), fn("invoke", "anything"))).toBe(true);
  });
});
