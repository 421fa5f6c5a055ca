import { describe, expect, it } from "vitest";
import { packOutputLocation, unpackOutputLocation } from "./guest-abi.ts";
import { isInsideMemory } from "./memory-range.ts";

describe("output location packing", () => {
  it("round-trips the full unsigned range", () => {
    for (const [ptr, len] of [[0, 0], [1, 2], [0xffffffff, 0xffffffff], [0x80000000, 0x7fffffff]]) {
      expect(unpackOutputLocation(packOutputLocation(ptr, len))).toEqual({ ptr, len });
    }
  });

  it("reads a negative i64 (as JavaScript receives it) as unsigned halves", () => {
    expect(unpackOutputLocation(-1n)).toEqual({ ptr: 0xffffffff, len: 0xffffffff });
    expect(unpackOutputLocation(BigInt.asIntN(64, 0xfffffff000000020n))).toEqual({ ptr: 0xfffffff0, len: 0x20 });
  });
});

describe("isInsideMemory", () => {
  const size = 65536;
  it.each([
    [0, 0, true],
    [0, size, true],
    [size, 0, true],
    [size - 1, 1, true],
    [size, 1, false],
    [size - 1, 2, false],
    [size + 1, 0, false],
    [0xfffffff0, 0x20, false],
    [0, 0xffffffff, false],
    [-1, 0, false],
    [0, -1, false],
    [-16, 32, false],
  ])("ptr %i len %i -> %s", (ptr, len, inside) => {
    expect(isInsideMemory(ptr, len, size)).toBe(inside);
  });
});
