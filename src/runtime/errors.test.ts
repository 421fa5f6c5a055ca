import { describe, expect, it } from "vitest";
import { serializeError } from "../sandbox/index.ts";
import {
  errorFromSerialized,
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  MemoryLimitError,
  NotDeployedInRegionError,
  OutOfFuelInvocationError,
  PayloadTooLargeError,
  ResponseTooLargeError,
  SandboxInternalError,
  UnauthorizedError,
  UnknownFunctionError,
} from "./errors.ts";

describe("errors across RPC", () => {
  const originals = [
    new OutOfFuelInvocationError(1000),
    new MemoryLimitError(16, "unreachable"),
    new GuestTrapError("divide by zero"),
    new GuestAbiViolationError("no memory"),
    new InvalidGuestOutputError(0xfffffff0, 0x20, 65536),
    new ResponseTooLargeError(2048, 1024),
    new PayloadTooLargeError(8, 9),
    new NotDeployedInRegionError("fn", "weur"),
    new UnknownFunctionError("fn"),
    new UnauthorizedError("fn"),
    new SandboxInternalError("isolate failed"),
  ];

  it.each(originals.map((e) => [e.code, e] as const))("%s survives serialize -> structured clone -> rebuild", (_, original) => {
    const rebuilt = errorFromSerialized(structuredClone(serializeError(original, "fallback")));
    expect(rebuilt).toBeInstanceOf(original.constructor);
    expect(rebuilt.message).toBe(original.message);
    expect({ ...rebuilt }).toEqual({ ...original });
  });

  it("keeps extra detail fields (usage, logs) and turns unknown codes into SandboxInternalError", () => {
    const serialized = serializeError(new GuestTrapError("unreachable"), "fallback");
    const rebuilt = errorFromSerialized({ ...serialized, details: { ...serialized.details, fuelUsed: 12, logs: [] } });
    expect(rebuilt).toMatchObject({ code: "guest_trap", trap: "unreachable", fuelUsed: 12, logs: [] });

    const unknown = errorFromSerialized({ code: "module_missing", message: "gone", details: {} });
    expect(unknown).toBeInstanceOf(SandboxInternalError);
    expect(unknown.message).toBe("the sandbox failed: module_missing: gone");
  });

  it("serializes bigints as numbers when exact and strings otherwise; non-errors get the fallback code", () => {
    const error = Object.assign(new Error("x"), { small: 5n, huge: 2n ** 70n });
    expect(serializeError(error, "fallback")).toEqual({
      code: "fallback",
      message: "x",
      details: { small: 5, huge: (2n ** 70n).toString() },
    });
    expect(serializeError("boom", "fallback")).toEqual({ code: "fallback", message: "boom", details: {} });
  });
});
