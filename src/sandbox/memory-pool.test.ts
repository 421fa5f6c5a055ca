// Pooled guest memories inside real invocations: every instance sees a fresh module-defined memory's contents and
// size, whatever the previous invocation of the same module did; fuel and output are those of the unpooled module.

import { describe, expect, it } from "vitest";
import { compile, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule } from "../wasm/index.ts";
import { importMemory } from "../wasm/memory-import.ts";
import { runInvocation, type SandboxSettings } from "./invocation.ts";
import { MemoryPool, memoryPoolFor, POOLED_MEMORY_MAX_IDLE, POOLED_MEMORY_MAX_PAGES } from "./memory-pool.ts";

const SETTINGS: SandboxSettings = { functionName: "fn", region: "wnam", profile: ["minimal"], maxMemoryPages: 64, config: {}, allowedHosts: [] };
const REQUEST = { fuel: 1_000_000, maxResponseBytes: 1 << 20 };

/**
 * Answers what it found before writing: 8 bytes at 200 (a data segment puts "original" there) and memory.size, then
 * overwrites them with the payload's first byte repeated, and grows the memory by that byte's value minus '0' pages.
 */
const GUEST = (pages: number) => `(module
  (memory (export "memory") ${pages} 64)
  (data (i32.const 200) "original")
  (global $bump (mut i32) (i32.const 4096))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local.set $p (global.get $bump))
    (global.set $bump (i32.add (local.get $p) (local.get $size))) (local.get $p))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $byte i32)
    (memory.copy (i32.const 1000) (i32.const 200) (i32.const 8))
    (i32.store8 (i32.const 1008) (i32.add (i32.const 48) (memory.size)))
    (i32.store8 (i32.const 1009) (i32.load8_u (i32.const 70000)))
    (local.set $byte (i32.load8_u (local.get $ptr)))
    (memory.fill (i32.const 200) (local.get $byte) (i32.const 8))
    (i32.store8 (i32.const 70000) (local.get $byte))
    (drop (memory.grow (i32.sub (local.get $byte) (i32.const 48))))
    (i64.or (i64.shl (i64.const 1000) (i64.const 32)) (i64.const 10))))`;

async function modules(pages: number) {
  const instrumented = instrumentModule(await watToBytes(GUEST(pages)), { maxMemoryPages: 64 });
  return { pooled: compile(importMemory(instrumented).bytes), plain: compile(instrumented) };
}

async function invoke(module: WebAssembly.Module, payload: string) {
  const outcome = await runInvocation(module, new TextEncoder().encode(payload), REQUEST, SETTINGS);
  if (!outcome.ok) throw new Error(`invocation failed: ${JSON.stringify(outcome.error)}`);
  return { text: new TextDecoder().decode(outcome.output), fuelUsed: outcome.fuelUsed, memoryPages: outcome.memoryPages };
}

describe("pooled guest memory", () => {
  it("reuses one memory across invocations, each seeing zeros and its own data segments, not what the last one wrote", async () => {
    const { pooled } = await modules(2);
    const pool = memoryPoolFor(pooled)!;
    expect(pool).not.toBeNull();
    expect(pool.idleCount).toBe(0);
    // "0": grows by nothing, so the memory goes back to the pool.
    expect((await invoke(pooled, "0")).text).toBe("original2\0");
    expect(pool.idleCount).toBe(1);
    const reused = pool.acquire();
    pool.release(reused);
    expect((await invoke(pooled, "0")).text).toBe("original2\0");
    expect(pool.acquire()).toBe(reused);
    pool.release(reused);
  });

  it("does not take back a memory that grew: the next instance starts at the declared size", async () => {
    const { pooled } = await modules(2);
    const pool = memoryPoolFor(pooled)!;
    const first = await invoke(pooled, "3");
    expect(first).toMatchObject({ text: "original2\0", memoryPages: 5 });
    expect(pool.idleCount).toBe(0);
    expect((await invoke(pooled, "0")).text).toBe("original2\0");
  });

  it("charges exactly the fuel, and answers exactly what, the module with its own memory does", async () => {
    const { pooled, plain } = await modules(2);
    for (const payload of ["0", "1", "0", "2"]) {
      expect(await invoke(pooled, payload)).toEqual(await invoke(plain, payload));
    }
  });

  it("creates memories above the pooled size fresh each time, with the same result", async () => {
    const { pooled, plain } = await modules(POOLED_MEMORY_MAX_PAGES + 1);
    expect(await invoke(pooled, "0")).toEqual(await invoke(plain, "0"));
    expect(memoryPoolFor(pooled)!.idleCount).toBe(0);
  });

  it("keeps at most POOLED_MEMORY_MAX_IDLE idle memories, and zeroes the ones it hands out", () => {
    const pool = new MemoryPool({ initial: 1, maximum: 2 });
    const memories = Array.from({ length: POOLED_MEMORY_MAX_IDLE + 2 }, () => pool.acquire());
    for (const memory of memories) {
      new Uint8Array(memory.buffer).fill(7);
      pool.release(memory);
    }
    expect(pool.idleCount).toBe(POOLED_MEMORY_MAX_IDLE);
    const memory = pool.acquire();
    expect(memories).toContain(memory);
    expect(new Uint8Array(memory.buffer).every((b) => b === 0)).toBe(true);
  });

  it("gives no pool to a module that defines its own memory", async () => {
    const { plain } = await modules(1);
    expect(memoryPoolFor(plain)).toBeNull();
  });
});
