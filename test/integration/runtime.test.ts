// The runtime end to end inside workerd: region object -> Worker Loader isolate -> instrumented AssemblyScript
// examples (modules/examples), checked byte for byte.

import { describe, expect, it } from "vitest";
import { GuestTrapError, OutOfFuelInvocationError } from "../../src/runtime/index.ts";
import { activateGuest, freshName, invoke, text } from "./runtime-support.ts";

describe("runtime: example functions", () => {
  it("hello greets the payload, or the world when it is empty", async () => {
    const name = freshName("hello");
    const version = await activateGuest(name, "example:hello");
    const result = await invoke(name, "Ada");
    expect(text(result.output)).toBe("Hello, Ada!");
    expect(text((await invoke(name, "")).output)).toBe("Hello, world!");
    expect(result.fuelUsed).toBeGreaterThan(0);
    expect(result.fuelUsed).toBeLessThan(version.limits.fuel);
    expect(result.memoryPages).toBeGreaterThanOrEqual(1);
    expect(result).toMatchObject({ region: "wnam", sha256: version.sha256, version: 1 });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("echo returns every byte value unchanged, and nothing for an empty payload", async () => {
    const name = freshName("echo");
    await activateGuest(name, "example:echo");
    const payload = new Uint8Array(1000).map((_, i) => (i * 7 + 3) & 0xff);
    expect([...(await invoke(name, payload)).output]).toEqual([...payload]);
    expect((await invoke(name, new Uint8Array(0))).output.byteLength).toBe(0);
  });

  it("json-transform summarizes an order and reports invalid JSON", async () => {
    const name = freshName("json");
    await activateGuest(name, "example:json-transform");
    const order = {
      customer: "ada \"the\" countess",
      items: [
        { sku: "A1", price: 2.5, qty: 2 },
        { sku: "B2", price: 10, qty: 1 },
        { sku: "C3", price: 0.1, qty: 3 },
      ],
    };
    const summary = JSON.parse(text((await invoke(name, JSON.stringify(order))).output));
    expect(summary).toEqual({ customer: "ADA \"THE\" COUNTESS", lines: 3, units: 6, total: 2.5 * 2 + 10 + 0.1 * 3 });
    expect(text((await invoke(name, '{"customer": "x", "items": [1, }')).output)).toBe(
      '{"error":"invalid JSON: unexpected character","offset":31}',
    );
  });

  it("cpu-heavy counts primes, and its fuel is deterministic and grows with the work", async () => {
    const name = freshName("cpu");
    await activateGuest(name, "example:cpu-heavy");
    const small = await invoke(name, "1000");
    const large = await invoke(name, "10000");
    expect(text(small.output)).toBe("168");
    expect(text(large.output)).toBe("1229");
    expect(large.fuelUsed).toBeGreaterThan(small.fuelUsed * 5);
    expect((await invoke(name, "10000")).fuelUsed).toBe(large.fuelUsed);
  });

  it("spin runs out of fuel, and the runtime answers the next invocations", async () => {
    const spin = freshName("spin");
    const hello = freshName("hello");
    await activateGuest(spin, "example:spin", { limits: { fuel: 2_000_000 } });
    await activateGuest(hello, "example:hello");
    const failure = await invoke(spin, "").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OutOfFuelInvocationError);
    expect(failure).toMatchObject({ code: "out_of_fuel", budget: 2_000_000, fuelUsed: 2_000_000 });
    expect(text((await invoke(hello, "again")).output)).toBe("Hello, again!");
    await expect(invoke(spin, "")).rejects.toBeInstanceOf(OutOfFuelInvocationError);
    expect(text((await invoke(hello, "still here")).output)).toBe("Hello, still here!");
  });

  it("trap fails with guest_trap and carries the guest's own reason in its logs", async () => {
    const name = freshName("trap");
    await activateGuest(name, "example:trap");
    const failure = (await invoke(name, "on purpose").catch((e: unknown) => e)) as GuestTrapError & { logs: unknown };
    expect(failure).toBeInstanceOf(GuestTrapError);
    expect(failure.code).toBe("guest_trap");
    expect(failure.trap).toMatch(/unreachable/);
    expect(failure.logs).toEqual([
      { level: "error", message: expect.stringMatching(/^deliberate failure: on purpose at .*trap\.ts:\d+:\d+$/) },
    ]);
  });
});
