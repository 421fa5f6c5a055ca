// The scanner reads the immediates of simple instructions inline (skipSimple: local.*, global.*,
// loads and stores, i32.const) and falls back to the checking reader for anything longer or odd.
// However an immediate is encoded — minimal, padded to five bytes, past 128 — the instrumented
// module must run the same and be charged the same fuel; and an index out of range must be
// refused at its instruction whichever path reads it.
import { describe, expect, it } from "vitest";
import { callMetered } from "./fuel.ts";
import { instantiate } from "./fixtures.ts";
import { instrumentModule, MalformedModuleError, Writer } from "./index.ts";

const LOCALS = 200;

/** Unsigned LEB128 of `value` in `width` bytes (width 0: minimal). */
function uleb(value: number, width = 0): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(b);
  } while (v !== 0);
  while (out.length < width) out.push(0);
  return out.map((b, i) => (i < out.length - 1 ? b | 0x80 : b));
}

/** Signed 32-bit LEB128 of `value` in `width` bytes (width 0: minimal). */
function sleb(value: number, width = 0): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    out.push(b);
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) break;
  }
  while (out.length < width) out.push(v < 0 || (out[out.length - 1] & 0x40) !== 0 ? 0x7f : 0);
  return out.map((b, i) => (i < out.length - 1 ? b | 0x80 : b));
}

/**
 * `(func (param i32) (result i32))` with LOCALS more i32 locals, a memory and one mutable i32
 * global, exported as "run", whose body (without its final `end`) is `code`.
 */
function moduleWith(code: number[]): Uint8Array {
  const w = new Writer(256).bytes(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  w.u8(1).sized(Uint8Array.of(1, 0x60, 1, 0x7f, 1, 0x7f)); // type: (i32) -> i32
  w.u8(3).sized(Uint8Array.of(1, 0)); // function 0 has type 0
  w.u8(5).sized(Uint8Array.of(1, 0x00, 1)); // memory: min 1 page
  w.u8(6).sized(Uint8Array.of(1, 0x7f, 1, 0x41, 5, 0x0b)); // global 0: mut i32 = 5
  w.u8(7).sized(Uint8Array.of(1, 3, 0x72, 0x75, 0x6e, 0x00, 0)); // export "run" = func 0
  const body = new Writer(256).u32(1).u32(LOCALS).u8(0x7f).bytes(Uint8Array.from(code)).u8(0x0b);
  w.u8(10).sized(new Writer(256).u32(1).sized(body));
  return w.finish().slice();
}

/** Stores the parameter, moves it through high locals and the global, loads it back and adds constants: every inline immediate kind. */
function body(width: number): number[] {
  return [
    0x41, ...sleb(0, width), 0x20, ...uleb(0, width), 0x36, 0x02, ...uleb(300, width), // i32.store offset=300 (param)
    0x41, ...sleb(0, width), 0x28, 0x02, ...uleb(300, width), // i32.load offset=300
    0x21, ...uleb(150, width), // local.set 150
    0x20, ...uleb(150, width), 0x22, ...uleb(LOCALS, width), // local.get 150, local.tee 200 (the last local)
    0x24, ...uleb(0, width), 0x23, ...uleb(0, width), // global.set 0, global.get 0
    0x41, ...sleb(1000, width), 0x6a, // + 1000
    0x41, ...sleb(-100000, width), 0x6a, // - 100000
    0x41, ...sleb(-3, width), 0x6a, // - 3
  ];
}

function run(bytes: Uint8Array, arg: number): { value: number; fuelUsed: bigint } {
  const instance = instantiate(instrumentModule(bytes, { maxMemoryPages: 1 }));
  return callMetered(instance, 1_000_000n, () => (instance.exports.run as (x: number) => number)(arg));
}

function refusal(code: number[]): MalformedModuleError {
  try {
    instrumentModule(moduleWith(code), { maxMemoryPages: 1 });
  } catch (error) {
    if (error instanceof MalformedModuleError) return error;
    throw error;
  }
  throw new Error("instrumentModule accepted the module");
}

describe("scanner: immediates of simple instructions", () => {
  it("runs and charges the same whether immediates are minimal or padded to 2-5 bytes", () => {
    const minimal = run(moduleWith(body(0)), 7);
    expect(minimal.value).toBe(7 + 1000 - 100000 - 3);
    expect(minimal.fuelUsed).toBeGreaterThan(0n);
    for (const width of [2, 3, 4, 5]) {
      const bytes = moduleWith(body(width));
      expect(WebAssembly.validate(bytes), `width ${width}`).toBe(true);
      expect(run(bytes, 7), `width ${width}`).toEqual(minimal);
    }
  });

  it.each([
    ["local.get", 0x20, LOCALS + 1],
    ["local.set", 0x21, 5000],
    ["local.tee", 0x22, 2 ** 31],
    ["global.get", 0x23, 1],
    ["global.set", 0x24, 300],
  ])("refuses %s of index %i at the instruction, minimal or padded", (name, opcode, index) => {
    for (const width of [0, 2, 5]) {
      const prefix = [0x20, 0x00, 0x1a]; // local.get 0; drop: the bad instruction is not first
      const code = [...prefix, opcode, ...uleb(index, width), 0x1a, 0x20, 0x00];
      const bytes = moduleWith(code);
      // The body is the module's last bytes: the code, then its `end`.
      const at = bytes.length - (code.length + 1) + prefix.length;
      const error = refusal(code);
      expect(error.offset, `${name} ${index} width ${width}`).toBe(at);
      expect(error.message).toContain(String(index));
    }
  });

  it("refuses an i32.const or a memarg offset whose LEB128 is overlong or overflows", () => {
    const tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
    expect(() => instrumentModule(moduleWith([0x41, ...tooLong, 0x1a, 0x20, 0x00]), { maxMemoryPages: 1 })).toThrow(MalformedModuleError);
    expect(() => instrumentModule(moduleWith([0x41, 0x00, 0x28, 0x02, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x1a, 0x20, 0x00]), { maxMemoryPages: 1 }))
      .toThrow(MalformedModuleError);
    expect(() => instrumentModule(moduleWith([0x41, 0x80]), { maxMemoryPages: 1 })).toThrow(MalformedModuleError);
  });
});
