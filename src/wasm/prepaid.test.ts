// Prepaid functions (docs/limits.md, "Prepaid functions"): which functions are prepaid, and that a
// call pays exactly the callee's entry region, in any definition order and with both fuel strategies.
import { describe, expect, test } from "vitest";
import { instantiate, loadFixture, watToBytes } from "./fixtures.ts";
import { callMetered } from "./fuel.ts";
import { instrumentModuleWithStats } from "./instrumenter.ts";
import { MAX_PREPAID_BODY_BYTES, MAX_PREPAID_COST } from "./prepaid.ts";

async function instrument(wat: string, cacheFuelInLocals = true, features: string[] = []) {
  return instrumentModuleWithStats(await watToBytes(wat, features), { maxMemoryPages: 1, cacheFuelInLocals });
}

function fuelOf(bytes: Uint8Array, ...args: number[]): { value: unknown; fuelUsed: bigint } {
  const instance = instantiate(bytes);
  return callMetered(instance, 1_000_000n, () => (instance.exports.run as (...a: number[]) => unknown)(...args));
}

/** A helper of exactly `size` code bytes (N nops, i32.const 1, end) returning 1: its entry region costs 1. */
const sized = (name: string, size: number) => `(func ${name} (result i32) ${"(nop) ".repeat(size - 3)}(i32.const 1))`;

/**
 * A chain of helpers, $h0 (a leaf: local.get,i32.const,i32.add = 3) up to $h{depth-1}, each calling
 * the one below twice: $hk's entry region costs 1 + 2 x (1 + what $h{k-1} adds). Listed callers first
 * when `reversed`, so the callees are worked out after their callers' first scan.
 */
function chain(depth: number, reversed: boolean): string {
  const helpers = [`(func $h0 (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))`];
  for (let k = 1; k < depth; k++) helpers.push(`(func $h${k} (param i32) (result i32) (call $h${k - 1} (call $h${k - 1} (local.get 0))))`);
  if (reversed) helpers.reverse();
  return `(module ${helpers.join("\n")} (func (export "run") (param i32) (result i32) (call $h${depth - 1} (local.get 0))))`;
}

describe("prepaid functions", () => {
  test.each([
    ["prepaid", 2],
    ["prepaid_cycle", 1],
    ["call_chain", 2],
    ["recursion", 0],
    ["paid_at_call", 1],
  ])("fuel/%s.wat has %i", async (name, count) => {
    const { bytes } = await loadFixture("fuel", name);
    expect(instrumentModuleWithStats(bytes, { maxMemoryPages: 1 }).stats.prepaidFunctions).toBe(count);
  });

  test("a call cycle through a prepaid function keeps the entry charge of the function that is not", async () => {
    const { bytes } = await loadFixture("hostile", "recursion_through_prepaid");
    const { stats } = instrumentModuleWithStats(bytes, { maxMemoryPages: 1 });
    expect(stats.prepaidFunctions).toBe(1);
    // Only $ping checks, before its call: $pong's caller checked after paying for it (docs/limits.md).
    expect(stats.checks).toBe(1);
  });

  test.each([
    // Charges: run's entry, $helper's entry, $helper's for its call of $f, $f's one for its two calls of
    // itself; checks: those two call-site charges, and run's before its call of $helper (paid at its entry).
    ["recursion_paid_at_call", 4, 3],
    // Charges: run's entry, run's for its call of $spin, $spin's for its return_call of itself; checks:
    // the two call-site charges (run's call needs no other).
    ["self_tail_call", 3, 2],
  ])("hostile/%s.wat: the function calling itself charges nothing at its entry, each run of calls to it charges and checks", async (name, charges, checks) => {
    const { bytes } = await loadFixture("hostile", name);
    const { stats } = instrumentModuleWithStats(bytes, { maxMemoryPages: 1 });
    expect(stats.prepaidFunctions).toBe(1);
    expect(stats.charges).toBe(charges);
    expect(stats.checks).toBe(checks);
  });

  test("inside a try each call of a function that calls itself is paid on its own: the handler continues past a callee that threw", async () => {
    // $f's entry region: local.get,if + the then arm's local.get,i32.const,i32.sub,call = 6, paid at each call.
    // run pays its entry 5 (the try body's i32.const,call,i32.const,call,i32.add; the handler's i32.const
    // after the costliest throwing point, 4, is no more); $f(0) throws at once, so the second call never
    // runs and is not paid: 5 + 6 (one run of both calls, outside a try, would be 5 + 12).
    const wat = `(module (tag $e)
      (func $f (param i32) (result i32)
        (if (result i32) (local.get 0) (then (call $f (i32.sub (local.get 0) (i32.const 1)))) (else (throw $e))))
      (func (export "run") (result i32)
        (try (result i32) (do (i32.add (call $f (i32.const 0)) (call $f (i32.const 0)))) (catch $e (i32.const 7)))))`;
    for (const cacheFuelInLocals of [true, false]) {
      const { bytes, stats } = await instrument(wat, cacheFuelInLocals, ["exceptions"]);
      expect(stats.prepaidFunctions).toBe(1);
      expect(fuelOf(bytes)).toEqual({ value: 7, fuelUsed: 11n });
    }
  });

  test(`a body of ${MAX_PREPAID_BODY_BYTES} bytes is prepaid, one of ${MAX_PREPAID_BODY_BYTES + 1} is not`, async () => {
    const wat = (size: number) => `(module ${sized("$f", size)} (func (export "run") (result i32) (call $f)))`;
    expect((await instrument(wat(MAX_PREPAID_BODY_BYTES))).stats.prepaidFunctions).toBe(1);
    expect((await instrument(wat(MAX_PREPAID_BODY_BYTES + 1))).stats.prepaidFunctions).toBe(0);
  });

  test("functions an export, a table, a global, a ref.func or the start section names are not prepaid", async () => {
    const { stats } = await instrument(`(module (table 1 funcref) (elem (i32.const 0) $tabled) (elem declare func $declared)
      (global funcref (ref.func $global))
      ${sized("$exported", 8)} ${sized("$tabled", 8)} ${sized("$global", 8)} ${sized("$declared", 8)}
      (func $start (drop (call $exported)))
      (start $start)
      (export "exported" (func $exported))
      (func (export "run") (result i32) (drop (ref.func $declared))
        (i32.add (i32.add (call $exported) (call $tabled)) (i32.add (call $global) (call $declared)))))`);
    expect(stats.prepaidFunctions).toBe(0);
  });

  test(`entry costs add up a chain of callees, up to ${MAX_PREPAID_COST}, in any definition order`, async () => {
    // $h0..$h6 add 3, 9, 21, 45, 93, 189, 381: $h6 is above the cap and pays its own entry; $h7 and
    // $h8 call it and are prepaid again (1 + 2 x 1 = 3, then 9).
    const perCall = [3, 9, 21, 45, 93, 189];
    for (const reversed of [false, true]) {
      const { bytes, stats } = await instrument(chain(9, reversed));
      expect(stats.prepaidFunctions).toBe(8);
      // run: local.get,call + $h8 (9, with $h7's 3), then 4 calls of $h6, each its own entry: 381.
      const ran = fuelOf(bytes, 5);
      expect(ran.value).toBe(5 + 2 ** 8);
      expect(ran.fuelUsed).toBe(2n + 9n + 4n * BigInt(1 + 2 * (1 + perCall[5])));
    }
  });

  test("a function in a call cycle pays the entry of a prepaid callee worked out after its first scan", async () => {
    // $a and $b call each other (neither is prepaid); $a also calls $leaf, prepaid, which is worked out
    // after $a's first scan when defined after it: $a's region must include $leaf's entry either way.
    const module = (leafFirst: boolean) => {
      const leaf = `(func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))`;
      return `(module ${leafFirst ? leaf : ""}
        (func $a (param i32) (result i32)
          (if (result i32) (local.get 0)
            (then (call $b (i32.sub (local.get 0) (i32.const 1))))
            (else (call $leaf (i32.const 4)))))
        (func $b (param i32) (result i32) (call $a (local.get 0)))
        ${leafFirst ? "" : leaf}
        (func (export "run") (param i32) (result i32) (call $a (local.get 0))))`;
    };
    const first = await instrument(module(true));
    const last = await instrument(module(false));
    expect([first.stats.prepaidFunctions, last.stats.prepaidFunctions]).toEqual([1, 1]);
    for (const n of [0, 1, 3]) {
      expect(fuelOf(last.bytes, n)).toEqual(fuelOf(first.bytes, n));
      expect(fuelOf(last.bytes, n).value).toBe(12);
    }
  });

  test("a tail call to a prepaid function pays its entry region like a call", async () => {
    const { bytes, stats } = await instrument(`(module
      (func $leaf (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func (export "run") (param i32) (result i32) (return_call $leaf (local.get 0))))`, true, ["tail_call"]);
    expect(stats.prepaidFunctions).toBe(1);
    // local.get,return_call + the leaf's local.get,i32.const,i32.mul.
    expect(fuelOf(bytes, 7)).toEqual({ value: 21, fuelUsed: 5n });
  });

  test("both fuel strategies charge prepaid calls the same", async () => {
    for (const name of ["prepaid", "prepaid_cycle", "call_check"]) {
      const { bytes } = await loadFixture("fuel", name);
      const cached = instrumentModuleWithStats(bytes, { maxMemoryPages: 1, cacheFuelInLocals: true }).bytes;
      const global = instrumentModuleWithStats(bytes, { maxMemoryPages: 1, cacheFuelInLocals: false }).bytes;
      for (const n of [0, 1, 2, 7, 20]) expect(fuelOf(cached, n), `${name}(${n})`).toEqual(fuelOf(global, n));
    }
  });
});
