import { describe, expect, it } from "vitest";
import { watToBytes } from "../wasm/fixtures.ts";
import { importMemory } from "../wasm/memory-import.ts";
import { readsRequestHead } from "./sandbox-isolate.ts";

const module = async (imports: string) => {
  const { bytes } = importMemory(await watToBytes(`(module ${imports} (memory (export "memory") 1) (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))`));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

describe("readsRequestHead", () => {
  it("is false for a guest that imports no function reading the request head", async () => {
    expect(readsRequestHead(await module(""))).toBe(false);
    expect(readsRequestHead(await module(`(import "heliosdb" "heliosdb_log" (func (param i32 i32 i32) (result i32)))`))).toBe(false);
    // The body is the payload, sent with every invocation: reading it needs no head.
    expect(readsRequestHead(await module(`(import "heliosdb" "heliosdb_output" (func (param i32 i32) (result i32)))`))).toBe(false);
  });

  it("is true for a guest importing a request or WASI function, and for bytes that are not a module", async () => {
    expect(readsRequestHead(await module(`(import "heliosdb" "heliosdb_request_header" (func (param i32 i32 i32 i32 i32) (result i32)))`))).toBe(true);
    expect(readsRequestHead(await module(`(import "heliosdb" "heliosdb_request_method" (func (param i32 i32 i32) (result i32)))`))).toBe(true);
    expect(readsRequestHead(await module(`(import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))`))).toBe(true);
    expect(readsRequestHead(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 9, 1]).buffer)).toBe(true);
  });
});
