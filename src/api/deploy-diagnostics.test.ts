// A refused deploy lists every problem at once (policy and guest ABI), with a hint where the cause is recognisable:
// WASI imports without the wasi profile, AssemblyScript's env.abort, a memory minimum over maxMemoryPages.

import { describe, expect, it } from "vitest";
import { checkGuestAbi, DEFAULT_LIMITS } from "../runtime/index.ts";
import { watToBytes } from "../wasm/fixtures.ts";
import { decodeModule, inspectModule } from "../wasm/index.ts";
import type { DeployManifest } from "./manifest.ts";
import { modulePolicyViolations } from "../services/module-policy.ts";

const manifest = (profile: string[], maxMemoryPages = 16) =>
  ({ profile, limits: { ...DEFAULT_LIMITS, maxMemoryPages } }) as unknown as DeployManifest;

async function refusal(wat: string, profile: string[], maxMemoryPages?: number) {
  const bytes = await watToBytes(wat);
  return [...modulePolicyViolations(inspectModule(bytes), manifest(profile, maxMemoryPages)), ...checkGuestAbi(decodeModule(bytes))];
}

describe("deploy diagnostics", () => {
  it("a C program deployed without the wasi profile: every import, the missing export, each with what to do", async () => {
    const violations = await refusal(
      `(module
        (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
        (import "wasi_snapshot_preview1" "fd_mmap" (func (param i32) (result i32)))
        (memory (export "memory") 20))`,
      ["minimal"],
    );
    expect(violations.map((v) => v.rule)).toEqual(["capability_missing", "capability_missing", "memory_pages", "import_not_allowed", "abi_export_missing", "abi_export_missing"]);
    const [fdWrite, , memory, mmap] = violations as { hint?: string }[];
    expect(fdWrite.hint).toContain('"wasi" profile');
    expect(memory.hint).toContain("maxMemoryPages to at least 20");
    expect(memory.hint).toContain("-Wl,-z,stack-size=65536");
    expect(memory.hint).toContain("-C link-arg=-zstack-size=65536");
    expect(mmap.hint).toContain("not a wasi_snapshot_preview1 function");
  });

  it("AssemblyScript's env.abort points at the SDK's abort handler; a memory over every ceiling says so", async () => {
    const violations = await refusal(
      `(module
        (import "env" "abort" (func (param i32 i32 i32 i32)))
        (memory (export "memory") 600)
        (func (export "helios_alloc") (param i32) (result i32) (i32.const 0))
        (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))`,
      ["minimal"],
    );
    expect(violations.map((v) => v.rule)).toEqual(["memory_pages", "import_not_allowed"]);
    expect((violations[1] as { hint?: string }).hint).toContain("abort=modules/sdk/abort/heliosAbort");
    expect((violations[0] as { hint?: string }).hint).toContain("cannot go above 512");
  });

  it("no hint where the cause is not recognisable", async () => {
    const violations = await refusal(`(module (import "somewhere" "else" (func)) (memory (export "memory") 1) (func (export "_start")))`, ["wasi"]);
    expect(violations).toEqual([{ rule: "import_not_allowed", message: "import somewhere.else is not an allowed import" }]);
  });
});
