import { describe, expect, it } from "vitest";
import {
  BufferTooSmallError,
  HostErrorCode,
  InvalidUtf8Error,
  LengthCapExceededError,
  OutOfBoundsError,
  SandboxError,
  UnencodableStringError,
  ValueOutOfRangeError,
} from "./errors.ts";
import { instantiate, thrown, mulberry32, watToBytes } from "../wasm/fixtures.ts";
import { SafeMemory, toU32 } from "./safe-memory.ts";
import { utf8ByteLength } from "./utf8.ts";

const PAGE = 65536;

function setup(pages = 1, limits = {}) {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 8 });
  const bytes = new Uint8Array(memory.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return { memory, safe: new SafeMemory(memory, limits) };
}

function snapshot(memory: WebAssembly.Memory): Uint8Array {
  return new Uint8Array(memory.buffer).slice();
}

/** Byte-for-byte comparison; toEqual on a 64 KiB array is slow. */
function expectUnchanged(memory: WebAssembly.Memory, before: Uint8Array): void {
  expect(Buffer.from(memory.buffer).equals(before)).toBe(true);
}

function guestBytes(memory: WebAssembly.Memory, ptr: number, data: number[]): void {
  new Uint8Array(memory.buffer).set(data, ptr);
}

describe("toU32", () => {
  it("reads guest i32 values as unsigned and refuses numbers outside 32 bits instead of wrapping", () => {
    expect(toU32(-1)).toBe(0xffff_ffff);
    expect(toU32(-0x8000_0000)).toBe(0x8000_0000);
    expect(toU32(0xffff_fff0)).toBe(0xffff_fff0);
    expect(toU32(2 ** 32)).toBe(Infinity);
    expect(toU32(-0x8000_0001)).toBe(Infinity);
    expect(toU32(Number.NaN)).toBe(Infinity);
  });
});

describe("SafeMemory bounds", () => {
  it("allows zero-length access at ptr == byteLength and refuses one byte there", () => {
    const { memory, safe } = setup();
    const end = memory.buffer.byteLength;
    expect(safe.readBytes(end, 0)).toEqual(new Uint8Array(0));
    expect(safe.readString(end, 0)).toBe("");
    expect(safe.checkRange(end, 0)).toBe(end);
    const before = snapshot(memory);
    safe.writeBytes(end, new Uint8Array(0));
    expect(safe.writeString(end, 0, "")).toBe(0);
    expectUnchanged(memory, before);

    const error = thrown(() => safe.readBytes(end, 1), OutOfBoundsError);
    expect(error).toMatchObject({ code: "out_of_bounds", hostCode: HostErrorCode.outOfBounds, ptr: end, length: 1, byteLength: end });
    thrown(() => safe.readU8(end), OutOfBoundsError);
    thrown(() => safe.writeU8(end, 1), OutOfBoundsError);
  });

  it("refuses a zero-length access that starts past the end", () => {
    const { memory, safe } = setup();
    const end = memory.buffer.byteLength;
    thrown(() => safe.readBytes(end + 1, 0), OutOfBoundsError);
    thrown(() => safe.writeBytes(end + 1, new Uint8Array(0)), OutOfBoundsError);
    thrown(() => safe.readString(end + 1, 0), OutOfBoundsError);
  });

  it("refuses ptr + len one byte past the end and allows it ending exactly at the end", () => {
    const { memory, safe } = setup();
    const end = memory.buffer.byteLength;
    expect(safe.readBytes(end - 10, 10)).toEqual(new Uint8Array(memory.buffer).slice(end - 10));
    thrown(() => safe.readBytes(end - 10, 11), OutOfBoundsError);
    const before = snapshot(memory);
    thrown(() => safe.writeBytes(end - 10, new Uint8Array(11).fill(0xaa)), OutOfBoundsError);
    expectUnchanged(memory, before);
  });

  it("refuses ptr = 0xFFFFFFF0 with len = 0x20, whose 32-bit sum wraps to 0x10", () => {
    const { memory, safe } = setup();
    expect((0xffff_fff0 + 0x20) >>> 0).toBe(0x10); // the wrong arithmetic would let this through
    const before = snapshot(memory);
    for (const ptr of [0xffff_fff0, -16]) {
      const error = thrown(() => safe.readBytes(ptr, 0x20), OutOfBoundsError);
      expect(error.ptr).toBe(0xffff_fff0);
      expect(error.length).toBe(0x20);
      thrown(() => safe.writeBytes(ptr, new Uint8Array(0x20).fill(1)), OutOfBoundsError);
      thrown(() => safe.readString(ptr, 0x20), OutOfBoundsError);
      thrown(() => safe.writeString(ptr, 0x20, "x"), OutOfBoundsError);
      thrown(() => safe.checkRange(ptr, 0x20), OutOfBoundsError);
    }
    expectUnchanged(memory, before);
  });

  it("reads len = 0xFFFFFFFF and negative i32 lengths as huge, never as small or negative", () => {
    const { safe } = setup();
    for (const len of [0xffff_ffff, -1, -0x8000_0000]) {
      const error = thrown(() => safe.readBytes(16, len), LengthCapExceededError);
      expect(error.length).toBe(len >>> 0);
      thrown(() => safe.readString(16, len), LengthCapExceededError);
      thrown(() => safe.checkRange(16, len), OutOfBoundsError);
    }
    // With caps out of the way the bounds check alone must still refuse them, including a sum of exactly 2^32.
    const uncapped = setup(1, { maxReadBytes: 0xffff_ffff, maxStringBytes: 0xffff_ffff }).safe;
    thrown(() => uncapped.readBytes(1, -1), OutOfBoundsError);
    thrown(() => uncapped.readBytes(0x10, 0xffff_fff0), OutOfBoundsError);
    thrown(() => uncapped.readString(0x10, -0x10), OutOfBoundsError);
  });

  it("refuses negative pointers as the high addresses they are", () => {
    const { safe } = setup();
    const error = thrown(() => safe.readU32(-1), OutOfBoundsError);
    expect(error.ptr).toBe(0xffff_ffff);
    thrown(() => safe.readBytes(-0x8000_0000, 0), OutOfBoundsError);
  });

  it("refuses host numbers outside 32 bits instead of wrapping them to small values", () => {
    const { memory, safe } = setup();
    const before = snapshot(memory);
    thrown(() => safe.readBytes(2 ** 32, 4), OutOfBoundsError); // would be ptr 0 after >>> 0
    thrown(() => safe.writeU32(2 ** 32 + 8, 1), OutOfBoundsError);
    thrown(() => safe.readBytes(0, 2 ** 32 + 4), LengthCapExceededError);
    thrown(() => safe.checkRange(0, Number.NaN), OutOfBoundsError);
    expectUnchanged(memory, before);
  });
});

describe("SafeMemory caps", () => {
  it("refuses a length over the cap even when the range is inside memory", () => {
    const { safe } = setup(1, { maxReadBytes: 100, maxWriteBytes: 50, maxStringBytes: 20 });
    expect(safe.readBytes(0, 100).length).toBe(100);
    const error = thrown(() => safe.readBytes(0, 101), LengthCapExceededError);
    expect(error).toMatchObject({ code: "length_cap_exceeded", hostCode: HostErrorCode.tooLarge, kind: "read", length: 101, cap: 100 });
    thrown(() => safe.writeBytes(0, new Uint8Array(51)), LengthCapExceededError);
    thrown(() => safe.readString(0, 21), LengthCapExceededError);
    thrown(() => safe.writeString(0, 1000, "a".repeat(21)), LengthCapExceededError);
    thrown(() => safe.writeString(0, 1000, "é".repeat(11)), LengthCapExceededError); // 11 units, 22 bytes
  });

  it("lets a per-call maxBytes lower the cap but never raise it", () => {
    const { safe } = setup(1, { maxReadBytes: 100 });
    thrown(() => safe.readBytes(0, 11, 10), LengthCapExceededError);
    expect(safe.readBytes(0, 10, 10).length).toBe(10);
    thrown(() => safe.readBytes(0, 101, 1000), LengthCapExceededError);
  });

  it("refuses over-cap lengths before touching the memory at all", () => {
    const real = new WebAssembly.Memory({ initial: 1 });
    let bufferReads = 0;
    const counting = {
      get buffer() {
        bufferReads++;
        return real.buffer;
      },
    } as unknown as WebAssembly.Memory;
    const safe = new SafeMemory(counting, { maxReadBytes: 8, maxWriteBytes: 8, maxStringBytes: 8 });
    bufferReads = 0;
    thrown(() => safe.readBytes(0, 9), LengthCapExceededError);
    thrown(() => safe.readBytes(0xffff_fff0, 0x20), LengthCapExceededError); // over the cap and out of bounds
    thrown(() => safe.readString(0, -1), LengthCapExceededError);
    thrown(() => safe.writeBytes(0, new Uint8Array(9)), LengthCapExceededError);
    thrown(() => safe.writeString(0, 100, "123456789"), LengthCapExceededError);
    expect(bufferReads).toBe(0);
    safe.readBytes(0, 8);
    expect(bufferReads).toBe(1);
  });

  it("rejects limits that are not 32-bit lengths", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    expect(() => new SafeMemory(memory, { maxReadBytes: -1 })).toThrow(RangeError);
    expect(() => new SafeMemory(memory, { maxStringBytes: 1.5 })).toThrow(RangeError);
  });
});

describe("SafeMemory growth", () => {
  it("sees the new size after Memory.grow between two accesses, through every accessor", () => {
    const { memory, safe } = setup(1);
    const oldBuffer = memory.buffer;
    expect(safe.readU8(0)).toBe(3);
    memory.grow(1);
    expect(oldBuffer.byteLength).toBe(0); // detached: a cached view of it would now fail
    expect(safe.byteLength).toBe(2 * PAGE);
    safe.writeU32(PAGE, 0xdeadbeef);
    expect(new DataView(memory.buffer).getUint32(PAGE, true)).toBe(0xdeadbeef);
    const readers = [
      () => safe.readU8(PAGE),
      () => safe.readU32(PAGE),
      () => safe.readI32(PAGE),
      () => safe.readU64(PAGE),
      () => safe.readI64(PAGE),
      () => safe.readF64(PAGE),
      () => safe.readBytes(PAGE, 4),
      () => safe.readString(PAGE + 4, 4),
    ];
    const writers = [
      () => safe.writeU8(PAGE + 8, 1),
      () => safe.writeU32(PAGE + 8, 1),
      () => safe.writeI32(PAGE + 8, -1),
      () => safe.writeU64(PAGE + 8, 1n),
      () => safe.writeI64(PAGE + 8, -1n),
      () => safe.writeF64(PAGE + 8, 1.5),
      () => safe.writeBytes(PAGE + 8, new Uint8Array([1])),
      () => safe.writeString(PAGE + 8, 4, "ok"),
    ];
    // Each accessor must be the first access after a grow at least once: none may use a view from before it.
    for (const access of [...readers, ...writers]) {
      memory.grow(0); // replaces (and detaches) the buffer without changing the size
      expect(access).not.toThrow();
    }
    expect(safe.readU32(PAGE)).toBe(0xdeadbeef);
  });

  it("sees growth done by the guest itself in the middle of a host call", async () => {
    const wat = `(module
      (memory (export "memory") 1 4)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`;
    const instance = instantiate(await watToBytes(wat));
    const exports = instance.exports as { memory: WebAssembly.Memory; grow(pages: number): number };
    const safe = new SafeMemory(exports.memory);
    safe.writeU32(PAGE - 4, 7);
    thrown(() => safe.readU32(PAGE), OutOfBoundsError);
    expect(exports.grow(2)).toBe(1);
    safe.writeU32(3 * PAGE - 4, 9);
    expect(safe.readU32(PAGE - 4)).toBe(7);
    expect(safe.readU32(3 * PAGE - 4)).toBe(9);
    expect(safe.byteLength).toBe(3 * PAGE);
  });

  it("refuses a shared memory", () => {
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    expect(() => new SafeMemory(shared)).toThrow(TypeError);
  });
});

describe("SafeMemory typed access", () => {
  it("is little-endian", () => {
    const { memory, safe } = setup();
    safe.writeU32(0, 0x01020304);
    expect([...new Uint8Array(memory.buffer, 0, 4)]).toEqual([4, 3, 2, 1]);
    safe.writeU64(8, 0x0102030405060708n);
    expect([...new Uint8Array(memory.buffer, 8, 8)]).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it("allows misaligned access, like WebAssembly loads and stores", () => {
    const { memory, safe } = setup();
    safe.writeU32(1, 0xcafebabe);
    expect(safe.readU32(1)).toBe(0xcafebabe);
    expect([...new Uint8Array(memory.buffer, 1, 4)]).toEqual([0xbe, 0xba, 0xfe, 0xca]);
    safe.writeI64(3, -2n);
    expect(safe.readI64(3)).toBe(-2n);
    expect(safe.readU64(3)).toBe(2n ** 64n - 2n);
    safe.writeF64(13, Math.PI);
    expect(safe.readF64(13)).toBe(Math.PI);
    safe.writeI32(22, -5);
    expect(safe.readI32(22)).toBe(-5);
    expect(safe.readU32(22)).toBe(2 ** 32 - 5);
  });

  it("checks the whole width of a misaligned access against the end", () => {
    const { memory, safe } = setup();
    const end = memory.buffer.byteLength;
    expect(() => safe.readU64(end - 8)).not.toThrow();
    expect(() => safe.readU32(end - 4)).not.toThrow();
    expect(() => safe.readU8(end - 1)).not.toThrow();
    const before = snapshot(memory);
    for (const offset of [7, 5, 3, 1]) {
      const error = thrown(() => safe.readU64(end - offset), OutOfBoundsError);
      expect(error.length).toBe(8);
      thrown(() => safe.writeU64(end - offset, 1n), OutOfBoundsError);
      thrown(() => safe.writeF64(end - offset, 1), OutOfBoundsError);
    }
    for (const offset of [3, 1]) {
      thrown(() => safe.readI32(end - offset), OutOfBoundsError);
      thrown(() => safe.writeU32(end - offset, 1), OutOfBoundsError);
    }
    expectUnchanged(memory, before);
  });

  it("refuses values that do not fit instead of wrapping them, and writes nothing", () => {
    const { memory, safe } = setup();
    const before = snapshot(memory);
    const error = thrown(() => safe.writeU8(0, 256), ValueOutOfRangeError);
    expect(error).toMatchObject({ code: "value_out_of_range", hostCode: HostErrorCode.invalidArgument, type: "u8" });
    thrown(() => safe.writeU8(0, -1), ValueOutOfRangeError);
    thrown(() => safe.writeU32(0, -1), ValueOutOfRangeError);
    thrown(() => safe.writeU32(0, 2 ** 32), ValueOutOfRangeError);
    thrown(() => safe.writeU32(0, 1.5), ValueOutOfRangeError);
    thrown(() => safe.writeI32(0, 2 ** 31), ValueOutOfRangeError);
    thrown(() => safe.writeI32(0, Number.NaN), ValueOutOfRangeError);
    thrown(() => safe.writeU64(0, -1n), ValueOutOfRangeError);
    thrown(() => safe.writeU64(0, 2n ** 64n), ValueOutOfRangeError);
    thrown(() => safe.writeI64(0, 2n ** 63n), ValueOutOfRangeError);
    thrown(() => safe.writeI64(0, -(2n ** 63n) - 1n), ValueOutOfRangeError);
    expectUnchanged(memory, before);
    safe.writeU64(0, 2n ** 64n - 1n);
    safe.writeI64(8, -(2n ** 63n));
    safe.writeI32(16, -(2 ** 31));
    expect([safe.readU64(0), safe.readI64(8), safe.readI32(16)]).toEqual([2n ** 64n - 1n, -(2n ** 63n), -(2 ** 31)]);
  });
});

describe("SafeMemory strings", () => {
  const invalid: [string, number[]][] = [
    ["overlong '/' (C0 AF)", [0xc0, 0xaf]],
    ["overlong 3-byte NUL (E0 80 80)", [0xe0, 0x80, 0x80]],
    ["overlong 4-byte '/' (F0 80 80 AF)", [0xf0, 0x80, 0x80, 0xaf]],
    ["lone high surrogate U+D800 (ED A0 80)", [0x61, 0xed, 0xa0, 0x80]],
    ["lone low surrogate U+DC00 (ED B0 80)", [0xed, 0xb0, 0x80, 0x61]],
    ["truncated euro sign (E2 82)", [0x61, 0xe2, 0x82]],
    ["truncated 4-byte sequence (F0 9F 98)", [0xf0, 0x9f, 0x98]],
    ["stray continuation byte (80)", [0x80]],
    ["above U+10FFFF (F4 90 80 80)", [0xf4, 0x90, 0x80, 0x80]],
    ["byte FF", [0x61, 0xff]],
  ];
  for (const [name, data] of invalid) {
    it(`refuses ${name} instead of decoding U+FFFD`, () => {
      const { memory, safe } = setup();
      guestBytes(memory, 100, data);
      const error = thrown(() => safe.readString(100, data.length), InvalidUtf8Error);
      expect(error).toMatchObject({ code: "invalid_utf8", hostCode: HostErrorCode.invalidUtf8, ptr: 100, length: data.length });
    });
  }

  it("refuses a sequence cut by the end of the range even when memory goes on to complete it", () => {
    const { memory, safe } = setup();
    guestBytes(memory, 200, [0xe2, 0x82, 0xac]); // "€"
    expect(safe.readString(200, 3)).toBe("€");
    thrown(() => safe.readString(200, 2), InvalidUtf8Error);
  });

  it("decodes valid UTF-8 exactly, keeping a leading byte order mark", () => {
    const { memory, safe } = setup();
    const text = "héllo € 𝄞 \u0000 end";
    const encoded = new TextEncoder().encode(text);
    guestBytes(memory, 300, [...encoded]);
    expect(safe.readString(300, encoded.length)).toBe(text);
    guestBytes(memory, 400, [0xef, 0xbb, 0xbf, 0x41]);
    expect(safe.readString(400, 4)).toBe("\uFEFFA");
  });

  it("reads and writes short strings (ASCII or not, every length around the in-place paths) exactly as UTF-8", () => {
    const { memory, safe } = setup();
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    for (let length = 0; length <= 70; length++) {
      const ascii = Array.from({ length }, (_, i) => (i * 37 + 1) & 0x7f); // NUL and DEL included
      guestBytes(memory, 1000, ascii);
      expect(safe.readString(1000, length)).toBe(strict.decode(new Uint8Array(ascii)));
      for (let at = 0; at < length; at++) {
        const broken = ascii.slice();
        broken[at] = 0xff;
        guestBytes(memory, 1000, broken);
        thrown(() => safe.readString(1000, length), InvalidUtf8Error);
        const accented = ascii.slice(0, at).concat([0xc3, 0xa9]);
        guestBytes(memory, 1000, accented);
        expect(safe.readString(1000, accented.length)).toBe(strict.decode(new Uint8Array(accented)));
      }
      const text = String.fromCharCode(...ascii);
      for (const value of [text, `${text}é`, `é${text}`]) {
        const before = snapshot(memory);
        const encoded = new TextEncoder().encode(value);
        expect(safe.writeString(2000, 256, value)).toBe(encoded.length);
        const after = Buffer.from(memory.buffer);
        expect(after.subarray(2000, 2000 + encoded.length).equals(encoded)).toBe(true);
        expect(after.subarray(2000 + encoded.length).equals(before.subarray(2000 + encoded.length))).toBe(true);
        expect(after.subarray(0, 2000).equals(before.subarray(0, 2000))).toBe(true);
      }
    }
  });

  it("writes UTF-8 and returns the byte count, leaving the rest of the buffer alone", () => {
    const { memory, safe } = setup();
    const before = snapshot(memory);
    expect(safe.writeString(500, 64, "a€𝄞")).toBe(8);
    expect([...new Uint8Array(memory.buffer, 500, 8)]).toEqual([0x61, 0xe2, 0x82, 0xac, 0xf0, 0x9d, 0x84, 0x9e]);
    expect(new Uint8Array(memory.buffer, 508, 56)).toEqual(before.subarray(508, 564));
    expect(safe.readString(500, 8)).toBe("a€𝄞");
    expect(safe.writeString(600, 3, "€")).toBe(3); // exactly full
  });

  it("checks the capacity before writing anything", () => {
    const { memory, safe } = setup();
    const before = snapshot(memory);
    const error = thrown(() => safe.writeString(500, 7, "a€𝄞"), BufferTooSmallError);
    expect(error).toMatchObject({ code: "buffer_too_small", hostCode: HostErrorCode.bufferTooSmall, required: 8, capacity: 7 });
    thrown(() => safe.writeString(500, 2, "€"), BufferTooSmallError);
    const end = memory.buffer.byteLength;
    thrown(() => safe.writeString(end - 4, 8, "ab"), OutOfBoundsError); // the buffer claimed must be in memory
    expectUnchanged(memory, before);
  });

  it("checks tight buffers exactly on every path: staged, measured, and larger than the staging area", () => {
    const { memory, safe } = setup(1, { maxStringBytes: 30 });
    const before = snapshot(memory);
    // Staged: three bytes per unit would not fit, the exact length does.
    expect(() => safe.writeString(100, 29, "€".repeat(10))).toThrow(BufferTooSmallError);
    // Measured: three bytes per unit would pass the cap of 30, so the exact length (24) is computed first.
    const error = thrown(() => safe.writeString(100, 23, "é".repeat(12)), BufferTooSmallError);
    expect(error).toMatchObject({ required: 24, capacity: 23 });
    expectUnchanged(memory, before);
    expect(safe.writeString(100, 4, "a€")).toBe(4);
    expect(safe.writeString(200, 24, "é".repeat(12))).toBe(24);
    expect(safe.readString(200, 24)).toBe("é".repeat(12));

    const roomy = setup(1);
    const large = "€".repeat(2000); // 6000 bytes, a buffer larger than the 4 KiB staging area
    const untouched = snapshot(roomy.memory);
    const tooSmall = thrown(() => roomy.safe.writeString(1000, 5999, large), BufferTooSmallError);
    expect(tooSmall).toMatchObject({ required: 6000, capacity: 5999 });
    expectUnchanged(roomy.memory, untouched);
    expect(roomy.safe.writeString(1000, 6000, large)).toBe(6000);
    expect(roomy.safe.readString(1000, 6000)).toBe(large);
  });

  it("refuses a lone surrogate in a host string rather than writing U+FFFD", () => {
    const { memory, safe } = setup();
    const before = snapshot(memory);
    for (const [value, index] of [["ab\ud800", 2], ["\udc00x", 0], ["x\ud800\ud800\udc00", 1]] as const) {
      const error = thrown(() => safe.writeString(0, 100, value), UnencodableStringError);
      expect(error).toMatchObject({ code: "unencodable_string", hostCode: HostErrorCode.invalidUtf8, index });
    }
    expectUnchanged(memory, before);
  });

  it("measures UTF-8 length the way TextEncoder encodes", () => {
    for (const value of ["", "abc", "é", "€", "𝄞", "a€𝄞é\u07ff\u0800\uffff", "\u{10ffff}"]) {
      expect(utf8ByteLength(value)).toBe(new TextEncoder().encode(value).length);
    }
  });
});

describe("SafeMemory copies", () => {
  it("returns a copy from readBytes that later guest writes do not change", () => {
    const { memory, safe } = setup();
    guestBytes(memory, 0, [1, 2, 3]);
    const copy = safe.readBytes(0, 3);
    guestBytes(memory, 0, [9, 9, 9]);
    memory.grow(1);
    expect([...copy]).toEqual([1, 2, 3]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Property test: random (ptr, len) sequences, biased to the edges, against every operation on a real memory. Each
// operation must match an independent oracle (BigInt arithmetic, platform TextEncoder/TextDecoder), throw only
// SandboxErrors, and leave memory exactly as the oracle's shadow copy says: failed operations change nothing.


describe("SafeMemory property", () => {
  it("matches the oracle and changes nothing outside successful writes over 100,000 random operations", () => {
    const seed = Number(process.env.PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.log(`SafeMemory property seed: ${seed} (rerun with PROPERTY_SEED=${seed})`);
    const random = mulberry32(seed);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)];

    const memory = new WebAssembly.Memory({ initial: 2, maximum: 4 });
    const small = { maxReadBytes: 4096, maxWriteBytes: 2048, maxStringBytes: 512 };
    const huge = { maxReadBytes: 0xffff_ffff, maxWriteBytes: 0xffff_ffff, maxStringBytes: 0xffff_ffff };
    const instances = [
      { safe: new SafeMemory(memory, small), limits: small },
      { safe: new SafeMemory(memory, huge), limits: huge },
    ];
    let shadow = new Uint8Array(memory.buffer.byteLength);
    for (let i = 0; i < shadow.length; i++) shadow[i] = int(256);
    new Uint8Array(memory.buffer).set(shadow);
    let lastString = { ptr: 0, len: 0 };

    const oracleU32 = (x: number): bigint | null => (x >= -(2 ** 31) && x < 2 ** 32 ? BigInt(x < 0 ? x + 2 ** 32 : x) : null);
    const inside = (ptr: number, len: number): boolean => {
      const p = oracleU32(ptr);
      const l = oracleU32(len);
      return p !== null && l !== null && p + l <= BigInt(shadow.length);
    };
    const overCap = (len: number, cap: number): boolean => {
      const l = oracleU32(len);
      return l === null || l > BigInt(cap);
    };

    const pickPtr = (): number => {
      const size = shadow.length;
      switch (int(12)) {
        case 0: return 0;
        case 1: return size - int(17);
        case 2: return size + int(17);
        case 3: return 0xffff_ffff - int(33);
        case 4: return 0x8000_0000 + int(33) - 16;
        case 5: return -1 - int(64);
        case 6: return -0x8000_0000 + int(17);
        case 7: return pick([2 ** 32, 2 ** 32 + 16, -0x8000_0001, 2 ** 53]);
        case 8: return lastString.ptr;
        default: return int(size + 1);
      }
    };
    const pickLen = (ptr: number, cap: number): number => {
      const size = shadow.length;
      const p = oracleU32(ptr);
      switch (int(14)) {
        case 0: return 0;
        case 1: return 1 + int(8);
        case 2: return 64;
        case 3: return cap + int(3) - 1;
        case 4: return p !== null ? size - Number(p) + int(17) - 8 : int(300);
        case 5: return 0xffff_ffff;
        case 6: return -1 - int(64);
        case 7: return 0x8000_0000 + int(17) - 8;
        case 8: return p !== null ? 2 ** 32 - Number(p) + int(17) : 2 ** 32; // 32-bit sum would wrap to a small value
        case 9: return int(2 ** 32);
        case 10: return lastString.len;
        case 11: return pick([2 ** 32, 2 ** 32 + 1]);
        default: return int(300);
      }
    };
    const hostLength = (ptr: number, cap: number): number => {
      const len = pickLen(ptr, cap);
      return len >= 0 && len <= 3 * PAGE ? len : int(300);
    };
    const pieces = ["a", "z", " ", "é", "\u07ff", "€", "\uffff", "𝄞", "\u{10ffff}", "\ud800", "\udc00"];
    const randomString = (cap: number): string => {
      const roll = int(50);
      const longest = Math.min(cap, 2000);
      if (roll === 0) return "x".repeat(longest + 1);
      // Between a third of the cap and the cap: only the exact UTF-8 length tells whether it fits.
      const count = roll === 1 ? Math.floor(longest / 3) + int(longest) : int(24);
      let text = "";
      for (let i = 0; i < count; i++) text += int(30) === 0 ? pick(pieces.slice(9)) : pick(pieces.slice(0, 9));
      return text;
    };
    const randomBytes = (n: number): Uint8Array => {
      const data = new Uint8Array(n);
      let x = int(2 ** 31) | 1;
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        data[i] = x;
      }
      return data;
    };
    // Returns null when equal, else a description; kept out of expect() because it runs 100,000 times.
    const same = (actual: unknown, wanted: unknown): string | null => {
      if (wanted instanceof Uint8Array) {
        const equal = actual instanceof Uint8Array && Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(wanted);
        return equal ? null : "bytes other than the oracle's";
      }
      return Object.is(actual, wanted) ? null : `${String(actual)} instead of ${String(wanted)}`;
    };

    type Width = 1 | 4 | 8;
    const typed: { name: string; width: Width; read: keyof SafeMemory; write: keyof SafeMemory; value(): number | bigint; fits(v: number | bigint): boolean; get(view: DataView, at: number): number | bigint; set(view: DataView, at: number, v: number | bigint): void }[] = [
      { name: "u8", width: 1, read: "readU8", write: "writeU8", value: () => pick([int(256), 256, -1, 1.5]), fits: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 256, get: (d, a) => d.getUint8(a), set: (d, a, v) => d.setUint8(a, v as number) },
      { name: "u32", width: 4, read: "readU32", write: "writeU32", value: () => pick([int(2 ** 32), int(2 ** 32), -1, 2 ** 32]), fits: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32, get: (d, a) => d.getUint32(a, true), set: (d, a, v) => d.setUint32(a, v as number, true) },
      { name: "i32", width: 4, read: "readI32", write: "writeI32", value: () => pick([int(2 ** 32) - 2 ** 31, -1, 2 ** 31, -(2 ** 31) - 1]), fits: (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31, get: (d, a) => d.getInt32(a, true), set: (d, a, v) => d.setInt32(a, v as number, true) },
      { name: "u64", width: 8, read: "readU64", write: "writeU64", value: () => pick([BigInt(int(2 ** 32)) << 32n | BigInt(int(2 ** 32)), -1n, 2n ** 64n]), fits: (v) => (v as bigint) >= 0n && (v as bigint) < 2n ** 64n, get: (d, a) => d.getBigUint64(a, true), set: (d, a, v) => d.setBigUint64(a, v as bigint, true) },
      { name: "i64", width: 8, read: "readI64", write: "writeI64", value: () => pick([BigInt.asIntN(64, BigInt(int(2 ** 32)) << 32n | BigInt(int(2 ** 32))), 2n ** 63n, -(2n ** 63n) - 1n]), fits: (v) => (v as bigint) >= -(2n ** 63n) && (v as bigint) < 2n ** 63n, get: (d, a) => d.getBigInt64(a, true), set: (d, a, v) => d.setBigInt64(a, v as bigint, true) },
      { name: "f64", width: 8, read: "readF64", write: "writeF64", value: () => pick([random() * 1e6, -0, Number.NaN, Infinity]), fits: () => true, get: (d, a) => d.getFloat64(a, true), set: (d, a, v) => d.setFloat64(a, v as number, true) },
    ];

    const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const encoder = new TextEncoder();
    const OPERATIONS = 100_000;
    const counts = { ok: 0, refused: 0 };
    let grows = 0;

    for (let op = 0; op < OPERATIONS; op++) {
      const { safe, limits } = pick(instances);
      const kind = int(20);
      let expected: string | null = null; // error code, or null for success
      let run: () => unknown;
      let check: (result: unknown) => string | null = () => null;
      let apply: () => void = () => {};
      let description: string;

      if (kind === 0 && int(5000) === 0 && grows < 2) {
        grows++;
        memory.grow(1);
        const grown = new Uint8Array(memory.buffer.byteLength);
        grown.set(shadow);
        shadow = grown;
        continue;
      }
      const ptr = pickPtr();
      if (kind <= 1) {
        const len = pickLen(ptr, limits.maxReadBytes);
        description = `checkRange(${ptr}, ${len})`;
        expected = inside(ptr, len) ? null : "out_of_bounds";
        run = () => safe.checkRange(ptr, len);
        check = (r) => same(r, Number(oracleU32(ptr)));
      } else if (kind <= 3) {
        const len = pickLen(ptr, limits.maxReadBytes);
        description = `readBytes(${ptr}, ${len})`;
        expected = overCap(len, limits.maxReadBytes) ? "length_cap_exceeded" : inside(ptr, len) ? null : "out_of_bounds";
        run = () => safe.readBytes(ptr, len);
        check = (r) => {
          const at = Number(oracleU32(ptr));
          return same(r, shadow.subarray(at, at + Number(oracleU32(len))));
        };
      } else if (kind <= 5) {
        const data = randomBytes(hostLength(ptr, limits.maxWriteBytes));
        description = `writeBytes(${ptr}, <${data.length} bytes>)`;
        expected = data.length > limits.maxWriteBytes ? "length_cap_exceeded" : inside(ptr, data.length) ? null : "out_of_bounds";
        run = () => safe.writeBytes(ptr, data);
        apply = () => shadow.set(data, Number(oracleU32(ptr)));
      } else if (kind <= 8) {
        const len = pickLen(ptr, limits.maxStringBytes);
        description = `readString(${ptr}, ${len})`;
        let text: string | null = null;
        if (overCap(len, limits.maxStringBytes)) expected = "length_cap_exceeded";
        else if (!inside(ptr, len)) expected = "out_of_bounds";
        else {
          const at = Number(oracleU32(ptr));
          try {
            text = decoder.decode(shadow.subarray(at, at + Number(oracleU32(len))));
          } catch {
            expected = "invalid_utf8";
          }
        }
        run = () => safe.readString(ptr, len);
        check = (r) => same(r, text);
      } else if (kind <= 11) {
        const value = randomString(limits.maxStringBytes);
        const wellFormed = (value as unknown as { isWellFormed(): boolean }).isWellFormed();
        const encoded = wellFormed ? encoder.encode(value) : null;
        const roll = int(3);
        const capacity =
          roll === 0 ? pickLen(ptr, limits.maxStringBytes) : roll === 1 && encoded ? encoded.length + int(5) - 2 : int(3 * value.length + 2);
        description = `writeString(${ptr}, ${capacity}, ${JSON.stringify(value).slice(0, 60)})`;
        if (value.length > limits.maxStringBytes) expected = "length_cap_exceeded";
        else if (encoded === null) expected = "unencodable_string";
        else if (encoded.length > limits.maxStringBytes) expected = "length_cap_exceeded";
        else if (!inside(ptr, capacity)) expected = "out_of_bounds";
        else if (oracleU32(capacity)! < BigInt(encoded.length)) expected = "buffer_too_small";
        run = () => safe.writeString(ptr, capacity, value);
        check = (r) => same(r, encoded!.length);
        apply = () => {
          const at = Number(oracleU32(ptr));
          shadow.set(encoded!, at);
          lastString = { ptr: at, len: encoded!.length };
        };
      } else {
        const spec = pick(typed);
        const view = new DataView(shadow.buffer);
        if (kind <= 15) {
          description = `${spec.read}(${ptr})`;
          expected = inside(ptr, spec.width) ? null : "out_of_bounds";
          run = () => (safe[spec.read] as (p: number) => unknown)(ptr);
          check = (r) => same(r, spec.get(view, Number(oracleU32(ptr))));
        } else {
          const value = spec.value();
          description = `${spec.write}(${ptr}, ${String(value)})`;
          expected = !spec.fits(value) ? "value_out_of_range" : inside(ptr, spec.width) ? null : "out_of_bounds";
          run = () => (safe[spec.write] as (p: number, v: number | bigint) => void)(ptr, value);
          apply = () => spec.set(view, Number(oracleU32(ptr)), value);
        }
      }

      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, result: run() };
      } catch (error) {
        outcome = { ok: false, error };
      }
      const context = `seed ${seed}, operation ${op}: ${description}`;
      if (outcome.ok) {
        if (expected !== null) throw new Error(`${context} succeeded, but the oracle expected ${expected}`);
        const mismatch = check(outcome.result);
        if (mismatch) throw new Error(`${context} returned ${mismatch}`);
        apply();
        counts.ok++;
      } else {
        if (!(outcome.error instanceof SandboxError)) throw new Error(`${context} threw a non-sandbox error: ${String(outcome.error)}`);
        if (outcome.error.code !== expected) {
          throw new Error(`${context} threw ${outcome.error.code}, but the oracle expected ${expected ?? "success"}`);
        }
        counts.refused++;
      }
      if (!Buffer.from(memory.buffer).equals(Buffer.from(shadow.buffer))) {
        const actual = new Uint8Array(memory.buffer);
        const first = actual.findIndex((byte, i) => byte !== shadow[i]);
        throw new Error(`${context} left memory different from the oracle, first at byte ${first}`);
      }
    }
    // The mix must exercise both sides, or the property says little.
    expect(counts.ok).toBeGreaterThan(OPERATIONS / 5);
    expect(counts.refused).toBeGreaterThan(OPERATIONS / 5);
  });
});
