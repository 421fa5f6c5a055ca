// The guest ABI's edges inside workerd, with hand-written WAT guests (test/fixtures/guests): output validation,
// fresh instances, start functions, memory limit, allocator misuse and the log host function.

import { describe, expect, it } from "vitest";
import {
  GuestAbiViolationError,
  GuestTrapError,
  InvalidGuestOutputError,
  MemoryLimitError,
  OutOfFuelInvocationError,
  ResponseTooLargeError,
} from "../../src/runtime/index.ts";
import { HOST_CALL_BASE_FUEL, HostStatus } from "../../src/sandbox/index.ts";
import { activateGuest, freshName, invoke, text } from "./runtime-support.ts";

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("the invocation succeeded"),
    (error: unknown) => error,
  );
}

describe("runtime ABI: the returned output location is validated before any byte is copied", () => {
  it("refuses a pointer past the end of memory", async () => {
    const name = freshName("oob");
    await activateGuest(name, "wat:out-of-bounds-output");
    const failure = await failureOf(invoke(name));
    expect(failure).toBeInstanceOf(InvalidGuestOutputError);
    expect(failure).toMatchObject({ code: "invalid_guest_output", ptr: 65552, len: 1, memoryBytes: 65536 });
  });

  it("refuses ptr + len that wraps around 2^32 to a small in-bounds address", async () => {
    const name = freshName("wrap");
    await activateGuest(name, "wat:wrapping-output");
    const failure = await failureOf(invoke(name));
    expect(failure).toMatchObject({ code: "invalid_guest_output", ptr: 0xfffffff0, len: 0x20 });
  });

  it("refuses a length larger than memory", async () => {
    const name = freshName("huge");
    await activateGuest(name, "wat:huge-length-output");
    expect(await failureOf(invoke(name))).toMatchObject({ code: "invalid_guest_output", ptr: 0, len: 0xffffffff });
  });

  it("refuses in-bounds output over the response cap, and accepts output exactly at the cap", async () => {
    const over = freshName("large");
    await activateGuest(over, "wat:large-output", { limits: { maxResponseBytes: 4095 } });
    const failure = await failureOf(invoke(over));
    expect(failure).toBeInstanceOf(ResponseTooLargeError);
    expect(failure).toMatchObject({ code: "response_too_large", size: 4096, limit: 4095 });

    const at = freshName("large");
    await activateGuest(at, "wat:large-output", { limits: { maxResponseBytes: 4096 } });
    expect(text((await invoke(at)).output)).toBe("x".repeat(4096));
  });
});

describe("runtime ABI: instances", () => {
  it("gives every invocation a fresh instance: globals and memory never carry over", async () => {
    const name = freshName("counter");
    await activateGuest(name, "wat:counter");
    for (let i = 0; i < 3; i++) expect(text((await invoke(name)).output)).toBe("11");
  });

  it("runs the start function before the handler", async () => {
    const name = freshName("start");
    await activateGuest(name, "wat:start-function");
    expect(text((await invoke(name)).output)).toBe("S");
  });

  it("meters the start function: one that never ends runs out of fuel", async () => {
    const name = freshName("spinning-start");
    await activateGuest(name, "wat:spinning-start", { limits: { fuel: 100_000 } });
    expect(await failureOf(invoke(name))).toBeInstanceOf(OutOfFuelInvocationError);
  });

  it("reports stack exhaustion as a guest trap, not a sandbox failure", async () => {
    const name = freshName("recursion");
    await activateGuest(name, "wat:deep-recursion", { limits: { fuel: 100_000_000 } });
    const failure = await failureOf(invoke(name));
    expect(failure).toBeInstanceOf(GuestTrapError);
    expect(failure).toMatchObject({ code: "guest_trap", trap: expect.stringMatching(/call stack/i) });
  });

  it("reports memory_limit when the guest traps after memory stopped growing at the cap", async () => {
    const name = freshName("hog");
    await activateGuest(name, "wat:memory-hog", { limits: { maxMemoryPages: 4 } });
    const failure = await failureOf(invoke(name));
    expect(failure).toBeInstanceOf(MemoryLimitError);
    expect(failure).toMatchObject({ code: "memory_limit", maxMemoryPages: 4, memoryPages: 4 });
  });
});

describe("runtime ABI: the guest's allocator and exports", () => {
  it("refuses to write a payload into a block the allocator placed past the end of memory", async () => {
    const name = freshName("bad-alloc");
    await activateGuest(name, "wat:bad-allocator");
    // The allocator always answers 65530: 6 bytes fit exactly, 7 do not.
    expect((await invoke(name, "123456")).output.byteLength).toBe(0);
    const failure = await failureOf(invoke(name, "1234567"));
    expect(failure).toBeInstanceOf(GuestAbiViolationError);
    expect(failure).toMatchObject({ code: "guest_abi_violation", reason: expect.stringContaining("helios_alloc(7) returned 65530") });
  });

  it("reports a module without a handler as an ABI violation", async () => {
    const name = freshName("no-handler");
    await activateGuest(name, "wat:missing-handler");
    expect(await failureOf(invoke(name))).toMatchObject({ code: "guest_abi_violation", reason: expect.stringContaining('"handle"') });
  });
});

describe("runtime ABI: heliosdb_log", () => {
  it("logs valid UTF-8 and refuses an out-of-bounds message with a status code", async () => {
    const name = freshName("logger");
    await activateGuest(name, "wat:logger");
    const result = await invoke(name, "héllo");
    const statuses = new Int32Array(result.output.slice().buffer);
    expect([...statuses]).toEqual([HostStatus.ok, HostStatus.outOfBounds]);
    expect(result.logs).toEqual([{ level: "info", message: "héllo" }]);
  });

  it("refuses invalid UTF-8 without logging anything", async () => {
    const name = freshName("logger");
    await activateGuest(name, "wat:logger");
    const result = await invoke(name, new Uint8Array([0x68, 0xc3, 0x28]));
    expect([...new Int32Array(result.output.slice().buffer)]).toEqual([HostStatus.invalidUtf8, HostStatus.outOfBounds]);
    expect(result.logs).toEqual([]);
  });

  it("charges every host call a base cost plus one fuel per byte", async () => {
    const name = freshName("logger");
    await activateGuest(name, "wat:logger");
    const empty = await invoke(name, "");
    const long = await invoke(name, "a".repeat(160));
    const longer = await invoke(name, "a".repeat(161));
    expect(long.fuelUsed - empty.fuelUsed).toBe(160);
    expect(longer.fuelUsed - empty.fuelUsed).toBe(161);
    expect(empty.fuelUsed).toBeGreaterThan(2 * HOST_CALL_BASE_FUEL);
  });

  it("ends the invocation with out_of_fuel when a host call's charge overdraws the budget", async () => {
    const roomy = freshName("logger");
    const version = await activateGuest(roomy, "wat:logger");
    const needed = (await invoke(roomy, "")).fuelUsed;
    // One fuel short: the first log call is paid for (its line is kept), the second one overdraws.
    const tight = freshName("logger");
    await activateGuest(tight, "wat:logger", { limits: { fuel: needed - 1 } });
    const failure = await failureOf(invoke(tight, ""));
    expect(failure).toBeInstanceOf(OutOfFuelInvocationError);
    expect(failure).toMatchObject({ budget: needed - 1, fuelUsed: needed - 1, logs: [{ level: "info", message: "" }] });
    expect(needed).toBeLessThan(version.limits.fuel);
    await activateGuest(roomy, "wat:logger", { version: 2, limits: { fuel: needed } });
    expect((await invoke(roomy, "")).fuelUsed).toBe(needed);
  });
});
