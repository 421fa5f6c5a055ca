// Guest memories in the real sandbox isolate: a deploy stores the module with its memory imported (src/wasm/
// memory-import.ts), and the isolate reuses memories between invocations (src/sandbox/memory-pool.ts) without one
// invocation ever seeing what another wrote or how far it grew.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { instrumentedModuleKey } from "../../src/registry/module-store.ts";
import { inspectModule, MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME } from "../../src/wasm/index.ts";
import { deployed, freshName, invoke, textOf } from "./api-support.ts";

describe("pooled guest memory in the sandbox isolate", () => {
  it("stores the instrumented module with its memory imported", async () => {
    const fn = await deployed(freshName("pooled"), "echo");
    const object = await env.MODULES.get(instrumentedModuleKey(fn.instrumentedSha256));
    const info = inspectModule(new Uint8Array(await object!.arrayBuffer()));
    expect(info.imports.filter((i) => i.kind === "memory").map((i) => `${i.module}.${i.name}`)).toEqual([`${MEMORY_IMPORT_MODULE}.${MEMORY_IMPORT_NAME}`]);
  });

  it("gives every invocation zeroed memory at the declared size, after invocations that wrote to it and grew it", async () => {
    const name = freshName("residue");
    await deployed(name, "memory-residue");
    for (const payload of ["", "", "grow", "", "grow", "grow", ""]) {
      const response = await invoke(name, payload);
      expect(response.status).toBe(200);
      expect(await textOf(response)).toBe("01");
      expect(response.headers.get("x-helios-memory-pages")).toBe(payload === "" ? "1" : "2");
    }
  });
});
