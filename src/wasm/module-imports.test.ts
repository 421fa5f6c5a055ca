import { describe, expect, it } from "vitest";
import { compile, loadFixtures, watToBytes } from "./fixtures.ts";
import { importMemory } from "./memory-import.ts";
import { functionImports } from "./module-imports.ts";
import { MalformedModuleError } from "./errors.ts";

/** What the engine lists as the module's function imports, in order. */
function engineFunctionImports(bytes: Uint8Array): { module: string; name: string }[] {
  return WebAssembly.Module.imports(compile(bytes))
    .filter((i) => i.kind === "function")
    .map(({ module, name }) => ({ module, name }));
}

describe("functionImports", () => {
  it("lists the function imports in order, past imports of every other kind", async () => {
    const bytes = await watToBytes(`(module
      (import "a" "f" (func (param i32)))
      (import "a" "t" (table 1 10 funcref))
      (import "b" "m" (memory 1 65536))
      (import "b" "g" (global (mut i64)))
      (import "b" "g2" (global i32))
      (import "c" "t2" (table 3 externref))
      (import "d" "h" (func (result i32)))
      (func (export "x")))`);
    expect(functionImports(bytes)).toEqual([
      { module: "a", name: "f" },
      { module: "d", name: "h" },
    ]);
    expect(functionImports(bytes)).toEqual(engineFunctionImports(bytes));
  });

  it("is empty for a module without imports, and reads a rewritten memory import like any other", async () => {
    expect(functionImports(await watToBytes(`(module (memory 1) (func (export "x")))`))).toEqual([]);
    const { bytes } = importMemory(await watToBytes(`(module (import "env" "log" (func)) (memory 1) (func (export "x")))`));
    expect(functionImports(bytes)).toEqual([{ module: "env", name: "log" }]);
  });

  it("agrees with the engine on every fixture the engine compiles", async () => {
    let compared = 0;
    for (const fixture of await loadFixtures("features")) {
      if (!WebAssembly.validate(fixture.bytes)) continue; // a feature Node 20's engine lacks
      expect(functionImports(fixture.bytes), fixture.name).toEqual(engineFunctionImports(fixture.bytes));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it("refuses a cut-off import section as malformed", async () => {
    const bytes = await watToBytes(`(module (import "env" "log" (func)))`);
    expect(() => functionImports(bytes.subarray(0, bytes.length - 3))).toThrow(MalformedModuleError);
  });
});
