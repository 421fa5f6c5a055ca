import { describe, expect, test } from "vitest";
import { MalformedModuleError } from "./errors.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

const r = (...bytes: number[]) => new Reader(Uint8Array.from(bytes));

function offsetOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedModuleError);
    return (err as MalformedModuleError).offset;
  }
  throw new Error("expected a MalformedModuleError");
}

describe("Reader.u32", () => {
  test("decodes minimal and padded encodings", () => {
    expect(r(0x00).u32()).toBe(0);
    expect(r(0xe5, 0x8e, 0x26).u32()).toBe(624485);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0); // padded to 5 bytes is legal
    expect(r(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
  });
  test("rejects overlong, overflowing and truncated encodings with the offset of the LEB", () => {
    const reader = new Reader(Uint8Array.from([0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
    reader.u8();
    expect(offsetOf(() => reader.u32())).toBe(1);
    expect(offsetOf(() => r(0xff, 0xff, 0xff, 0xff, 0x1f).u32())).toBe(0); // bit 32 set
    expect(offsetOf(() => r(0x80, 0x80).u32())).toBe(2);
  });
  test("advances exactly past the value", () => {
    const reader = r(0x80, 0x01, 0x05);
    expect(reader.u32()).toBe(128);
    expect(reader.pos).toBe(2);
    expect(reader.u8()).toBe(5);
  });
});

describe("Reader signed LEB128", () => {
  test("s32 range ends and sign extension", () => {
    expect(r(0x7f).s32()).toBe(-1);
    expect(r(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-(2 ** 31));
    expect(r(0xff, 0xff, 0xff, 0xff, 0x07).s32()).toBe(2 ** 31 - 1);
    expect(offsetOf(() => r(0xff, 0xff, 0xff, 0xff, 0x0f).s32())).toBe(0); // unused bits not sign-equal
    expect(offsetOf(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s32())).toBe(0);
  });
  test("s33 block types accept type indices above 2^31", () => {
    expect(r(0xff, 0xff, 0xff, 0xff, 0x0f).s33()).toBe(2 ** 32 - 1);
    expect(r(0x40).s33()).toBe(-64);
  });
  test("s64", () => {
    expect(r(0x7f).s64()).toBe(-1n);
    const min = new Writer().s64(-(2n ** 63n)).finish();
    expect(new Reader(min).s64()).toBe(-(2n ** 63n));
    const max = new Writer().s64(2n ** 63n - 1n).finish();
    expect(new Reader(max).s64()).toBe(2n ** 63n - 1n);
    expect(offsetOf(() => r(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02).s64())).toBe(0);
  });
  test("writer and reader agree on random values", () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const v32 = next() | 0;
      const u32 = next();
      const v64 = BigInt.asIntN(64, (BigInt(next()) << 32n) | BigInt(next()));
      const bytes = new Writer().s32(v32).u32(u32).s64(v64).finish();
      const reader = new Reader(bytes);
      expect([reader.s32(), reader.u32(), reader.s64()]).toEqual([v32, u32, v64]);
      expect(reader.atEnd()).toBe(true);
    }
  });
});

describe("Reader bounds", () => {
  test("take, skip and names never read past the window", () => {
    const reader = new Reader(Uint8Array.from([3, 0x61, 0x62, 0x63, 9, 9]), 0, 4);
    expect(reader.name()).toBe("abc");
    expect(offsetOf(() => reader.u8())).toBe(4);
    expect(offsetOf(() => r(5, 0x61).name())).toBe(1);
    expect(offsetOf(() => r(1, 2).skip(5))).toBe(0);
  });
  test("names must be strict UTF-8", () => {
    expect(offsetOf(() => r(2, 0xc0, 0x80).name())).toBe(1); // overlong NUL
    expect(offsetOf(() => r(3, 0xed, 0xa0, 0x80).name())).toBe(1); // lone surrogate
  });
  test("a vector count larger than the remaining bytes fails before looping", () => {
    expect(offsetOf(() => r(0xff, 0xff, 0xff, 0xff, 0x0f).count())).toBe(0);
  });
});
