import { describe, expect, test } from "vitest";
import { OutOfFuelError, PolicyViolationError } from "./errors.ts";
import { instantiate, loadFixture, watToBytes } from "./fixtures.ts";
import {
  CHARGE_EXPORT,
  callMetered,
  callMeteredAsync,
  chargeFuel,
  chargeFuelGlobal,
  fuelCharger,
  FUEL_EXPORT,
  fuelGlobal,
  GROW_FAILED_EXPORT,
  getFuel,
  runStart,
  setFuel,
  START_EXPORT,
} from "./fuel.ts";
import { decodeCode } from "./code.ts";
import { decodeModule } from "./decoder.ts";
import { inspectModule } from "./inspector.ts";
import { SectionId } from "./types.ts";
import { instrumentModule, instrumentModuleWithStats } from "./instrumenter.ts";

describe("instrumentModule", () => {
  test("moves the start function to an export that runs metered, not at instantiation", async () => {
    const bytes = await watToBytes(`(module
      (memory (export "mem") 1)
      (func $init (i32.store (i32.const 0) (i32.const 42)))
      (start $init))`);
    expect(new Uint32Array((instantiate(bytes).exports.mem as WebAssembly.Memory).buffer)[0]).toBe(42);
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const words = () => new Uint32Array((inst.exports.mem as WebAssembly.Memory).buffer);
    expect(words()[0]).toBe(0);
    expect(typeof inst.exports[START_EXPORT]).toBe("function");
    expect(runStart(inst, 100n)).toBe(3n); // i32.const, i32.const, i32.store
    expect(words()[0]).toBe(42);
  });

  test("a module without a start function gets no start export", async () => {
    const out = instrumentModule(await watToBytes(`(module (func (export "f")))`), { maxMemoryPages: 1 });
    expect(inspectModule(out).exports.map((e) => e.name)).toEqual(["f", FUEL_EXPORT, GROW_FAILED_EXPORT, CHARGE_EXPORT]);
  });

  test("raises the grow-failed flag only when a memory.grow returns -1, without changing the fuel charged", async () => {
    const wat = `(module (memory (export "m") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`;
    const bytes = await watToBytes(wat);
    const out = instrumentModule(bytes, { maxMemoryPages: 3 });
    const inst = instantiate(out);
    const grow = (n: number) => callMetered(inst, 10_000n, () => (inst.exports.grow as (n: number) => number)(n));
    const flag = inst.exports[GROW_FAILED_EXPORT] as WebAssembly.Global;
    expect(flag.value).toBe(0);
    expect(grow(0).value).toBe(1);
    expect(grow(2).value).toBe(1);
    expect(flag.value).toBe(0); // at the cap, nothing refused yet
    const refused = grow(1);
    expect(refused.value).toBe(-1);
    expect(flag.value).toBe(1);
    // The flag costs no fuel: the same grow is charged what the cost model says (1 + 1024 per page asked + the rest).
    const fresh = instantiate(instrumentModule(bytes, { maxMemoryPages: 3 }));
    const charged = callMetered(fresh, 10_000n, () => (fresh.exports.grow as (n: number) => number)(5));
    expect(charged.value).toBe(-1);
    expect(BigInt(charged.fuelUsed)).toBe(BigInt(refused.fuelUsed) + 4n * 1024n);
  });

  test("clamps a missing or larger memory maximum to the cap and refuses a larger minimum", async () => {
    const open = await watToBytes(`(module (memory (export "m") 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
    const out = instrumentModule(open, { maxMemoryPages: 3 });
    expect(inspectModule(out).memories).toEqual([{ min: 1, max: 3, imported: false }]);
    const inst = instantiate(out);
    const grow = inst.exports.grow as (n: number) => number;
    expect(callMetered(inst, 1n << 20n, () => grow(2)).value).toBe(1);
    expect(callMetered(inst, 1n << 20n, () => grow(1)).value).toBe(-1);

    const bigMax = await watToBytes(`(module (memory 1 100))`);
    expect(inspectModule(instrumentModule(bigMax, { maxMemoryPages: 8 })).memories[0].max).toBe(8);
    const smallMax = await watToBytes(`(module (memory 1 2))`);
    expect(inspectModule(instrumentModule(smallMax, { maxMemoryPages: 8 })).memories[0].max).toBe(2);
    const imported = await watToBytes(`(module (import "env" "mem" (memory 1)))`);
    expect(inspectModule(instrumentModule(imported, { maxMemoryPages: 4 })).memories[0]).toEqual({ min: 1, max: 4, imported: true });

    const tooBig = await watToBytes(`(module (memory 10))`);
    expect(() => instrumentModule(tooBig, { maxMemoryPages: 4 })).toThrow(PolicyViolationError);
  });

  test("clamps table maxima when asked, and refuses a larger initial size", async () => {
    const bytes = await watToBytes(`(module (table (export "t") 2 funcref)
      (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))`);
    expect(inspectModule(instrumentModule(bytes, { maxMemoryPages: 1 })).tables[0].max).toBeNull();
    const out = instrumentModule(bytes, { maxMemoryPages: 1, maxTableElements: 5 });
    expect(inspectModule(out).tables[0]).toMatchObject({ min: 2, max: 5 });
    const inst = instantiate(out);
    const grow = inst.exports.grow as (n: number) => number;
    expect(callMetered(inst, 1000n, () => grow(3)).value).toBe(2);
    expect(callMetered(inst, 1000n, () => grow(1)).value).toBe(-1);
    expect(() => instrumentModule(bytes, { maxMemoryPages: 1, maxTableElements: 1 })).toThrow(/table 0 declares a minimum of 2 elements/);
  });

  test("refuses guest exports in the reserved namespace", async () => {
    const bytes = await watToBytes(`(module (func (export "__helios_fuel")))`);
    expect(() => instrumentModule(bytes, { maxMemoryPages: 1 })).toThrow(/reserved/);
  });

  test("appends the fuel global and the grow-failed flag after imported and defined globals without renumbering", async () => {
    const bytes = await watToBytes(`(module
      (import "env" "g" (global $g i32))
      (global $h (mut i32) (i32.const 7))
      (func (export "sum") (result i32) (i32.add (global.get $g) (global.get $h))))`);
    const out = instrumentModule(bytes, { maxMemoryPages: 1 });
    const info = inspectModule(out);
    expect(info.globals.map((g) => [g.type, g.mutable, g.imported])).toEqual([
      ["i32", false, true],
      ["i32", true, false],
      ["i64", true, false],
      ["i32", true, false],
    ]);
    expect(info.exports.find((e) => e.name === FUEL_EXPORT)?.index).toBe(2);
    expect(info.exports.find((e) => e.name === GROW_FAILED_EXPORT)?.index).toBe(3);
    const inst = instantiate(out, { env: { g: new WebAssembly.Global({ value: "i32", mutable: false }, 5) } });
    expect(callMetered(inst, 100n, () => (inst.exports.sum as () => number)()).value).toBe(12);
  });

  test("keeps function indices: tables, exports and call_indirect still reach the same functions", async () => {
    const bytes = await watToBytes(`(module
      (type $t (func (result i32)))
      (table 2 funcref)
      (elem (i32.const 0) $a $b)
      (func $a (result i32) (i32.const 10))
      (func $b (result i32) (i32.const 20))
      (func (export "pick") (param i32) (result i32) (call_indirect (type $t) (local.get 0))))`);
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const pick = inst.exports.pick as (i: number) => number;
    expect(callMetered(inst, 100n, () => pick(0)).value).toBe(10);
    expect(callMetered(inst, 100n, () => pick(1)).value).toBe(20);
  });

  test("an exhausted budget is OutOfFuel; a guest trap with fuel left stays a plain trap", async () => {
    const bytes = await watToBytes(`(module
      (func (export "trap") unreachable)
      (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0))))`);
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const trap = inst.exports.trap as () => void;
    const div = inst.exports.div as (n: number) => number;
    expect(() => callMetered(inst, 100n, trap)).toThrow(WebAssembly.RuntimeError);
    expect(() => callMetered(inst, 100n, trap)).not.toThrow(OutOfFuelError);
    expect(() => callMetered(inst, 100n, () => div(0))).toThrow(/divide by zero/);
    expect(() => callMetered(inst, 2n, () => div(1))).toThrow(OutOfFuelError);
    expect(callMetered(inst, 3n, () => div(1))).toEqual({ value: 1, fuelUsed: 3n });
  });

  test("fuel starts at zero, so a call the host did not budget traps at its first check", async () => {
    const bytes = await watToBytes(`(module
      (func $leaf (result i32) (i32.const 1))
      (func (export "calls") (result i32) (call $leaf))
      (func (export "leaf") (result i32) (call $leaf) (drop) (i32.const 2)))`);
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    expect(getFuel(inst)).toBe(0n);
    expect(() => (inst.exports.calls as () => number)()).toThrow(WebAssembly.RuntimeError);
    expect(getFuel(inst)).toBeLessThan(0n);
    setFuel(inst, 2n);
    expect((inst.exports.calls as () => number)()).toBe(1);
    expect(getFuel(inst)).toBe(0n);
  });

  test("a loop-free leaf may finish past its budget, but callMetered refuses the result", async () => {
    const bytes = await watToBytes(`(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))`);
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
    const f = inst.exports.f as () => number;
    expect(callMetered(inst, 3n, f)).toEqual({ value: 3, fuelUsed: 3n });
    expect(() => callMetered(inst, 2n, f)).toThrow(OutOfFuelError);
  });

  test("inserts type, function, global, export and code sections in binary order when the input has none", async () => {
    const bytes = await watToBytes(`(module (memory 1) (data (i32.const 0) "hi"))`);
    const out = instrumentModule(bytes, { maxMemoryPages: 1 });
    expect(WebAssembly.validate(out)).toBe(true);
    const info = inspectModule(out);
    expect(info.exports).toEqual([
      { name: FUEL_EXPORT, kind: "global", index: 0 },
      { name: GROW_FAILED_EXPORT, kind: "global", index: 1 },
      { name: CHARGE_EXPORT, kind: "func", index: 0 },
    ]);
    expect(info.types).toEqual([{ params: ["i32"], results: ["i32"] }]);
  });

  test("the charge export subtracts an unsigned i32 from the fuel and says whether any is left", async () => {
    const bytes = await watToBytes(`(module (type (func (param i32) (result i32))) (import "env" "f" (func (type 0)))
      (func (export "g") (param i32) (result i32) (local.get 0)))`);
    const out = instrumentModule(bytes, { maxMemoryPages: 1 });
    const info = inspectModule(out);
    expect(info.types).toHaveLength(1); // the existing (i32) -> i32 type is reused
    expect(info.exports.find((e) => e.name === CHARGE_EXPORT)?.index).toBe(2); // after the import and g
    const inst = instantiate(out, { env: { f: (x: number) => x } });
    const charge = inst.exports[CHARGE_EXPORT] as (amount: number) => number;
    setFuel(inst, 10n);
    expect(charge(4)).toBe(1);
    expect(getFuel(inst)).toBe(6n);
    expect(charge(6)).toBe(1);
    expect(charge(1)).toBe(0);
    expect(getFuel(inst)).toBe(-1n);
    setFuel(inst, 1n << 40n);
    expect(charge(0xffffffff)).toBe(1); // unsigned: 2^32 - 1, not -1
    expect(getFuel(inst)).toBe((1n << 40n) - 0xffffffffn);
    const charger = fuelCharger(inst);
    setFuel(inst, 5n);
    expect(charger(5)).toBe(true);
    expect(getFuel(inst)).toBe(0n);
    setFuel(inst, (1n << 40n) - 1n);
    expect(charger(2 ** 40)).toBe(false); // past u32: charged through the global
    expect(getFuel(inst)).toBe(-1n);
  });

  test("reports what it inserted", async () => {
    const bytes = await watToBytes(`(module (func (export "f") (param i32)
      (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (memory.fill (i32.const 0) (i32.const 0) (i32.const 0)))
      (memory 1))`, ["bulk_memory"]);
    const { stats } = instrumentModuleWithStats(bytes, { maxMemoryPages: 1 });
    // The function makes no call, so its entry needs no check; it charges the code after the loop
    // (3 consts + memory.fill) in advance. The loop header (5 instructions) is charged and checked.
    expect(stats).toMatchObject({ functions: 1, checks: 1, dynamicCharges: 1, charges: 2 });
  });

  test("checks before a call only where no check precedes it, and once at the entry for several", async () => {
    const checksOf = async (body: string) =>
      instrumentModuleWithStats(await watToBytes(`(module (func $leaf) (func (export "f") (param i32) ${body}))`), { maxMemoryPages: 1 }).stats.checks;
    // One call on one arm: one check, right before it.
    expect(await checksOf(`(if (local.get 0) (then (call $leaf)))`)).toBe(1);
    // A second call after the first: the first one's check precedes it on every path.
    expect(await checksOf(`(call $leaf) (call $leaf)`)).toBe(1);
    // A call inside a loop, and one after it: both follow the loop header's check.
    expect(await checksOf(`(loop (call $leaf) (br_if 0 (local.get 0))) (call $leaf)`)).toBe(1);
    // Calls on two arms each need a check: one at the entry instead (smaller, checks both).
    expect(await checksOf(`(if (local.get 0) (then (call $leaf)) (else (call $leaf)))`)).toBe(1);
    // After an if whose then arm checked, the else path did not: the call after it is checked too.
    expect(await checksOf(`(if (local.get 0) (then (loop (br_if 0 (local.get 0))))) (call $leaf)`)).toBe(2);
    expect(await checksOf(`(local.get 0) (drop)`)).toBe(0);
  });

  test("a charge checked right after it hands its result to the check in a local, also where fuel lives in the global", async () => {
    // The loop calls, so the function charges the global (no fuel local is read anywhere); the
    // header's check still tests the value its charge stored, through a local the charge tees.
    const wat = `(module (func $leaf) (func (export "f") (param i32) (loop $l (call $leaf) (br_if $l (local.get 0)))))`;
    const codeOf = async (cacheFuelInLocals: boolean) => {
      const bytes = instrumentModule(await watToBytes(wat), { maxMemoryPages: 1, cacheFuelInLocals });
      const body = decodeModule(bytes).code[1];
      return { locals: body.locals, names: decodeCode(bytes, body.codeOffset, body.codeOffset + body.code.length).map((i) => i.op.name) };
    };
    const teed = await codeOf(true);
    expect(teed.locals).toEqual([{ count: 1, type: 0x7e }]);
    const at = teed.names.indexOf("loop") + 1;
    expect(teed.names.slice(at, at + 8)).toEqual(["global.get", "i64.const", "i64.sub", "local.tee", "global.set", "local.get", "i64.const", "i64.lt_s"]);
    // cacheFuelInLocals: false always charges the global, and adds no local.
    const global = await codeOf(false);
    expect(global.locals).toEqual([]);
    expect(global.names.slice(at, at + 7)).toEqual(["global.get", "i64.const", "i64.sub", "global.set", "global.get", "i64.const", "i64.lt_s"]);
  });

  test("a dispatch loop's header only checks, and each region its br_table starts pays for it", async () => {
    const statsOf = async (wat: string) => instrumentModuleWithStats(await watToBytes(wat), { maxMemoryPages: 1 }).stats;
    const { bytes } = await loadFixture("fuel", "dispatch_loop");
    // The regions after $a, $b and $exit charge, and the block the loop target is sent through; the
    // header checks and charges nothing.
    expect(instrumentModuleWithStats(bytes, { maxMemoryPages: 1 }).stats).toMatchObject({ charges: 4, checks: 1 });
    // A loop with a parameter is not taken for a dispatch loop: the entry, the header and the region
    // after $a charge.
    expect(await statsOf(`(module (func (export "f") (param i32) (local.get 0)
      (loop $l (param i32) (drop (block $a (param i32) (result i32) (local.get 0) (br_table $a $a))) (i32.const 0) (br $l))))`)).toMatchObject({ charges: 3, checks: 1 });
    // So does a header that branches before its br_table.
    expect(await statsOf(`(module (func (export "f") (param i32)
      (loop $l (block $a (br_if $a (local.get 0)) (br_table $a (local.get 0))) (local.set 0 (i32.const 0)) (br $l))))`)).toMatchObject({ charges: 2, checks: 1 });
  });

  test("host charges come out of the same budget, and a host that overdraws it ends the call as OutOfFuel", async () => {
    const bytes = await watToBytes(`(module (import "host" "work" (func $work))
      (func (export "run") (result i32) (call $work) (i32.const 7)))`);
    let inst!: WebAssembly.Instance;
    let price = 10n;
    const work = () => {
      if (!chargeFuel(inst, price)) throw new Error("host refused: out of fuel");
    };
    inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }), { host: { work } });
    const run = inst.exports.run as () => number;
    expect(callMetered(inst, 100n, run)).toEqual({ value: 7, fuelUsed: 12n }); // call, i32.const + 10
    price = 99n;
    expect(() => callMetered(inst, 100n, run)).toThrow(OutOfFuelError);
    price = 98n;
    await expect(callMeteredAsync(inst, 100n, async () => run())).resolves.toEqual({ value: 7, fuelUsed: 100n });
    price = 99n;
    await expect(callMeteredAsync(inst, 100n, async () => run())).rejects.toBeInstanceOf(OutOfFuelError);
  });

  test("chargeFuelGlobal on the looked-up counter charges exactly like chargeFuel", async () => {
    const bytes = await watToBytes(`(module (import "host" "work" (func $work))
      (func (export "run") (result i32) (call $work) (i32.const 7)))`);
    let counter!: WebAssembly.Global;
    let price = 10n;
    const work = () => {
      if (!chargeFuelGlobal(counter, price)) throw new Error("host refused: out of fuel");
    };
    const inst = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }), { host: { work } });
    counter = fuelGlobal(inst);
    expect(counter).toBe(inst.exports[FUEL_EXPORT]);
    const run = inst.exports.run as () => number;
    expect(callMetered(inst, 100n, run)).toEqual({ value: 7, fuelUsed: 12n });
    price = 98n;
    expect(callMetered(inst, 100n, run)).toEqual({ value: 7, fuelUsed: 100n });
    price = 99n;
    expect(() => callMetered(inst, 100n, run)).toThrow(OutOfFuelError);
    expect(getFuel(inst)).toBe(-1n);
  });
});

describe("sections the instrumenter does not change", () => {
  test("are copied from the input byte for byte: custom, element and data sections", async () => {
    const wat = `(module (memory 1) (table 2 funcref) (func $f) (elem (i32.const 0) $f $f)
      (data (i32.const 0) "a data segment") (@custom "meta" "custom bytes"))`;
    const bytes = await watToBytes(wat, ["annotations"]);
    const out = instrumentModule(bytes, { maxMemoryPages: 1 });
    const sections = (b: Uint8Array, id: number) =>
      decodeModule(b).layout!.filter((s) => s.id === id).map((s) => [...b.subarray(s.start!, s.end!)]);
    for (const id of [SectionId.custom, SectionId.element, SectionId.data]) {
      expect(sections(bytes, id).length, `section ${id} in the input`).toBeGreaterThan(0);
      expect(sections(out, id), `section ${id}`).toEqual(sections(bytes, id));
    }
  });
});
