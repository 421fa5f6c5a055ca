// The toolkit never turns an invalid module into a valid one. The instrumenter moves the start
// function out of the start section into an export, so a start function of the wrong type, or a
// `ref.func` that only the start section "declares", would become valid if it were not refused.
// Corpus: src/wasm/fixtures/invalid/*.wat, modelled on the spec testsuite's start.wast and ref_func.wast.
import { describe, expect, it } from "vitest";
import { fixtureNames, instantiate, loadFixture, thrown, watToBytes } from "./fixtures.ts";
import { callMetered, inspectModule, instrumentModule, MalformedModuleError, START_EXPORT } from "./index.ts";

const OPTIONS = { maxMemoryPages: 1 };

describe("invalid modules stay refused", () => {
  const names = fixtureNames("invalid");

  it("the corpus covers both holes", () => {
    expect(names).toEqual(expect.arrayContaining(["start_with_param", "start_with_result", "ref_func_declared_by_start_only"]));
  });

  it.each(names)("invalid/%s.wat: V8 refuses it, and so do inspectModule and instrumentModule", async (name) => {
    const fixture = await loadFixture("invalid", name);
    expect(fixture.expect, `invalid/${name}.wat needs an "expect:" directive`).toBeTruthy();
    expect(WebAssembly.validate(fixture.bytes)).toBe(false);
    for (const run of [() => inspectModule(fixture.bytes), () => instrumentModule(fixture.bytes, OPTIONS)]) {
      const error = thrown(run, MalformedModuleError);
      expect(error.code).toBe("malformed_module");
      expect(error.message).toContain(fixture.expect);
    }
  });
});

describe("the valid neighbours of those cases still instrument", () => {
  it("a [] -> [] start function, imported or defined, is exported and runs metered", async () => {
    const bytes = await watToBytes(`(module
      (import "env" "init" (func $init))
      (global $g (export "g") (mut i32) (i32.const 0))
      (func $main (call $init) (global.set $g (i32.const 7)))
      (start $main))`);
    let called = 0;
    const inst = instantiate(instrumentModule(bytes, OPTIONS), { env: { init: () => void called++ } });
    expect(called).toBe(0);
    callMetered(inst, 100n, () => (inst.exports[START_EXPORT] as () => void)());
    expect(called).toBe(1);
    expect((inst.exports.g as WebAssembly.Global).value).toBe(7);
  });

  it.each([
    ["an element segment", `(elem declare func $main)`],
    ["an export", `(export "main" (func $main))`],
    ["a global initialiser", `(global funcref (ref.func $main))`],
  ])("ref.func of the start function declared by %s", async (_, declaration) => {
    const bytes = await watToBytes(`(module (start $main) ${declaration} (func $main (drop (ref.func $main))))`, ["reference_types"]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const out = instrumentModule(bytes, OPTIONS);
    expect(WebAssembly.validate(out)).toBe(true);
  });
});
