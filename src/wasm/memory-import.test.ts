import { describe, expect, it } from "vitest";
import { compile, customSection, loadFixtures, watToBytes } from "./fixtures.ts";
import { instrumentModule } from "./instrumenter.ts";
import { importMemory } from "./memory-import.ts";
import { decodeMemoryLimits, encodeMemoryLimits, MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME, MEMORY_LIMITS_SECTION } from "./memory-protocol.ts";

const PAGE = 65536;
/** Node has it; the Workers typings in scope omit it. */
const LinkError = (WebAssembly as unknown as { LinkError: new () => Error }).LinkError;

const GUEST = `(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (memory (export "memory") 2 8)
  (data (i32.const 16) "hello")
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))`;

function limitsOf(module: WebAssembly.Module): unknown[] {
  return WebAssembly.Module.customSections(module, MEMORY_LIMITS_SECTION).map(decodeMemoryLimits);
}

function withMemory(memory: WebAssembly.Memory, extra: WebAssembly.Imports = {}): WebAssembly.Imports {
  return { ...extra, [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } };
}

interface Guest {
  peek(at: number): number;
  poke(at: number, value: number): void;
  grow(pages: number): number;
  size(): number;
  memory: WebAssembly.Memory;
}

describe("importMemory", () => {
  it("imports the defined memory with its limits, which the custom section records", async () => {
    const { bytes, limits } = importMemory(await watToBytes(GUEST));
    expect(limits).toEqual({ initial: 2, maximum: 8 });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const module = compile(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([
      { module: "env", name: "f", kind: "function" },
      { module: MEMORY_IMPORT_MODULE, name: MEMORY_IMPORT_NAME, kind: "memory" },
    ]);
    expect(limitsOf(module)).toEqual([{ initial: 2, maximum: 8 }]);
  });

  it("runs as the original did: data segments written into the given memory, which the guest exports and grows to the same maximum", async () => {
    const original = await watToBytes(GUEST);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 8 });
    const env = { env: { f: (x: number) => x } };
    const rewritten = new WebAssembly.Instance(compile(importMemory(original).bytes), withMemory(memory, env)).exports as unknown as Guest;
    const plain = new WebAssembly.Instance(compile(original), env).exports as unknown as Guest;
    expect(rewritten.memory).toBe(memory);
    for (const guest of [rewritten, plain]) {
      expect(new TextDecoder().decode(new Uint8Array(guest.memory.buffer, 16, 5))).toBe("hello");
      expect(guest.size()).toBe(2);
      expect(guest.grow(6)).toBe(2);
      expect(guest.grow(1)).toBe(-1);
      expect(guest.size()).toBe(8);
    }
    expect(memory.buffer.byteLength).toBe(8 * PAGE);
  });

  it("refuses a memory that does not match the recorded limits at instantiation (LinkError)", async () => {
    const module = compile(importMemory(await watToBytes(GUEST)).bytes);
    const env = { env: { f: (x: number) => x } };
    expect(() => new WebAssembly.Instance(module, withMemory(new WebAssembly.Memory({ initial: 1, maximum: 8 }), env))).toThrow(LinkError);
    expect(() => new WebAssembly.Instance(module, withMemory(new WebAssembly.Memory({ initial: 2 }), env))).toThrow(LinkError);
  });

  it("adds an import section where the module had none, and keeps a memory without a maximum unbounded", async () => {
    const { bytes, limits } = importMemory(await watToBytes(`(module (memory (export "memory") 1) (func (export "size") (result i32) (memory.size)))`));
    expect(limits).toEqual({ initial: 1 });
    expect(WebAssembly.validate(bytes)).toBe(true);
    const module = compile(bytes);
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: MEMORY_IMPORT_MODULE, name: MEMORY_IMPORT_NAME, kind: "memory" }]);
    expect(limitsOf(module)).toEqual([{ initial: 1 }]);
  });

  it("leaves a module without a defined memory, with an imported one, or with two memories as it was", async () => {
    const cases = [
      await watToBytes(`(module (func (export "f")))`),
      await watToBytes(`(module (import "env" "memory" (memory 1)) (func (export "f")))`),
      await watToBytes(`(module (memory 1) (memory 1))`, ["multi_memory"]),
    ];
    for (const bytes of cases) {
      const result = importMemory(bytes);
      expect(result.limits).toBeNull();
      expect(result.bytes).toBe(bytes);
    }
  });

  it("drops a section of the reserved name the guest brought: the host reads only the one this pass wrote", async () => {
    const forged = customSection(MEMORY_LIMITS_SECTION, [...encodeMemoryLimits({ initial: 0, maximum: 65536 })]);
    const base = await watToBytes(`(module (memory (export "memory") 1 2))`);
    const withForgery = Uint8Array.from([...base.subarray(0, 8), ...forged, ...base.subarray(8)]);
    const module = compile(importMemory(withForgery).bytes);
    expect(limitsOf(module)).toEqual([{ initial: 1, maximum: 2 }]);
  });

  it("keeps every instrumented feature fixture valid, with the same exports and the import appended", async () => {
    let rewritten = 0;
    for (const fixture of await loadFixtures("features")) {
      if (!fixture.v8Supported) continue;
      const instrumented = instrumentModule(fixture.bytes, { maxMemoryPages: 16 });
      const { bytes, limits } = importMemory(instrumented);
      expect(WebAssembly.validate(bytes), fixture.name).toBe(true);
      const before = compile(instrumented);
      const after = compile(bytes);
      expect(WebAssembly.Module.exports(after), fixture.name).toEqual(WebAssembly.Module.exports(before));
      const extra = limits === null ? [] : [{ module: MEMORY_IMPORT_MODULE, name: MEMORY_IMPORT_NAME, kind: "memory" }];
      expect(WebAssembly.Module.imports(after), fixture.name).toEqual([...WebAssembly.Module.imports(before), ...extra]);
      if (limits !== null) rewritten++;
    }
    expect(rewritten).toBeGreaterThan(3);
  });
});

describe("decodeMemoryLimits", () => {
  const encode = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

  it("reads what encodeMemoryLimits wrote", () => {
    for (const limits of [{ initial: 0 }, { initial: 1, maximum: 1 }, { initial: 17, maximum: 65536 }]) {
      expect(decodeMemoryLimits(encodeMemoryLimits(limits).slice().buffer as ArrayBuffer)).toEqual(limits);
    }
  });

  it("answers null for anything else", () => {
    for (const text of ["", "null", "[]", "{}", '{"initial":-1}', '{"initial":1.5}', '{"initial":65537}', '{"initial":2,"maximum":1}', '{"initial":1,"maximum":"2"}', "\u00ff"]) {
      expect(decodeMemoryLimits(encode(text)), text).toBeNull();
    }
    expect(decodeMemoryLimits(Uint8Array.of(0xff, 0xfe).buffer)).toBeNull();
  });
});
