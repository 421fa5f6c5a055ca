import { describe, expect, test } from "vitest";
import { PolicyViolationError } from "./errors.ts";
import { watToBytes } from "./fixtures.ts";
import { inspectModule } from "./inspector.ts";
import { assertPolicy, checkPolicy, type ModulePolicy } from "./policy.ts";

const policy: ModulePolicy = {
  maxModuleBytes: 10_000,
  maxFunctions: 4,
  maxLocalsPerFunction: 8,
  maxTables: 1,
  maxTableElements: 16,
  maxDataSegments: 2,
  maxMemoryPages: 4,
  maxGlobals: 2,
  allowedImports: [{ module: "heliosdb", name: "log", type: { params: ["i32", "i32", "i32"], results: [] } }],
};

async function rules(wat: string, p: ModulePolicy = policy): Promise<string[]> {
  return checkPolicy(inspectModule(await watToBytes(wat)), p).map((v) => v.rule);
}

describe("checkPolicy", () => {
  test("a compliant module passes", async () => {
    const wat = `(module (import "heliosdb" "log" (func (param i32 i32 i32))) (memory 4) (func (export "run")))`;
    expect(await rules(wat)).toEqual([]);
    const info = inspectModule(await watToBytes(wat));
    expect(() => assertPolicy(info, policy)).not.toThrow();
  });

  test("each limit is enforced and named", async () => {
    expect(await rules(`(module (memory 5))`)).toEqual(["memory_pages"]);
    expect(await rules(`(module (func) (func) (func) (func) (func))`)).toEqual(["functions"]);
    expect(await rules(`(module (func (param i32 i32 i32 i32) (local i32 i32 i32 i32 i32)))`)).toEqual(["locals"]);
    expect(await rules(`(module (table 1 funcref) (table 1 funcref))`, { ...policy, maxTables: 1 })).toEqual(["tables"]);
    expect(await rules(`(module (table 17 funcref))`)).toEqual(["table_elements"]);
    expect(await rules(`(module (memory 1) (data (i32.const 0) "a") (data (i32.const 1) "b") (data (i32.const 2) "c"))`)).toEqual(["data_segments"]);
    expect(await rules(`(module (global i32 (i32.const 0)) (global i32 (i32.const 0)) (global i32 (i32.const 0)))`)).toEqual(["globals"]);
    expect(await rules(`(module (func))`, { ...policy, maxModuleBytes: 10 })).toEqual(["module_size"]);
  });

  test("a memory with no maximum, or a larger one, is allowed (the instrumenter clamps it)", async () => {
    expect(await rules(`(module (memory 1))`)).toEqual([]);
    expect(await rules(`(module (memory 1 65536))`)).toEqual([]);
  });

  test("imports must match the allow-list by module, name and exact signature", async () => {
    expect(await rules(`(module (import "heliosdb" "log" (func (param i32 i32))))`)).toEqual(["import_signature"]);
    expect(await rules(`(module (import "heliosdb" "log" (func (param i32 i32 i32) (result i32))))`)).toEqual(["import_signature"]);
    expect(await rules(`(module (import "heliosdb" "fetch" (func)))`)).toEqual(["import_not_allowed"]);
    expect(await rules(`(module (import "env" "log" (func (param i32 i32 i32))))`)).toEqual(["import_not_allowed"]);
    expect(await rules(`(module (import "env" "mem" (memory 1)))`)).toEqual(["import_kind"]);
    expect(await rules(`(module (import "env" "g" (global i32)))`)).toEqual(["import_kind"]);
  });

  test("reserved export names are refused, and messages name the culprit", async () => {
    const info = inspectModule(await watToBytes(`(module (func (export "__helios_start")) (memory 9))`));
    const violations = checkPolicy(info, policy);
    expect(violations.map((v) => v.rule).sort()).toEqual(["memory_pages", "reserved_export"]);
    expect(violations.find((v) => v.rule === "reserved_export")?.message).toContain("__helios_start");
    let thrown: unknown;
    try {
      assertPolicy(info, policy);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PolicyViolationError);
    expect((thrown as PolicyViolationError).violations).toHaveLength(2);
  });
});
