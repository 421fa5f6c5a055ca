// Host functions inside real invocations (runInvocation on instrumented WAT guests): output, config, fuel charged
// per call, leaks, and linking only what the profile grants.

import { describe, expect, it } from "vitest";
import { compile, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule } from "../wasm/index.ts";
import { HostStatus } from "./host-status.ts";
import { runInvocation, type SandboxSettings } from "./invocation.ts";

const ALLOCATOR = `
  (global $bump (mut i32) (i32.const 8192))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local.set $p (global.get $bump))
    (global.set $bump (i32.add (local.get $p) (local.get $size))) (local.get $p))`;

async function run(
  body: string,
  imports: string,
  profile: string[],
  options: { fuel?: number; maxResponseBytes?: number; payload?: string; deadline?: number } = {},
) {
  const wat = `(module ${imports} (memory (export "memory") 1) ${ALLOCATOR} ${body})`;
  const module = compile(instrumentModule(await watToBytes(wat), { maxMemoryPages: 1 }));
  const settings: SandboxSettings = {
    functionName: "fn",
    region: "wnam",
    profile,
    maxMemoryPages: 1,
    config: { greeting: "hello there" },
    allowedHosts: [],
  };
  const payload = new TextEncoder().encode(options.payload ?? "");
  const request = { fuel: options.fuel ?? 1_000_000, maxResponseBytes: options.maxResponseBytes ?? 1024, deadline: options.deadline };
  return runInvocation(module, payload, request, settings);
}

const OUTPUT = `(import "heliosdb" "heliosdb_output" (func $output (param i32 i32) (result i32)))`;
const CONFIG = `(import "heliosdb" "heliosdb_config_get" (func $config (param i32 i32 i32 i32 i32) (result i32)))`;
const text = (buffer: ArrayBuffer) => new TextDecoder().decode(buffer);

describe("heliosdb_output", () => {
  it("the response is the emitted bytes followed by the returned location's bytes", async () => {
    const outcome = await run(
      `(data (i32.const 100) "head-tail")
       (func (export "handle") (param i32 i32) (result i64)
         (drop (call $output (i32.const 100) (i32.const 5)))
         (i64.or (i64.shl (i64.const 105) (i64.const 32)) (i64.const 4)))`,
      OUTPUT,
      ["minimal"],
    );
    expect(outcome.ok && text(outcome.output)).toBe("head-tail");
  });

  it("refuses emitted output past maxResponseBytes (tooLarge, nothing kept), and counts it against the cap", async () => {
    const outcome = await run(
      `(func (export "handle") (param i32 i32) (result i64)
         (i32.store (i32.const 0) (call $output (i32.const 100) (i32.const 9)))
         (drop (call $output (i32.const 100) (i32.const 6)))
         (i64.const 4))`,
      OUTPUT,
      ["minimal"],
      { maxResponseBytes: 8 },
    );
    // 6 emitted + 4 returned = 10 > 8; the 9-byte emit was refused with tooLarge (stored at address 0).
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: "response_too_large", details: { size: 10, limit: 8 } });
    const refused = await run(
      `(func (export "handle") (param i32 i32) (result i64)
         (i32.store (i32.const 0) (call $output (i32.const 100) (i32.const 9)))
         (i64.const 4))`,
      OUTPUT,
      ["minimal"],
      { maxResponseBytes: 8 },
    );
    expect(refused.ok && new Int32Array(refused.output.slice(0, 4))[0]).toBe(HostStatus.tooLarge);
  });
});

describe("heliosdb_config_get", () => {
  const handle = (cap: number) => `
    (data (i32.const 100) "greeting")
    (func (export "handle") (param i32 i32) (result i64)
      (i32.store (i32.const 300) (i32.const 0xAAAAAAAA))
      (i32.store (i32.const 304) (call $config (i32.const 100) (i32.const 8) (i32.const 200) (i32.const ${cap}) (i32.const 300)))
      (i64.or (i64.shl (i64.const 200) (i64.const 32)) (i64.const 112)))`;

  it("writes the value and its length", async () => {
    const outcome = await run(handle(64), CONFIG, ["compute"]);
    if (!outcome.ok) throw new Error(outcome.error.message);
    const bytes = new Uint8Array(outcome.output);
    expect(text(bytes.slice(0, 11).buffer)).toBe("hello there");
    const view = new DataView(outcome.output);
    expect(view.getUint32(100, true)).toBe(11);
    expect(view.getInt32(104, true)).toBe(HostStatus.ok);
  });

  it("on a small buffer writes only the required length and returns bufferTooSmall", async () => {
    const outcome = await run(handle(4), CONFIG, ["compute"]);
    if (!outcome.ok) throw new Error(outcome.error.message);
    const view = new DataView(outcome.output);
    expect(new Uint8Array(outcome.output, 0, 11).every((b) => b === 0)).toBe(true);
    expect(view.getUint32(100, true)).toBe(11);
    expect(view.getInt32(104, true)).toBe(HostStatus.bufferTooSmall);
  });

  it("is never linked for a profile that lacks it: instantiation fails", async () => {
    const outcome = await run(handle(64), CONFIG, ["minimal"]);
    expect(!outcome.ok && outcome.error.code).toBe("guest_abi_violation");
  });
});

describe("fuel and leaks", () => {
  it("a flood of cheap host calls runs out of fuel", async () => {
    const outcome = await run(
      `(func (export "handle") (param i32 i32) (result i64)
         (loop $again (drop (call $clock)) (br $again))
         (i64.const 0))`,
      `(import "heliosdb" "heliosdb_clock_now_ms" (func $clock (result i64)))`,
      ["compute"],
      { fuel: 50_000 },
    );
    expect(!outcome.ok && outcome.error.code).toBe("out_of_fuel");
    expect(outcome.fuelUsed).toBe(50_000);
  });

  it("a host call past the invocation's wall-clock deadline ends it with invocation_deadline_exceeded", async () => {
    const flood = `(func (export "handle") (param i32 i32) (result i64)
         (loop $again (drop (call $clock)) (br $again))
         (i64.const 0))`;
    const clock = `(import "heliosdb" "heliosdb_clock_now_ms" (func $clock (result i64)))`;
    const deadline = Date.now() - 1;
    const late = await run(flood, clock, ["compute"], { fuel: 1_000_000_000, deadline });
    expect(!late.ok && late.error).toMatchObject({ code: "invocation_deadline_exceeded", details: { deadlineMs: deadline } });
    // The very first host call read the clock: the guest got no further than one call's worth of fuel.
    expect(late.fuelUsed).toBeLessThan(10_000);
    // Refused calls take part too: a refused heliosdb_log is still a host call.
    const refusals = `(func (export "handle") (param i32 i32) (result i64)
         (loop $again (drop (call $log (i32.const 1) (i32.const 0) (i32.const -1))) (br $again))
         (i64.const 0))`;
    const log = `(import "heliosdb" "heliosdb_log" (func $log (param i32 i32 i32) (result i32)))`;
    const refused = await run(refusals, log, ["minimal"], { fuel: 1_000_000_000, deadline });
    expect(!refused.ok && refused.error.code).toBe("invocation_deadline_exceeded");
    // A deadline in the future changes nothing.
    const onTime = await run(flood, clock, ["compute"], { fuel: 50_000, deadline: Date.now() + 60_000 });
    expect(!onTime.ok && onTime.error.code).toBe("out_of_fuel");
  });

  it("reports host-made blocks never freed", async () => {
    const outcome = await run(
      `(func (export "handle") (param i32 i32) (result i64)
         (drop (call $alloc (i32.const 10)))
         (drop (call $free (call $alloc (i32.const 20)) (i32.const 20)))
         (drop (call $alloc (i32.const 30)))
         (i64.const 0))`,
      `(import "heliosdb" "heliosdb_alloc" (func $alloc (param i32) (result i32)))
       (import "heliosdb" "heliosdb_dealloc" (func $free (param i32 i32) (result i32)))`,
      ["compute"],
    );
    expect(outcome).toMatchObject({ ok: true, leakedBlocks: 2, leakedBytes: 40 });
  });
});

describe("host calls by name", () => {
  it("counts every call of each linked function, refused ones too, and reports only those made", async () => {
    const outcome = await run(
      `(data (i32.const 100) "abc")
       (func (export "handle") (param i32 i32) (result i64)
         (drop (call $output (i32.const 100) (i32.const 3)))
         (drop (call $output (i32.const 100) (i32.const 3)))
         ;; Out of bounds: refused with a status, still a call.
         (drop (call $config (i32.const 70000) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
         (i64.const 0))`,
      `${OUTPUT} ${CONFIG}`,
      ["compute"],
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.hostCalls).toEqual({ heliosdb_output: 2, heliosdb_config_get: 1 });
  });

  it("reports no calls for a guest that makes none", async () => {
    const outcome = await run(`(func (export "handle") (param i32 i32) (result i64) (i64.const 0))`, OUTPUT, ["minimal"]);
    expect(outcome.hostCalls).toEqual({});
  });
});
