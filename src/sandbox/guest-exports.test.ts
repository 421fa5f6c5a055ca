// The exports an invocation reads, from a plan made once per module: which entry runs, which optional exports are
// there, and the refusal of a module that lacks a required one (memory; helios_alloc and handle for version 1).

import { describe, expect, it } from "vitest";
import { compile, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule } from "../wasm/index.ts";
import { runInvocation, type SandboxSettings } from "./invocation.ts";

const SETTINGS: SandboxSettings = { functionName: "fn", region: "wnam", profile: ["minimal"], maxMemoryPages: 1, config: {}, allowedHosts: [] };
const ALLOC = `(func (export "helios_alloc") (param i32) (result i32) (i32.const 1024))`;
const HANDLE = `(func (export "handle") (param i32 i32) (result i64) (i64.const 2))`;

async function invoke(body: string) {
  const module = compile(instrumentModule(await watToBytes(`(module ${body})`), { maxMemoryPages: 1 }));
  const request = { fuel: 1_000_000, maxResponseBytes: 1024 };
  // Twice: the second invocation reads the plan the first one made.
  const first = await runInvocation(module, new Uint8Array(0), request, SETTINGS);
  const second = await runInvocation(module, new Uint8Array(0), request, SETTINGS);
  expect(second).toStrictEqual(first);
  return first;
}

describe("guest exports", () => {
  it("runs a version-1 handler with its allocator", async () => {
    const outcome = await invoke(`(memory (export "memory") 1) ${ALLOC} ${HANDLE}`);
    expect(outcome.ok && new Uint8Array(outcome.output)).toEqual(new Uint8Array(2));
  });

  it("refuses a module without a memory, an allocator or a handler, naming what is missing", async () => {
    for (const [body, missing] of [
      [`(memory 1) ${ALLOC} ${HANDLE}`, 'no exported memory "memory"'],
      [`(memory (export "memory") 1) ${HANDLE}`, 'no exported function "helios_alloc"'],
      [`(memory (export "memory") 1) ${ALLOC}`, 'no exported function "handle"'],
      [`(memory (export "memory") 1) (global (export "handle") i32 (i32.const 0)) ${ALLOC}`, 'no exported function "handle"'],
    ] as const) {
      const outcome = await invoke(body);
      expect(!outcome.ok && outcome.error.code).toBe("guest_abi_violation");
      expect(!outcome.ok && outcome.error.message).toBe(`the module broke the guest ABI: ${missing}`);
    }
  });

  it("runs a version-2 handler, which needs no allocator", async () => {
    const outcome = await invoke(`(memory (export "memory") 1) (func (export "handle_request"))`);
    expect(outcome.ok).toBe(true);
  });
});
