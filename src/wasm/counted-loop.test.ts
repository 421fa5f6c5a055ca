// Counted loops: which loops are charged before they start, and the cases no reference run can
// check (loops of 2^32 iterations or none that ends). The exact charges are in the fuel table.
import { describe, expect, test } from "vitest";
import { MAX_COUNTED_BODY_BYTES } from "./counted-loop.ts";
import { OutOfFuelError } from "./errors.ts";
import { instantiate, loadFixture, watToBytes } from "./fixtures.ts";
import { callMetered, getFuel } from "./fuel.ts";
import { instrumentModule, instrumentModuleWithStats } from "./instrumenter.ts";

const countedLoopsOf = async (body: string, params = "(param $i i32) (param $n i32)") =>
  instrumentModuleWithStats(await watToBytes(`(module (func $f) (func (export "run") ${params} (local $x i32) ${body}))`), { maxMemoryPages: 1 }).stats.countedLoops;

const tail = `(br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))`;

describe("counted loops", () => {
  test("are recognised by their tail, and not when the body writes the counter or the bound or branches back", async () => {
    expect(await countedLoopsOf(`(loop $l (local.set $x (local.get $i)) ${tail})`)).toBe(1);
    expect(await countedLoopsOf(`(loop $l (local.set $n (local.get $i)) ${tail})`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l (local.set $i (local.get $i)) ${tail})`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l (br_if $l (local.get $x)) ${tail})`)).toBe(0);
    // Step 3 has no cheap closed form with <u; 8 has.
    expect(await countedLoopsOf(`(loop $l ${tail.replace("i32.const 1", "i32.const 3")})`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l ${tail.replace("i32.const 1", "i32.const 8")})`)).toBe(1);
    // A loop that can leave other than through its end, or that calls (a callee can throw out of it).
    expect(await countedLoopsOf(`(block $out (loop $l (br_if $out (local.get $x)) ${tail}))`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l (if (local.get $x) (then (return))) ${tail})`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l (if (local.get $x) (then (unreachable))) ${tail})`)).toBe(0);
    expect(await countedLoopsOf(`(loop $l (call $f) ${tail})`)).toBe(0);
    // A branch that stays inside the loop is no exit.
    expect(await countedLoopsOf(`(loop $l (block $b (br_if $b (local.get $x))) ${tail})`)).toBe(1);
    // A tail not at the very end (here, a nop after it) is no back edge of the loop.
    expect(await countedLoopsOf(`(loop $l ${tail} (nop))`)).toBe(0);
  });

  test("top-tested loops are recognised by their if on the bound and their step before the br", async () => {
    const step = `(local.set $i (i32.add (local.get $i) (i32.const 1)))`;
    const top = (cond: string, arm: string) => `(loop $l (if ${cond} (then ${arm})))`;
    const below = `(i32.lt_s (local.get $i) (local.get $n))`;
    expect(await countedLoopsOf(top(below, `(local.set $x (local.get $i)) ${step} (br $l)`))).toBe(1);
    expect(await countedLoopsOf(top(`(i32.lt_u (local.get $i) (i32.const 64))`, `${step} (br $l)`))).toBe(1);
    // A small constant bound: a few iterations, cheaper charged one by one.
    expect(await countedLoopsOf(top(`(i32.lt_s (local.get $i) (i32.const 5))`, `${step} (br $l)`))).toBe(0);
    // An else arm, a second write of the counter, a write of the bound, a step of 2, a second back edge: per iteration.
    expect(await countedLoopsOf(`(loop $l (if ${below} (then ${step} (br $l)) (else (nop))))`)).toBe(0);
    expect(await countedLoopsOf(top(below, `(local.set $i (local.get $i)) ${step} (br $l)`))).toBe(0);
    expect(await countedLoopsOf(top(below, `(local.set $n (local.get $i)) ${step} (br $l)`))).toBe(0);
    expect(await countedLoopsOf(top(below, `${step.replace("i32.const 1", "i32.const 2")} (br $l)`))).toBe(0);
    expect(await countedLoopsOf(top(below, `(br_if $l (local.get $x)) ${step} (br $l)`))).toBe(0);
    // A block closing after the step: the br is not at the end of the if's arm.
    expect(await countedLoopsOf(top(below, `(block ${step} (br $l))`))).toBe(0);
  });

  test("a body longer than the bound is charged per iteration", async () => {
    const filler = (n: number) => "(local.set $x (i32.const 1)) ".repeat(n); // 4 bytes each
    expect(await countedLoopsOf(`(loop $l ${filler((MAX_COUNTED_BODY_BYTES - 16) / 4)} ${tail})`)).toBe(1);
    expect(await countedLoopsOf(`(loop $l ${filler(MAX_COUNTED_BODY_BYTES / 4)} ${tail})`)).toBe(0);
  });

  test("a counter that could wrap past 2^32 on a later step is out of fuel before the loop, whatever the budget", async () => {
    const { bytes } = await loadFixture("fuel", "counted_step");
    const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const run = instance.exports.run as (i: number, n: number) => number;
    // n = 2^32 - 2, step 4 from 0: the counter steps over n and wraps, and would never stop.
    expect(() => callMetered(instance, 1n << 60n, () => run(0, -2))).toThrow(OutOfFuelError);
    expect(getFuel(instance)).toBe(-1n);
  });

  test("counting down from 0 is charged its 2^32 iterations before the first", async () => {
    const { bytes } = await loadFixture("fuel", "counted_down");
    const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const run = instance.exports.run as (n: number) => number;
    const budget = 1_000_000_000n;
    expect(() => callMetered(instance, budget, () => run(0))).toThrow(OutOfFuelError);
    expect(budget - getFuel(instance)).toBe(1n + 9n * (1n << 32n));
  });
});
