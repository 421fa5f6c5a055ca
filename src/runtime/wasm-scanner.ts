// Registers the function scanner's WebAssembly accelerator (src/wasm/wasm-scanner.ts) for the parent Worker, where
// deploys inspect and instrument modules. Workers refuse to compile WebAssembly from bytes at run time, so the
// scanner's .wasm (built from modules/scanner by scripts/build-modules.mjs) is imported as a module: wrangler's
// default rules bundle `**/*.wasm` as CompiledWasm, a WebAssembly.Module compiled when the Worker starts. Imported
// for this effect by src/services/deploy-service.ts; without it every scan runs in TypeScript, as before.
import scanner from "../../modules/build/scanner/scanner.wasm";
import { useWasmScanner } from "../wasm/index.ts";

useWasmScanner(scanner);
