// Fuel, in the style of wasmtime's assert_fuel: every expected number in fixtures/fuel/expected.json
// was worked out by hand from docs/limits.md. `fuel` is what the call is charged, asserted exactly
// (it is deterministic); where that is an upper bound, `executed` is the exact cost of the
// instructions that ran and `why` says where the difference comes from.
import { describe, expect, it } from "vitest";
import expectedTable from "./fixtures/fuel/expected.json";
import { fixtureNames, instantiate, loadFixture } from "./fixtures.ts";
import { callMetered, decodeCode, decodeModule, getFuel, instrumentModule, OutOfFuelError } from "./index.ts";

interface FuelExpectation {
  fixture: string;
  args: number[];
  fuel: number;
  /** Exact cost of the executed instructions, when `fuel` is an upper bound above it. */
  executed?: number;
  why: string;
  result?: number;
  /** The call traps (the uninstrumented module traps the same way). */
  trap?: boolean;
  /**
   * Budget for this entry (default: plenty); with outOfFuel the call must end in OutOfFuelError, by
   * a trap or by returning with the counter negative.
   */
  budget?: number;
  outOfFuel?: boolean;
}

const table = expectedTable as FuelExpectation[];
const BUDGET = 1_000_000_000n;
const MAX_MEMORY_PAGES = 16;

type Run = (...args: number[]) => unknown;

function runOf(instance: WebAssembly.Instance): Run {
  return instance.exports.run as Run;
}

function outcome(run: () => unknown): { value: unknown } | { trap: string } {
  try {
    return { value: run() };
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return { trap: error.message };
    throw error;
  }
}

describe("fuel table", () => {
  it("covers every fuel fixture and names only existing ones", () => {
    expect([...new Set(table.map((entry) => entry.fixture))].sort()).toEqual(fixtureNames("fuel"));
  });

  it("a bound is above the executed cost, says so, and never exceeds the function's whole static cost", async () => {
    for (const entry of table.filter((e) => e.executed !== undefined)) {
      expect(entry.fuel, `${entry.fixture}(${entry.args})`).toBeGreaterThan(entry.executed!);
      expect(entry.why, `${entry.fixture}(${entry.args})`).toMatch(/^bound: /);
    }
    // A loop-free, call-free function is charged once, its costliest path: at most all of its code.
    for (const name of ["zero_cost", "if_else", "if_no_else", "dead_code", "br_table"]) {
      const { bytes } = await loadFixture("fuel", name);
      const module = decodeModule(bytes);
      const whole = module.code.reduce((sum, body) => sum + decodeCode(bytes, body.codeOffset, body.codeOffset + body.code.length).reduce((n, ins) => n + ins.op.cost, 0), 0);
      for (const entry of table.filter((e) => e.fixture === name)) expect(entry.fuel, `${name}(${entry.args})`).toBeLessThanOrEqual(whole);
    }
  });

  it.each(
    table.map((entry) => {
      const budget = entry.budget === undefined ? "" : ` budget ${entry.budget}`;
      return [`${entry.fixture}(${entry.args.join(", ")})${budget}`, entry] as const;
    }),
  )(
    "%s",
    async (label, entry) => {
      const { bytes } = await loadFixture("fuel", entry.fixture);
      const instrumented = instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES });
      const metered = instantiate(instrumented);
      const plain = instantiate(bytes);

      const reference = outcome(() => runOf(plain)(...entry.args));
      const budget = entry.budget === undefined ? BUDGET : BigInt(entry.budget);
      let fuelUsed: bigint;
      if (entry.trap || entry.outOfFuel) {
        if (entry.trap) expect(reference, `${label}: the uninstrumented module should trap`).toHaveProperty("trap");
        let thrown: unknown;
        try {
          callMetered(metered, budget, () => runOf(metered)(...entry.args));
        } catch (error) {
          thrown = error;
        }
        if (entry.outOfFuel) {
          // The trap came while the counter was negative, so it is reported as out of fuel.
          expect(thrown, `${label}: should run out of fuel, threw ${String(thrown)}`).toBeInstanceOf(OutOfFuelError);
        } else {
          // A genuine trap with fuel left is rethrown unchanged, not reported as out of fuel.
          expect(thrown, `${label}: instrumented run should trap`).toBeInstanceOf(WebAssembly.RuntimeError);
          expect((thrown as Error).message).toBe((reference as { trap: string }).trap);
        }
        fuelUsed = budget - getFuel(metered);
      } else {
        expect(reference, `${label}: uninstrumented result`).toEqual({ value: entry.result });
        const { value, fuelUsed: used } = callMetered(metered, budget, () => runOf(metered)(...entry.args));
        expect(value, `${label}: instrumented result must equal the uninstrumented one`).toEqual(entry.result);
        fuelUsed = used;
      }
      expect(fuelUsed, `fuel/${entry.fixture}.wat ${label}: ${entry.why}`).toBe(BigInt(entry.fuel));
    },
  );

  it("charges the same fuel when the same instance is called again", async () => {
    const { bytes } = await loadFixture("fuel", "recursion");
    const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES }));
    const runs = [0, 1, 2].map(() => callMetered(instance, BUDGET, () => runOf(instance)(10)).fuelUsed);
    expect(runs).toEqual([2301n, 2301n, 2301n]);
  });

  it("reports exactly the budget as used when a budget equal to the cost suffices", async () => {
    // Fuel may reach exactly zero without trapping: only a negative counter is out of fuel.
    const { bytes } = await loadFixture("fuel", "counted_loop");
    const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: MAX_MEMORY_PAGES }));
    const { value, fuelUsed } = callMetered(instance, 101n, () => runOf(instance)(10));
    expect(value).toBe(55);
    expect(fuelUsed).toBe(101n);
    expect(getFuel(instance)).toBe(0n);
  });
});
