import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as regionErrors from "../regions/errors.ts";
import * as runtimeErrors from "../runtime/errors.ts";
import * as wasmErrors from "../wasm/errors.ts";
import { errorResponse, STATUS_BY_CODE } from "./error-response.ts";
import * as apiErrors from "./errors.ts";

/** One instance of every concrete error class the HTTP layer can meet, with realistic fields. */
const INSTANCES: Error[] = [
  apiErrors.InvalidRequestError.of("limits.fuel", "must be positive"),
  new apiErrors.UnauthorizedError(),
  new apiErrors.UnsupportedMediaTypeError("text/plain", ["application/wasm"]),
  new apiErrors.ModuleTooLargeError(4),
  new apiErrors.PayloadTooLargeError(8),
  new apiErrors.HashMismatchError("a".repeat(64), "b".repeat(64)),
  new apiErrors.BadModuleError("bad magic", 0),
  new apiErrors.NotFoundError("GET", "/x"),
  new apiErrors.InstrumentationFailedError(),
  new apiErrors.ActivationFailedError("f", 2, ["weur"]),
  new wasmErrors.MalformedModuleError("bad", 3),
  new wasmErrors.UnsupportedFeatureError("threads", 9),
  new wasmErrors.PolicyViolationError([{ rule: "memory_pages", message: "too big" }]),
  new wasmErrors.OutOfFuelError(10n),
  new runtimeErrors.PayloadTooLargeError(2, 1),
  new runtimeErrors.NotDeployedInRegionError("f", "weur"),
  new runtimeErrors.UnknownFunctionError("f"),
  new runtimeErrors.UnauthorizedInvocationError("f"),
  new runtimeErrors.SandboxInternalError("boom"),
  new runtimeErrors.OutOfFuelInvocationError(5),
  new runtimeErrors.MemoryLimitError(16, "unreachable"),
  new runtimeErrors.GuestTrapError("unreachable"),
  new runtimeErrors.GuestAbiViolationError("bad block"),
  new runtimeErrors.InvalidGuestOutputError(1, 2, 3),
  new runtimeErrors.ResponseTooLargeError(2, 1),
  new regionErrors.ModuleMissingError("k"),
  new regionErrors.ModuleDigestMismatchError("k", "a", "b"),
];

function concreteErrorClasses(...modules: Record<string, unknown>[]): string[] {
  return modules
    .flatMap((m) => Object.values(m))
    .filter((v): v is new (...args: never[]) => Error => typeof v === "function" && v.prototype instanceof Error)
    .filter((cls) => !Object.getOwnPropertyNames(cls.prototype).includes("code") && cls.length >= 0)
    .map((cls) => cls.name);
}

describe("errorResponse", () => {
  it("covers every error class the layers export", () => {
    const abstract = new Set(["ApiError", "WasmError", "RuntimeError", "InvocationError", "RegionError"]);
    const exported = concreteErrorClasses(apiErrors, wasmErrors, runtimeErrors, regionErrors).filter((n) => !abstract.has(n));
    expect(new Set(INSTANCES.map((e) => e.constructor.name))).toEqual(new Set(exported));
  });

  it("answers each with its code's status and the JSON error shape, fields included", async () => {
    for (const error of INSTANCES) {
      const code = (error as unknown as { code: string }).code;
      const response = errorResponse(error);
      expect(response.status, code).toBe(STATUS_BY_CODE[code]);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe(error.message);
      expect(body.error).not.toHaveProperty("stack");
    }
    const fuel = (await errorResponse(new wasmErrors.OutOfFuelError(10n)).json()) as { error: Record<string, unknown> };
    expect(fuel.error.budget).toBe("10");
    const invalid = (await errorResponse(apiErrors.InvalidRequestError.of("name", "bad")).json()) as { error: Record<string, unknown> };
    expect(invalid.error).toMatchObject({ field: "name", issues: [{ field: "name", message: "bad" }] });
  });

  it("hides anything it does not know as a 500 internal error", async () => {
    for (const error of [new Error("secret detail"), Object.assign(new Error("x"), { code: "EACCES" }), "thrown string"]) {
      const response = errorResponse(error);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    }
  });
});

describe("docs/errors.md", () => {
  it("documents exactly the codes and statuses the mapping uses", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    const documented = Object.fromEntries(
      [...doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]),
    );
    expect(documented).toEqual(STATUS_BY_CODE);
  });
});
