// The index spaces a function body is checked against, and the check of one instruction's indices.
import { MalformedModuleError } from "./errors.ts";
import { newOperands, type Operands, readOpcode, readOperands } from "./instruction.ts";
import { ImmId, type OpInfo } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import type { WasmModule } from "./types.ts";

const REF_FUNC = 0xd2;

/** Index spaces an instruction's immediates are checked against. */
export interface CodeContext {
  typeCount: number;
  /** Type index of every function, imported ones first. */
  functionTypes: number[];
  importedFunctionCount: number;
  /** Parameter count per type. */
  paramCounts: number[];
  tableCount: number;
  globalCount: number;
  tagCount: number;
  elementCount: number;
  dataCount: number | null;
  hasMemory: boolean;
  /**
   * 1 for each function a `ref.func` in a body may name: those mentioned outside function bodies
   * (exports, element segments, global initialisers), but not by the start section (the spec's C.refs).
   */
  declaredFunctions: Uint8Array;
}

export function codeContext(m: WasmModule): CodeContext {
  const functionTypes: number[] = [];
  let tables = m.tables.length;
  let globals = m.globals.length;
  let tags = m.tags.length;
  let memory = m.memories.length > 0;
  for (const imp of m.imports) {
    const d = imp.desc;
    if (d.kind === "func") functionTypes.push(d.typeIndex);
    else if (d.kind === "table") tables++;
    else if (d.kind === "global") globals++;
    else if (d.kind === "tag") tags++;
    else memory = true;
  }
  const importedFunctionCount = functionTypes.length;
  for (let i = 0; i < m.functions.length; i++) functionTypes.push(m.functions[i]);
  return {
    declaredFunctions: declaredFunctions(m, functionTypes.length),
    typeCount: m.types.length,
    functionTypes,
    importedFunctionCount,
    paramCounts: m.types.map((t) => t.params.length),
    tableCount: tables,
    globalCount: globals,
    tagCount: tags,
    elementCount: m.elements.length,
    dataCount: m.dataCount,
    hasMemory: memory,
  };
}

/**
 * The functions a body's `ref.func` may name. Computed from the input, so that the start function's
 * export added by the instrumenter never makes a `ref.func` of it valid.
 */
function declaredFunctions(m: WasmModule, count: number): Uint8Array {
  const declared = new Uint8Array(count);
  const ops = newOperands();
  const fromExpr = (expr: Uint8Array) => {
    const r = new Reader(expr, 0, expr.length);
    while (r.pos < r.end) {
      const op = readOpcode(r);
      readOperands(r, op, ops, false);
      if (op.immId === ImmId.Func) declared[ops.index] = 1;
    }
  };
  for (const e of m.exports) if (e.kind === "func") declared[e.index] = 1;
  for (const g of m.globals) fromExpr(g.init);
  for (const seg of m.elements) {
    if (seg.funcIndices) for (const f of seg.funcIndices) declared[f] = 1;
    if (seg.exprs) for (const expr of seg.exprs) fromExpr(expr);
  }
  return declared;
}

function badIndex(op: OpInfo, what: string, index: number, at: number): never {
  throw new MalformedModuleError(`${op.name}: ${what} index ${index} out of range`, at);
}

/**
 * The immediates checkIndices looks at, as a table by ImmId: the scanner calls it only for these
 * (a branch's label, a block type or a constant has nothing to check there). Keep in step with
 * the switch below.
 */
export const CHECKED_IMMEDIATES: Uint8Array = (() => {
  const table = new Uint8Array(32);
  for (const id of [ImmId.Local, ImmId.Global, ImmId.Func, ImmId.CallIndirect, ImmId.Table, ImmId.TableCopy, ImmId.TableInit,
    ImmId.Elem, ImmId.Data, ImmId.MemoryInit, ImmId.Memarg, ImmId.MemargLane, ImmId.Memory, ImmId.Memory2]) table[id] = 1;
  return table;
})();

/**
 * Range-checks the indices in `o` (the immediates of `op` at byte `at`). The instrumenter appends
 * locals, a global, a function and maybe a type, so an index one past the input's range would
 * otherwise become valid in its output.
 */
export function checkIndices(ctx: CodeContext, op: OpInfo, o: Operands, localCount: number, at: number): void {
  switch (op.immId) {
    case ImmId.Local:
      if (o.index >= localCount) badIndex(op, "local", o.index, at);
      return;
    case ImmId.Global:
      if (o.index >= ctx.globalCount) badIndex(op, "global", o.index, at);
      return;
    case ImmId.Func:
      if (o.index >= ctx.functionTypes.length) badIndex(op, "function", o.index, at);
      if (op.code === REF_FUNC && op.prefix === 0 && !ctx.declaredFunctions[o.index]) {
        throw new MalformedModuleError(`ref.func: undeclared function reference ${o.index} (no export, element segment or global names it)`, at);
      }
      return;
    case ImmId.CallIndirect:
      if (o.index >= ctx.typeCount) badIndex(op, "type", o.index, at);
      if (o.index2 >= ctx.tableCount) badIndex(op, "table", o.index2, at);
      return;
    case ImmId.Table:
      if (o.index >= ctx.tableCount) badIndex(op, "table", o.index, at);
      return;
    case ImmId.TableCopy:
      if (o.index >= ctx.tableCount) badIndex(op, "table", o.index, at);
      if (o.index2 >= ctx.tableCount) badIndex(op, "table", o.index2, at);
      return;
    case ImmId.TableInit:
      if (o.index >= ctx.elementCount) badIndex(op, "element segment", o.index, at);
      if (o.index2 >= ctx.tableCount) badIndex(op, "table", o.index2, at);
      return;
    case ImmId.Elem:
      if (o.index >= ctx.elementCount) badIndex(op, "element segment", o.index, at);
      return;
    case ImmId.Data:
    case ImmId.MemoryInit:
      if (ctx.dataCount === null) throw new MalformedModuleError(`${op.name} needs a data count section`, at);
      if (o.index >= ctx.dataCount) badIndex(op, "data segment", o.index, at);
      if (op.immId === ImmId.MemoryInit && !ctx.hasMemory) throw new MalformedModuleError(`${op.name} without a memory`, at);
      return;
    case ImmId.Memarg:
    case ImmId.MemargLane:
    case ImmId.Memory:
    case ImmId.Memory2:
      if (!ctx.hasMemory) throw new MalformedModuleError(`${op.name} without a memory`, at);
      return;
  }
}
