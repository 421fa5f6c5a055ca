// Unit tests (vitest.config.ts, project "unit") scan in the function scanner's WebAssembly accelerator, as the Worker
// does: each test file's module graph registers the built module once.
import { useBuiltWasmScanner } from "./wasm-scanner.ts";

useBuiltWasmScanner();
