// Helios Edge guest SDK for AssemblyScript (docs/abi.md).
//
// A function module re-exports the allocator pair and defines the handler:
//
//   export { helios_alloc, helios_dealloc } from "../sdk";
//   import { inputString, outputString } from "../sdk";
//   export function handle(ptr: usize, len: usize): u64 {
//     return outputString("Hello, " + inputString(ptr, len) + "!");
//   }
//
// Build with the stub runtime (modules/examples/asconfig.json): every invocation gets a fresh instance, so a bump
// allocator that never frees is both the fastest and a correct heap. Only the host functions a module calls are
// imported, so a module needs exactly the capabilities of the SDK calls it makes (docs/abi.md, "Host functions").
// AssemblyScript cannot catch exceptions: host calls return results (`ok`, `status`, `error`), and `unwrap()` /
// `check()` turn a failure into an abort whose message reaches the caller's logs.
export { helios_alloc, helios_dealloc } from "./abi";
export { emit, emitString, input, inputJson, inputString, noMoreOutput, output, outputJson, outputString, outputBytes } from "./abi";
export { hostBlocks } from "./blocks";
export { db, DbParams, DbResult, DbRow } from "./db";
export { AsyncInvocation, DEFAULT_EDGE_CAPACITY, EdgeResult, edgeInvoke, edgeInvokeAsync, edgeInvokeAsyncString, edgeInvokeString } from "./edge";
export { config, functionName, nowMs, randomBytes, regionName } from "./env";
export { HttpResponse, httpFetch } from "./http";
export { log, LogLevel } from "./log";
export { heliosAbort } from "./abort";
export { request, response } from "./handler";
export { JsonKind, JsonParseResult, JsonValue, MAX_JSON_DEPTH, parseJson } from "./json";
export { HostStatus, check, statusName } from "./status";
