// Modules written to run forever (or to exhaust memory) must be stopped by fuel alone.
import { describe, expect, it } from "vitest";
import { fixtureNames, instantiate, loadFixture } from "./fixtures.ts";
import { callMetered, getFuel, instrumentModule, OutOfFuelError, START_EXPORT } from "./index.ts";

const BUDGET = 1_000_000n;
const MAX_MEMORY_PAGES = 16;

async function instantiateHostile(name: string): Promise<WebAssembly.Instance> {
  const { bytes } = await loadFixture("hostile", name);
  const instrumented = instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
  return instantiate(instrumented);
}

/** Runs the start function (if any) and then `run`, each metered with the full budget. */
function runHostile(instance: WebAssembly.Instance): unknown {
  const start = instance.exports[START_EXPORT];
  if (typeof start === "function") callMetered(instance, BUDGET, () => (start as () => void)());
  const run = instance.exports.run as () => unknown;
  return callMetered(instance, BUDGET, () => run());
}

describe("hostile modules run out of fuel", () => {
  it.each(fixtureNames("hostile"))("hostile/%s.wat ends in OutOfFuelError", async (name) => {
    const instance = await instantiateHostile(name);
    let thrown: unknown;
    try {
      runHostile(instance);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, `hostile/${name}.wat threw ${String(thrown)}`).toBeInstanceOf(OutOfFuelError);
    expect((thrown as OutOfFuelError).code).toBe("fuel_exhausted");
    expect((thrown as OutOfFuelError).budget).toBe(BUDGET);
    expect(getFuel(instance)).toBeLessThan(0n);
  });

  it("an infinite start function does not run at instantiation, and runs out of fuel when called", async () => {
    const instance = await instantiateHostile("start_infinite");
    // Reaching this line at all means instantiation returned: the start section is gone.
    const start = instance.exports[START_EXPORT];
    expect(typeof start).toBe("function");
    expect((instance.exports.run as () => bigint)()).toBe(0n);
    expect(() => callMetered(instance, BUDGET, () => (start as () => void)())).toThrow(OutOfFuelError);
    // The loop did run under the budget before being stopped.
    expect((instance.exports.run as () => bigint)()).toBeGreaterThan(0n);
  });

  it("memory stays capped at maxMemoryPages while a guest grows it in a loop", async () => {
    const instance = await instantiateHostile("memory_grow_loop");
    expect(() => runHostile(instance)).toThrow(OutOfFuelError);
    const memory = instance.exports.memory as WebAssembly.Memory;
    expect(memory.buffer.byteLength).toBe(MAX_MEMORY_PAGES * 65536);
    // Refused grows kept being charged until the budget ran out.
    expect((instance.exports.refused as WebAssembly.Global).value).toBeGreaterThan(100);
  });

  it("a refused huge memory.grow is charged and stops the guest at once", async () => {
    const instance = await instantiateHostile("memory_grow_huge");
    expect(() => runHostile(instance)).toThrow(OutOfFuelError);
    // 1 + 1024 * 65536 fuel was charged against a budget of 1,000,000.
    expect(getFuel(instance)).toBeLessThanOrEqual(BUDGET - 1n - 1024n * 65536n);
  });
});
