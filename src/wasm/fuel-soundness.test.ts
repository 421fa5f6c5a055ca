// Adversarial checks of the fuel invariants (docs/limits.md, "Fuel"): nothing runs unbounded
// without a check, the charge never falls below the instructions executed, a guest overshoots its
// budget by no more than the documented bound, counted loops pre-charge an upper bound of every way
// they can run, and the same call is charged the same fuel every time.
import { describe, expect, test } from "vitest";
import { OutOfFuelError } from "./errors.ts";
import { fixtureNames, instantiate, loadFixture, mulberry32, watToBytes } from "./fixtures.ts";
import { callMetered, getFuel, START_EXPORT } from "./fuel.ts";
import { instrumentModule, instrumentModuleWithStats } from "./instrumenter.ts";

const BUDGET = 1_000_000n;

type Outcome = { kind: "ok"; value: number; fuelUsed: bigint } | { kind: "oof"; left: bigint } | { kind: "trap"; error: unknown; left: bigint };

function runInstance(instance: WebAssembly.Instance, budget: bigint, args: number[], name = "run"): Outcome {
  const fn = instance.exports[name] as (...a: number[]) => number;
  try {
    const { value, fuelUsed } = callMetered(instance, budget, () => fn(...args));
    return { kind: "ok", value, fuelUsed };
  } catch (error) {
    if (error instanceof OutOfFuelError) return { kind: "oof", left: getFuel(instance) };
    return { kind: "trap", error, left: getFuel(instance) };
  }
}

async function build(wat: string, cacheFuelInLocals = true) {
  const { bytes, stats } = instrumentModuleWithStats(await watToBytes(wat), { maxMemoryPages: 1, cacheFuelInLocals });
  return { instance: instantiate(bytes), stats };
}

// What the documented bound allows past the budget for the hostile modules: one loop iteration's
// or function run's charges plus the callee charges before its first check (each under ~200 fuel
// here), plus one dynamic charge (memory.fill of 4 pages, memory.grow of 65,536 pages).
const OVERSHOOT = 1_000n;
const DYNAMIC: Record<string, bigint> = {
  memory_fill_loop: 1n + (4n * 65536n) / 16n,
  memory_grow_loop: 1n + 1024n,
  memory_grow_huge: 1n + 1024n * 65536n,
};
// Counted loops too long for any budget: charged all their iterations before the first one runs.
const PRECHARGED: Record<string, bigint> = {
  counted_wraps_ne: 1n << 32n,
  counted_top_unsigned_huge: 1n << 32n,
  counted_nested_huge: 1n << 31n,
};

describe("hostile modules stop within the documented overshoot", () => {
  test.each(fixtureNames("hostile"))("hostile/%s.wat", async (name) => {
    const { bytes } = await loadFixture("hostile", name);
    const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: 16 }));
    const start = instance.exports[START_EXPORT];
    const outcome = runInstance(instance, BUDGET, [], typeof start === "function" ? START_EXPORT : "run");
    expect(outcome.kind, name).toBe("oof");
    const left = getFuel(instance);
    const precharged = PRECHARGED[name];
    if (precharged !== undefined) expect(left).toBeLessThanOrEqual(BUDGET - precharged);
    else expect(left).toBeGreaterThanOrEqual(-(OVERSHOOT + (DYNAMIC[name] ?? 0n)));
  });
});

// Counted-loop shapes, each returning how many times its body ran ($c). `twin` is the same loop
// with a `nop` after its back edge: no longer counted, so it is charged at its header on every
// iteration. A counted loop must be charged at least what its twin is, and its twin at least the
// instructions a run executes (counted from $c and the instructions per iteration, by hand).
interface Shape {
  name: string;
  loop: (twin: boolean) => string;
  /** Instructions one iteration executes, and those run once (the final failed test of a top-tested loop). */
  perIteration: number;
  once: number;
}

const count = "(local.set $c (i32.add (local.get $c) (i32.const 1)))"; // 4 instructions
const nop = (twin: boolean) => (twin ? "(nop)" : "");
const rotated = (name: string, cond: string): Shape => ({
  name,
  loop: (twin) => `(loop $l ${count} (br_if $l ${cond}) ${nop(twin)})`,
  perIteration: 4 + 7,
  once: 0,
});
const step = (k: number) => `(local.tee $i (i32.add (local.get $i) (i32.const ${k})))`;
const topTested = (name: string, compare: string): Shape => ({
  name,
  loop: (twin) =>
    `(loop $l (if (${compare} (local.get $i) (local.get $n)) (then ${count} (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l) ${nop(twin)})))`,
  perIteration: 4 + 4 + 4 + 1,
  once: 4,
});

const SHAPES: Shape[] = [
  rotated("<u step 1", `(i32.lt_u ${step(1)} (local.get $n))`),
  rotated("<u step 2", `(i32.lt_u ${step(2)} (local.get $n))`),
  rotated("<u step 4", `(i32.lt_u ${step(4)} (local.get $n))`),
  rotated("<u step 8", `(i32.lt_u ${step(8)} (local.get $n))`),
  rotated("<u constant bound", `(i32.lt_u ${step(1)} (i32.const 300))`),
  rotated(">u bound first", `(i32.gt_u (local.get $n) ${step(2)})`),
  rotated("!= step 1", `(i32.ne ${step(1)} (local.get $n))`),
  rotated("!= step -1", `(i32.ne ${step(-1)} (local.get $n))`),
  rotated("!= bound first", `(i32.ne (local.get $n) ${step(1)})`),
  { ...rotated("down to 0", step(-1)), perIteration: 4 + 5 },
  topTested("top-tested <s", "i32.lt_s"),
  topTested("top-tested <u", "i32.lt_u"),
];

const moduleOf = (loop: string) =>
  `(module (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32) ${loop} (local.get $c)))`;

// Starting points: ordinary, around 0, around 2^31 and within 8 of 2^32 (where steps wrap).
function inputs(): [number, number][] {
  const edges = [0, 1, 2, 3, 7, 8, 9, 255, 256, 0x7fffffff, -0x80000000, -9, -8, -7, -4, -3, -2, -1];
  const pairs: [number, number][] = [];
  for (const i of edges) for (const d of [0, 1, 2, 3, 5, 8, 17, 200, -1, -2, -3, -8]) pairs.push([i, (i + d) | 0]);
  const random = mulberry32(8);
  for (let k = 0; k < 60; k++) {
    const i = (random() * 2 ** 32) | 0;
    pairs.push([i, (i + Math.floor(random() * 600) - 100) | 0]);
  }
  return pairs;
}

describe("counted loops are charged an upper bound of every run", () => {
  test.each(SHAPES.map((s) => [s.name, s] as const))("%s", async (_, shape) => {
    const counted = await build(moduleOf(shape.loop(false)));
    const twin = await build(moduleOf(shape.loop(true)));
    expect(counted.stats.countedLoops).toBe(1);
    expect(twin.stats.countedLoops).toBe(0);
    for (const [i, n] of inputs()) {
      const a = runInstance(counted.instance, BUDGET, [i, n]);
      const b = runInstance(twin.instance, BUDGET, [i, n]);
      const at = `${shape.name} from i=${i} to n=${n}`;
      if (b.kind === "ok") {
        // The twin's charge bounds what ran: instructions per iteration times the iterations.
        expect(b.fuelUsed, at).toBeGreaterThanOrEqual(BigInt(b.value * shape.perIteration + shape.once));
        // The counted loop ran the same iterations (or could not pay for them) and paid at least as much.
        if (a.kind === "ok") {
          expect(a.value, at).toBe(b.value);
          expect(a.fuelUsed, at).toBeGreaterThanOrEqual(b.fuelUsed);
        } else expect(a.kind, at).toBe("oof");
      } else {
        // Iterations the twin could not pay for, the counted loop cannot either.
        expect(b.kind, at).toBe("oof");
        expect(a.kind, at).toBe("oof");
      }
    }
  });

  test("both fuel strategies charge a counted loop after a call the same", async () => {
    const wat = `(module (func $burn (param i32) (result i32) (local $c i32) (local $i i32) (local $n i32)
        (local.set $n (local.get 0)) ${count} (loop $l ${count} (br_if $l (i32.lt_u ${step(1)} (local.get $n)))) (local.get $c))
      (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32)
        (local.set $c (call $burn (local.get $n)))
        (loop $l ${count} (br_if $l (i32.lt_u ${step(1)} (local.get $n))))
        (i32.add (local.get $c) (call $burn (local.get $i)))))`;
    const cached = await build(wat, true);
    const global = await build(wat, false);
    for (const [i, n] of [[0, 10], [5, 1000], [3, 2], [0, 50_000]]) {
      const a = runInstance(cached.instance, BUDGET, [i, n]);
      const b = runInstance(global.instance, BUDGET, [i, n]);
      expect(a).toEqual(b);
    }
  });

  test("nested counted loops pay for the product of their trip counts", async () => {
    const wat = `(module (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32) (local $j i32)
      (loop $outer (local.set $j (i32.const 0))
        (loop $inner ${count} (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $n))))
        (br_if $outer (i32.lt_u ${step(1)} (local.get $n))))
      (local.get $c)))`;
    const { instance, stats } = await build(wat);
    expect(stats.countedLoops).toBe(2);
    const ran = runInstance(instance, BUDGET, [0, 200]);
    // 40,000 inner iterations of 11 instructions, 200 outer ones of 2 + 7.
    expect(ran).toMatchObject({ kind: "ok", value: 40_000 });
    expect((ran as { fuelUsed: bigint }).fuelUsed).toBeGreaterThanOrEqual(40_000n * 11n + 200n * 9n);
    // 1,000 x 1,000 iterations cannot fit in a budget of 1,000,000.
    expect(runInstance(instance, BUDGET, [0, 1000]).kind).toBe("oof");
  });
});

// Loops with a counted tail that can leave early: not counted, so a long bound with an early exit
// fits a small budget (the failure a wrongly counted loop shows: out of fuel on every request).
const early = (exit: string) =>
  `(module (tag $e) (func $throw (throw $e))
    (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32)
      (block $out (loop $l ${count} (if (i32.eq (local.get $c) (i32.const 5)) (then ${exit}))
        (br_if $l (i32.lt_u ${step(1)} (local.get $n)))))
      (local.get $c)))`;
// A guest exception reaching the host (the lib types of this TypeScript lack WebAssembly.Exception).
const WasmException = (WebAssembly as unknown as { Exception: new (...args: never[]) => object }).Exception;
const EXITS: [string, string, string][] = [
  ["a branch out of the loop", "(br $out)", "ok"],
  ["a br_table out of the loop", "(br_table $out $l (i32.const 0))", "ok"],
  ["return", "(return (local.get $c))", "ok"],
  ["an unreachable trap", "(unreachable)", "unreachable"],
  ["a throw", "(throw $e)", "exception"],
  ["a call that throws", "(call $throw)", "exception"],
];

describe("loops that can leave early are charged what they run", () => {
  test.each(EXITS)("leaving by %s after 5 of 1,000,000 iterations", async (_, exit, expected) => {
    const wat = early(exit);
    const { bytes, stats } = instrumentModuleWithStats(await watToBytes(wat, ["exceptions"]), { maxMemoryPages: 1 });
    expect(stats.countedLoops).toBe(0);
    const outcome = runInstance(instantiate(bytes), 10_000n, [0, 1_000_000]);
    if (expected === "ok") {
      expect(outcome).toMatchObject({ kind: "ok", value: 5 });
      // Five iterations of the count, the test and the tail: 4 + 3 + 1 + 7 (the last without the tail).
      expect((outcome as { fuelUsed: bigint }).fuelUsed).toBeGreaterThanOrEqual(5n * 15n);
    } else {
      expect(outcome.kind).toBe("trap");
      const error = (outcome as { error: unknown; left: bigint }).error;
      if (expected === "unreachable") expect(String(error)).toMatch(/unreachable/);
      else expect(error).toBeInstanceOf(WasmException);
      expect((outcome as { left: bigint }).left).toBeGreaterThanOrEqual(0n);
    }
  });

  test.each(EXITS)("a top-tested loop left by %s after 5 of 1,000,000 iterations is not counted", async (_, exit, expected) => {
    const wat = early(exit).replace(
      `(loop $l ${count} (if (i32.eq (local.get $c) (i32.const 5)) (then ${exit}))\n        (br_if $l (i32.lt_u ${step(1)} (local.get $n)))))`,
      `(loop $l (if (i32.lt_u (local.get $i) (local.get $n)) (then ${count} (if (i32.eq (local.get $c) (i32.const 5)) (then ${exit}))
        (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))))`,
    );
    expect(wat).not.toBe(early(exit));
    const { bytes, stats } = instrumentModuleWithStats(await watToBytes(wat, ["exceptions"]), { maxMemoryPages: 1 });
    expect(stats.countedLoops).toBe(0);
    const outcome = runInstance(instantiate(bytes), 10_000n, [0, 1_000_000]);
    if (expected === "ok") expect(outcome).toMatchObject({ kind: "ok", value: 5 });
    else expect(outcome.kind).toBe("trap");
  });

  test("both fuel strategies charge every counted shape and input the same", async () => {
    for (const shape of SHAPES) {
      const cached = await build(moduleOf(shape.loop(false)), true);
      const global = await build(moduleOf(shape.loop(false)), false);
      for (const [i, n] of inputs()) expect(runInstance(cached.instance, BUDGET, [i, n])).toEqual(runInstance(global.instance, BUDGET, [i, n]));
    }
  });
});

// Bodies a counted loop may have: paths of different costs, a nested loop, a dynamic charge, a
// try that catches nothing. Each is charged at least what its per-iteration twin is.
const BODIES: [string, string][] = [
  ["a forward br_if", `(block $s (br_if $s (i32.and (local.get $i) (i32.const 1))) ${count})`],
  ["an if/else", `(if (i32.and (local.get $i) (i32.const 1)) (then ${count}) (else ${count} ${count}))`],
  ["a nested loop", `(local.set $j (i32.const 0)) (loop $in ${count} (local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $in (i32.lt_u (local.get $j) (i32.const 3))))`],
  ["a memory.fill", `(memory.fill (i32.const 0) (local.get $c) (i32.and (local.get $i) (i32.const 255))) ${count}`],
  ["a try", `(try (do ${count}) (catch_all))`],
];
const withBody = (shape: string, body: string) => shape.replace(count, body);
const bodyModule = (loop: string) =>
  `(module (memory 1) (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32) (local $j i32) ${loop} (local.get $c)))`;

describe("counted loops with branching bodies", () => {
  const shapes = SHAPES.filter((s) => ["<u step 1", "!= step -1", "top-tested <s"].includes(s.name));
  const cases = shapes.flatMap((shape) => BODIES.map(([name, body]) => [`${shape.name} around ${name}`, shape, body] as const));
  test.each(cases)("%s", async (_, shape, body) => {
    const compile = async (twin: boolean) => {
      const { bytes, stats } = instrumentModuleWithStats(await watToBytes(bodyModule(withBody(shape.loop(twin), body)), ["exceptions"]), { maxMemoryPages: 1 });
      return { instance: instantiate(bytes), stats };
    };
    const counted = await compile(false);
    const twin = await compile(true);
    if (body.includes("(loop $in")) {
      // A nested loop that is not counted keeps the outer one from being counted (scanner.ts, onlyCheckedPointsAfter).
      expect([counted.stats.countedLoops, twin.stats.countedLoops]).toEqual([0, 0]);
    } else {
      expect(counted.stats.countedLoops).toBeGreaterThanOrEqual(1);
      expect(twin.stats.countedLoops).toBe(counted.stats.countedLoops - 1);
    }
    for (const [i, n] of inputs().slice(0, 120)) {
      const a = runInstance(counted.instance, BUDGET, [i, n]);
      const b = runInstance(twin.instance, BUDGET, [i, n]);
      const at = `from i=${i} to n=${n}`;
      if (b.kind === "ok" && a.kind === "ok") {
        expect(a.value, at).toBe(b.value);
        expect(a.fuelUsed, at).toBeGreaterThanOrEqual(b.fuelUsed);
      } else expect(a.kind, at).toBe("oof");
    }
  });
});

describe("out of fuel is told apart from the guest's own traps", () => {
  // A counted loop dividing by (n - 1 - i): traps on its last iteration.
  const wat = `(module (func (export "run") (param $i i32) (param $n i32) (result i32) (local $c i32)
    (loop $l (local.set $c (i32.div_u (i32.const 100) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i))))
      (br_if $l (i32.lt_u ${step(1)} (local.get $n))))
    (local.get $c)))`;

  test("a trap the budget can pay for is the trap, with fuel left", async () => {
    const { instance, stats } = await build(wat);
    expect(stats.countedLoops).toBe(1);
    const outcome = runInstance(instance, BUDGET, [0, 1000]);
    expect(outcome.kind).toBe("trap");
    expect(String((outcome as { error: unknown }).error)).toMatch(/divide by zero/);
    expect((outcome as { left: bigint }).left).toBeGreaterThanOrEqual(0n);
  });

  test("a loop the budget cannot pay for is out of fuel before it traps", async () => {
    const { instance } = await build(wat);
    expect(runInstance(instance, 1000n, [0, 1000]).kind).toBe("oof");
  });

  test("recursion deeper than the stack with fuel to spare is a stack overflow, not out of fuel", async () => {
    const { instance } = await build(`(module (func $f (export "run") (param i32) (result i32)
      (i32.add (i32.const 1) (call $f (local.get 0)))))`);
    const outcome = runInstance(instance, 1n << 40n, [0]);
    expect(outcome.kind).toBe("trap");
    expect((outcome as { error: unknown }).error).toBeInstanceOf(RangeError);
  });
});

// Dynamic charges read their operand unsigned: a "negative" length or page count is huge, never a refund.
const DYNAMIC_OPS: [string, string, (n: bigint) => bigint][] = [
  ["memory.fill", "(memory.fill (i32.const 0) (i32.const 0) (local.get 0))", (n) => 1n + n / 16n],
  ["memory.copy", "(memory.copy (i32.const 0) (i32.const 0) (local.get 0))", (n) => 1n + n / 16n],
  ["memory.init", "(memory.init $d (i32.const 0) (i32.const 0) (local.get 0))", (n) => 1n + n / 16n],
  ["memory.grow", "(drop (memory.grow (local.get 0)))", (n) => 1n + 1024n * n],
  ["table.fill", "(table.fill $t (i32.const 0) (ref.null func) (local.get 0))", (n) => 1n + n],
  ["table.copy", "(table.copy $t $t (i32.const 0) (i32.const 0) (local.get 0))", (n) => 1n + n],
  ["table.init", "(table.init $t $e (i32.const 0) (i32.const 0) (local.get 0))", (n) => 1n + n],
  ["table.grow", "(drop (table.grow $t (ref.null func) (local.get 0)))", (n) => 1n + n],
];

describe("dynamic charges", () => {
  test.each(DYNAMIC_OPS)("%s charges its length as unsigned", async (_, op, charge) => {
    const wat = `(module (memory 1) (table $t 1 funcref) (data $d "abc") (elem $e func $run) (func $run (export "run") (param i32) ${op}))`;
    const instance = instantiate(instrumentModule(await watToBytes(wat), { maxMemoryPages: 2, maxTableElements: 100 }));
    for (const n of [-1, -0x80000000, 0x7fffffff, 0x10000]) {
      const outcome = runInstance(instance, BUDGET, [n]);
      const expected = charge(BigInt(n >>> 0));
      // Out of fuel exactly when the charge exceeds the budget (else it succeeds or traps, paid).
      expect(outcome.kind === "oof", `${op} of ${n >>> 0}`).toBe(expected > BUDGET);
      expect(getFuel(instance)).toBeLessThanOrEqual(BUDGET - expected);
    }
  });
});

describe("fuel is deterministic", () => {
  test("the same module, input and budget give the same outcome and fuel on fresh and reused instances", async () => {
    for (const shape of SHAPES) {
      const wat = moduleOf(shape.loop(false));
      const first = await build(wat);
      const second = await build(wat);
      for (const [i, n] of inputs().slice(0, 40)) {
        for (const budget of [50n, 1000n, BUDGET]) {
          const a = runInstance(first.instance, budget, [i, n]);
          expect(runInstance(second.instance, budget, [i, n])).toEqual(a);
          expect(runInstance(first.instance, budget, [i, n])).toEqual(a);
        }
      }
    }
  });
});

describe("counted loops that leave early are charged what they run", () => {
  test("a top-tested loop whose arm breaks to the if's end after 3 iterations fits a budget of 10,000", async () => {
    // (br_if 0) in the arm targets the if's end, which falls out of the loop's end: the loop can leave
    // early, so it is not counted (counted-loop.ts, matchTopTested) and pays for the 4 runs it makes.
    const wat = moduleOf(`(loop $l (if (i32.lt_s (local.get $i) (local.get $n)) (then
      (br_if 0 (i32.eq (local.get $i) (i32.const 3))) ${count}
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))`);
    const { instance, stats } = await build(wat);
    expect(stats.countedLoops).toBe(0);
    expect(runInstance(instance, 10_000n, [0, 10])).toMatchObject({ kind: "ok", value: 3 });
    expect(runInstance(instance, 10_000n, [0, 1_000_000])).toMatchObject({ kind: "ok", value: 3 });
  });
});

describe("region charges inside a counted loop are checked", () => {
  const heavy = "(local.set $c (i32.mul (local.get $c) (i32.const 3)))".repeat(100);
  // Paths of two regions (the loop's and a nested loop's, never entered here) meet at $b's end,
  // so the code after it is a region of its own, charged unchecked; no br_table is needed.
  const mixed = moduleOf(`(loop $l
      (block $b (br_if $b (i32.const 1)) (loop $in (br_if $b (i32.const 1)) (br $in)))
      ${heavy}
      (br_if $l (i32.lt_u ${step(1)} (local.get $n))))`);
  const topTested = moduleOf(`(loop $l (if (i32.lt_s (local.get $i) (local.get $n)) (then
      (block $b (br_table $b $b (local.get $c))) ${heavy}
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))))`);
  test.each([["a join of two regions", mixed], ["a top-tested loop's br_table", topTested]])("after %s", async (_, wat) => {
    const { instance, stats } = await build(wat);
    // Not counted: the region after the join (or br_table target) would otherwise be charged unchecked.
    expect(stats.countedLoops).toBe(0);
    expect(runInstance(instance, BUDGET, [0, 100_000]).kind).toBe("oof");
    expect(getFuel(instance)).toBeGreaterThanOrEqual(-OVERSHOOT);
  });
});

describe("counted loops bounded near 2^32", () => {
  test("i <u 2^32 - 1 stepping by 1 cannot wrap forever: 15 iterations fit a budget of 10,000", async () => {
    const { instance, stats } = await build(moduleOf(SHAPES[0].loop(false)));
    expect(stats.countedLoops).toBe(1);
    expect(runInstance(instance, 10_000n, [-16, -1])).toMatchObject({ kind: "ok", value: 15 });
  });

  test("i = n = 2^32 - 1 stepping by 1 wraps to 0 and runs 2^32 times: out of fuel before it starts", async () => {
    const { instance, stats } = await build(moduleOf(SHAPES[0].loop(false)));
    expect(stats.countedLoops).toBe(1);
    expect(runInstance(instance, BUDGET, [-1, -1]).kind).toBe("oof");
    expect(getFuel(instance)).toBeGreaterThanOrEqual(-OVERSHOOT);
    // One below: the first step wraps to 0 and it runs 2^32 - 1 times, counted exactly, far past the budget.
    expect(runInstance(instance, BUDGET, [-1, -2]).kind).toBe("oof");
  });
});
