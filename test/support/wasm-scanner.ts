// The function scanner's WebAssembly accelerator in Node (src/wasm/wasm-scanner.ts): compiled from the file
// `npm run build:modules` builds (modules/scanner), as unit tests and benchmarks use it. The Worker imports the same
// file as a module instead (src/runtime/wasm-scanner.ts).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { useWasmScanner } from "../../src/wasm/wasm-scanner.ts";

// Found by walking up rather than by a fixed relative path, so the helper also works when bundled elsewhere (scripts/bench.mjs).
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "modules", "scanner"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the repository root (a directory containing modules/scanner)");
    dir = parent;
  }
  return dir;
}

export function wasmScannerPath(): string {
  return join(repoRoot(), "modules", "build", "scanner", "scanner.wasm");
}

// Workers' types declare WebAssembly.Module abstract (a Worker cannot compile); Node can.
const WasmModule = WebAssembly.Module as unknown as new (bytes: BufferSource) => WebAssembly.Module;

/** The compiled accelerator. Throws, saying how to build it, when `npm run build:modules` has not run. */
export function compiledWasmScanner(): WebAssembly.Module {
  const path = wasmScannerPath();
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:modules\``);
  return new WasmModule(readFileSync(path));
}

/** Registers the built accelerator for every scan in this process. */
export function useBuiltWasmScanner(): void {
  useWasmScanner(compiledWasmScanner());
}
