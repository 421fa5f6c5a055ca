// The WebAssembly binary toolkit: decode, inspect, check, instrument and encode modules (no Workers APIs).
export * from "./errors.ts";
export { Reader } from "./reader.ts";
export { Writer } from "./writer.ts";
export { OPCODES, type OpInfo, type Imm, type Control, type DynamicCost } from "./opcodes.ts";
export { readInstruction, writeInstruction, type Instruction } from "./instruction.ts";
export * from "./types.ts";
export { decodeModule, V8_LIMITS } from "./decoder.ts";
export { encodeModule } from "./encoder.ts";
export { decodeCode, encodeCode } from "./code.ts";
export {
  inspectModule,
  checkFunctionBodies,
  describeModule,
  type ModuleInfo,
  type FuncSig,
  type ImportInfo,
  type ExportInfo,
  type MemoryInfo,
  type TableInfo,
  type GlobalInfo,
  type ExternKind,
} from "./inspector.ts";
export { checkPolicy, assertPolicy, formatSig, type ModulePolicy, type AllowedImport } from "./policy.ts";
export {
  instrumentModule,
  instrumentModuleWithStats,
  type InstrumentOptions,
  type InstrumentStats,
} from "./instrumenter.ts";
export { importMemory } from "./memory-import.ts";
export { useWasmScanner, wasmScannerStats, type WasmScannerStats } from "./wasm-scanner.ts";
export {
  decodeMemoryLimits,
  encodeMemoryLimits,
  MEMORY_IMPORT_MODULE,
  MEMORY_IMPORT_NAME,
  MEMORY_LIMITS_SECTION,
  type MemoryLimits,
} from "./memory-protocol.ts";
export {
  FUEL_EXPORT,
  GROW_FAILED_EXPORT,
  START_EXPORT,
  CHARGE_EXPORT,
  fuelCharger,
  RESERVED_EXPORT_PREFIX,
  setFuel,
  getFuel,
  callMetered,
  callMeteredAsync,
  chargeFuel,
  chargeFuelGlobal,
  fuelGlobal,
  runStart,
} from "./fuel.ts";
