// Helios Edge guest SDK for AssemblyScript (first ABI, docs/abi.md).
//
// A function module re-exports the allocator and defines the handler:
//
//   export { helios_alloc } from "../sdk";
//   import { inputString, outputString } from "../sdk";
//   export function handle(ptr: usize, len: usize): u64 {
//     return outputString("Hello, " + inputString(ptr, len) + "!");
//   }
//
// Build with the stub runtime (modules/examples/asconfig.json): every invocation gets a fresh instance, so a bump
// allocator that never frees is both the fastest and a correct heap.

export { helios_alloc } from "./abi";
export { input, inputString, output, outputString, outputBytes } from "./abi";
export { log, LogLevel } from "./log";
export { heliosAbort } from "./abort";
export { JsonKind, JsonParseResult, JsonValue, MAX_JSON_DEPTH, parseJson } from "./json";
