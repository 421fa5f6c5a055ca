import { describe, expect, it } from "vitest";
import { watToBytes } from "../wasm/fixtures.ts";
import { decodeModule } from "../wasm/index.ts";
import { checkGuestAbi } from "./guest-abi-check.ts";

const ALLOC = `(func (export "helios_alloc") (param i32) (result i32) (i32.const 0))`;
const HANDLE = `(func (export "handle") (param i32 i32) (result i64) (i64.const 0))`;
const MEMORY = `(memory (export "memory") 1)`;

const checkWat = (bytes: Uint8Array) => checkGuestAbi(decodeModule(bytes));
const rules = async (wat: string) => checkWat(await watToBytes(`(module ${wat})`)).map((v) => v.rule);

describe("checkGuestAbi", () => {
  it("accepts a module with memory, allocator and handler", async () => {
    expect(await rules(`${MEMORY} ${ALLOC} ${HANDLE}`)).toEqual([]);
  });

  it("finds export signatures past imported functions in the index space", async () => {
    const imports = `(import "heliosdb" "heliosdb_log" (func (param i32 i32 i32) (result i32)))
      (import "heliosdb" "other" (func (param i64)))`;
    expect(await rules(`${imports} ${MEMORY} ${ALLOC} ${HANDLE}`)).toEqual([]);
  });

  it("names each missing export", async () => {
    const violations = checkWat(await watToBytes(`(module (memory 1) ${ALLOC})`));
    expect(violations.map((v) => v.rule)).toEqual(["abi_export_missing", "abi_export_missing"]);
    expect(violations[0].message).toContain('"memory"');
    expect(violations[1].message).toContain('"handle" (i32, i32) -> (i64)');
  });

  it("refuses a handler with the wrong signature, and an export of the wrong kind", async () => {
    const wrongHandle = `(func (export "handle") (param i32 i32) (result i32) (i32.const 0))`;
    const violations = checkWat(await watToBytes(`(module ${MEMORY} ${wrongHandle} (global (export "helios_alloc") i32 (i32.const 0)))`));
    expect(violations).toEqual([
      { rule: "abi_export_missing", message: expect.stringContaining('"helios_alloc"') },
      { rule: "abi_export_signature", message: 'export "handle" must have type (i32, i32) -> (i64), not (i32, i32) -> (i32)' },
    ]);
  });

  it("version 2 and WASI: handle_request or _start () -> () with a memory, no allocator needed; wrong types named", async () => {
    expect(await rules(`${MEMORY} (func (export "handle_request"))`)).toEqual([]);
    expect(await rules(`${MEMORY} (func (export "_initialize")) (func (export "handle_request"))`)).toEqual([]);
    expect(await rules(`${MEMORY} (func (export "_start"))`)).toEqual([]);
    const violations = checkWat(await watToBytes(`(module ${MEMORY} (func (export "handle_request") (param i32)) (func (export "_initialize") (result i32) (i32.const 0)))`));
    expect(violations).toEqual([
      { rule: "abi_export_signature", message: 'export "handle_request" must have type () -> (), not (i32) -> ()' },
      { rule: "abi_export_signature", message: 'export "_initialize" must have type () -> (), not () -> (i32)' },
    ]);
    expect(await rules(`(memory 1) (func (export "_start") (param i32))`)).toEqual(["abi_export_missing", "abi_export_signature"]);
  });
});
