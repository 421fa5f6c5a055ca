// In the parent Worker, deploys scan function bodies in the WebAssembly accelerator: the deploy service registers the
// scanner's .wasm, which the Workers bundle imports as a compiled module (workerd refuses to compile bytes at run time).
import { describe, expect, it } from "vitest";
import "../../src/services/deploy-service.ts";
import { instrumentModule, wasmScannerStats } from "../../src/wasm/index.ts";
import { guestBytes } from "./runtime-support.ts";

describe("the function scanner's WebAssembly accelerator in the Worker", () => {
  it("is registered by the deploy service and scans every function of a deployed guest", () => {
    const before = wasmScannerStats();
    const bytes = guestBytes("example:cpu-heavy");
    const instrumented = instrumentModule(bytes, { maxMemoryPages: 16 });
    const after = wasmScannerStats();
    expect(after.scanned - before.scanned).toBeGreaterThan(0);
    expect(after.fellBack - before.fellBack).toBe(0);
    expect(WebAssembly.validate(instrumented)).toBe(true);
  });
});
