// inspectModule: the facts about a module that deploy, policy and API responses need.
import { decodeModule } from "./decoder.ts";
import { ScanResult, codeContext } from "./scanner.ts";
import { functionScanner } from "./wasm-scanner.ts";
import { type FuncType, type Limits, type TableType, type ValTypeName, type WasmModule, valTypeName } from "./types.ts";

export interface FuncSig {
  params: ValTypeName[];
  results: ValTypeName[];
}
export interface MemoryInfo {
  min: number;
  max: number | null;
  imported: boolean;
}
export interface TableInfo {
  elemType: ValTypeName;
  min: number;
  max: number | null;
  imported: boolean;
}
export interface GlobalInfo {
  type: ValTypeName;
  mutable: boolean;
  imported: boolean;
}
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";
export interface ImportInfo {
  module: string;
  name: string;
  kind: ExternKind;
  type: FuncSig | TableInfo | MemoryInfo | GlobalInfo;
}
export interface ExportInfo {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface ModuleInfo {
  size: number;
  types: FuncSig[];
  imports: ImportInfo[];
  exports: ExportInfo[];
  /** Imported ones first, as in the index spaces. */
  memories: MemoryInfo[];
  tables: TableInfo[];
  globals: GlobalInfo[];
  startFunction: number | null;
  importedFunctionCount: number;
  /** All functions, imported included. */
  functionCount: number;
  /** Bytes of function code (the code section's bodies). */
  codeSize: number;
  /** The most locals (parameters included) any defined function has. */
  maxLocals: number;
  dataSegmentCount: number;
  elementSegmentCount: number;
  dataBytes: number;
  customSections: string[];
}

export function sigOf(t: FuncType): FuncSig {
  return { params: t.params.map((p) => valTypeName(p)!), results: t.results.map((r) => valTypeName(r)!) };
}

function memoryInfo(l: Limits, imported: boolean): MemoryInfo {
  return { min: l.min, max: l.max, imported };
}

function tableInfo(t: TableType, imported: boolean): TableInfo {
  return { elemType: valTypeName(t.elemType)!, min: t.limits.min, max: t.limits.max, imported };
}

/**
 * Decodes and structurally checks `bytes` (every section and every instruction), then summarises
 * it. Type-checking of instructions is left to V8 (`WebAssembly.validate`).
 */
export function inspectModule(bytes: Uint8Array): ModuleInfo {
  const m = decodeModule(bytes);
  checkFunctionBodies(bytes, m);
  return describeModule(m, bytes.length);
}

/**
 * Structurally checks every function body of `m`, the decoding of `bytes` (what inspectModule adds
 * to decodeModule): throws the first malformed body's error, in function order. instrumentModule
 * checks each body the same way as it scans it, so a deploy that instruments need not run this too.
 */
export function checkFunctionBodies(bytes: Uint8Array, m: WasmModule): void {
  const scanner = functionScanner(bytes, codeContext(m));
  const scan = new ScanResult();
  for (let i = 0; i < m.code.length; i++) scanner.scan(m.code[i], i, scan);
}

/**
 * The summary of `m`, a module decodeModule decoded from `size` bytes (its data segments kept), without
 * checking its function bodies: inspectModule's answer for a module whose bodies are checked elsewhere.
 */
export function describeModule(m: WasmModule, size: number): ModuleInfo {
  let maxLocals = 0;
  let codeSize = 0;
  for (let i = 0; i < m.code.length; i++) {
    // The scanner's count: the parameters, then every local group.
    const type = m.types[m.functions[i]];
    let locals = type === undefined ? 0 : type.params.length;
    for (const group of m.code[i].locals) locals += group.count;
    maxLocals = Math.max(maxLocals, locals);
    codeSize += m.code[i].code.length;
  }
  return summarize(m, size, maxLocals, codeSize);
}

function summarize(m: WasmModule, size: number, maxLocals: number, codeSize: number): ModuleInfo {
  const types = m.types.map(sigOf);
  const imports: ImportInfo[] = [];
  const memories: MemoryInfo[] = [];
  const tables: TableInfo[] = [];
  const globals: GlobalInfo[] = [];
  let importedFunctionCount = 0;
  for (const imp of m.imports) {
    const d = imp.desc;
    let type: ImportInfo["type"];
    if (d.kind === "func" || d.kind === "tag") {
      if (d.kind === "func") importedFunctionCount++;
      type = types[d.typeIndex];
    } else if (d.kind === "memory") {
      const mem = memoryInfo(d.limits, true);
      memories.push(mem);
      type = mem;
    } else if (d.kind === "table") {
      const table = tableInfo(d.type, true);
      tables.push(table);
      type = table;
    } else {
      const global: GlobalInfo = { type: valTypeName(d.type.valType)!, mutable: d.type.mutable, imported: true };
      globals.push(global);
      type = global;
    }
    imports.push({ module: imp.module, name: imp.name, kind: d.kind, type });
  }
  for (const l of m.memories) memories.push(memoryInfo(l, false));
  for (const t of m.tables) tables.push(tableInfo(t, false));
  for (const g of m.globals) globals.push({ type: valTypeName(g.type.valType)!, mutable: g.type.mutable, imported: false });
  return {
    size,
    types,
    imports,
    exports: m.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    memories,
    tables,
    globals,
    startFunction: m.start,
    importedFunctionCount,
    functionCount: importedFunctionCount + m.functions.length,
    codeSize,
    maxLocals,
    dataSegmentCount: m.data.length,
    elementSegmentCount: m.elements.length,
    dataBytes: m.data.reduce((n, d) => n + d.bytes.length, 0),
    customSections: m.customSections.map((c) => c.name),
  };
}
