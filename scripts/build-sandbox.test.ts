// The sandbox isolate carries only the code it runs: its own layer plus the toolkit's fuel and memory protocols. The decoder,
// opcode tables, scanner and instrumenter run at deploy in the parent, never in an isolate, and are a start-up cost
// paid again by every isolate that carries them.

import { describe, expect, it } from "vitest";
// @ts-expect-error plain ES module script without type declarations
import { bundleSandbox } from "./build-sandbox.mjs";

/** The only toolkit files an isolate runs: metered calls, the fuel error and the imported memory's limits. */
const TOOLKIT_FILES_IN_ISOLATE = ["src/wasm/errors.ts", "src/wasm/fuel.ts", "src/wasm/memory-protocol.ts"];

describe("sandbox bundle", () => {
  it("is built from src/sandbox and the fuel and memory protocols only", async () => {
    const { inputs } = (await bundleSandbox()) as { inputs: string[] };
    const outside = inputs.filter((file) => !file.startsWith("src/sandbox/"));
    expect(outside.sort()).toEqual(TOOLKIT_FILES_IN_ISOLATE);
    expect(inputs).toContain("src/sandbox/isolate-entry.ts");
  });

  it("leaves out the decoder and the opcode tables", async () => {
    const { code } = (await bundleSandbox()) as { code: string };
    // Names that exist only in the toolkit's decoding half (opcodes.ts, decoder.ts).
    for (const name of ["SINGLE_BYTE", "UNSUPPORTED_OPCODES", "decodeModule", "importMemory"]) expect(code).not.toContain(name);
  });
});
