import { describe, expect, it } from "vitest";
import { packOutputLocation, unpackOutputLocation } from "./guest-abi.ts";

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
