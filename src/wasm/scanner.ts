// Walks a function body once: checks its structure and indices, and finds its basic blocks and
// their fuel costs. The instrumenter turns the result into charges; the inspector uses it to validate.
import { MalformedModuleError } from "./errors.ts";
import { newOperands, readOpcode, readOperands } from "./instruction.ts";
import type { DynamicCost, OpInfo } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import type { FunctionBody, WasmModule } from "./types.ts";

/** What a point in the code needs inserted before it. */
export const enum PointKind {
  /** Charge the basic block that starts here. */
  Charge = 0,
  /** Charge, then trap if fuel is exhausted (function entry, loop header). */
  ChargeAndCheck = 1,
  /** Charge the dynamic cost of the bulk instruction that starts here, then check. */
  DynamicBytes = 2,
  DynamicPages = 3,
  DynamicElements = 4,
}

const DYNAMIC_KIND: Record<Exclude<DynamicCost, null>, PointKind> = {
  bytes: PointKind.DynamicBytes,
  pages: PointKind.DynamicPages,
  elements: PointKind.DynamicElements,
};

const enum FrameKind {
  Function,
  Block,
  Loop,
  If,
  Try,
  TryTable,
}

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
  for (const t of m.functions) functionTypes.push(t);
  return {
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
 * The scan result for one function, in reusable typed arrays (the hot path allocates nothing per
 * instruction). Points are in code order; `offsets` are absolute positions in the module bytes.
 */
export class ScanResult {
  count = 0;
  offsets = new Int32Array(256);
  kinds = new Uint8Array(256);
  costs = new Float64Array(256);
  /** The function uses a dynamic-cost instruction and needs a scratch i32 local. */
  needsScratch = false;
  /** Parameters plus declared locals: the index a scratch local gets. */
  localCount = 0;
  /** Sum of static costs of all instructions, for statistics. */
  instructions = 0;

  reset(): void {
    this.count = 0;
    this.needsScratch = false;
    this.instructions = 0;
  }

  push(offset: number, kind: PointKind): number {
    if (this.count === this.offsets.length) {
      const n = this.count * 2;
      const o = new Int32Array(n);
      o.set(this.offsets);
      this.offsets = o;
      const k = new Uint8Array(n);
      k.set(this.kinds);
      this.kinds = k;
      const c = new Float64Array(n);
      c.set(this.costs);
      this.costs = c;
    }
    const i = this.count++;
    this.offsets[i] = offset;
    this.kinds[i] = kind;
    this.costs[i] = 0;
    return i;
  }
}

/** Reused across functions: a per-module scanner. */
export class FunctionScanner {
  private readonly operands = newOperands();
  private frameKinds: FrameKind[] = [];
  private frameTargeted: boolean[] = [];
  private frameReachable: boolean[] = [];
  private frameHasElse: boolean[] = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly ctx: CodeContext,
  ) {}

  /** Scans defined function `index` (0-based among defined functions). */
  scan(body: FunctionBody, definedIndex: number, out: ScanResult): void {
    const ctx = this.ctx;
    const ops = this.operands;
    const r = new Reader(this.bytes, body.codeOffset, body.codeOffset + body.code.length);
    const typeIndex = ctx.functionTypes[ctx.importedFunctionCount + definedIndex];
    if (typeIndex === undefined || typeIndex >= ctx.typeCount) {
      throw new MalformedModuleError(`function ${definedIndex} has unknown type index ${typeIndex}`, body.codeOffset);
    }
    let localCount = ctx.paramCounts[typeIndex];
    for (const g of body.locals) localCount += g.count;
    out.reset();
    out.localCount = localCount;

    const kinds = this.frameKinds;
    const targeted = this.frameTargeted;
    const reachable = this.frameReachable;
    const hasElse = this.frameHasElse;
    kinds.length = targeted.length = reachable.length = hasElse.length = 0;
    kinds.push(FrameKind.Function);
    targeted.push(false);
    reachable.push(true);
    hasElse.push(false);

    let live = true;
    let cur = out.push(r.pos, PointKind.ChargeAndCheck);
    let total = 0;

    const labelFrame = (depth: number, at: number): number => {
      if (depth >= kinds.length) throw new MalformedModuleError(`branch depth ${depth} exceeds the ${kinds.length} enclosing blocks`, at);
      return kinds.length - 1 - depth;
    };
    const markTarget = (depth: number, at: number): void => {
      const f = labelFrame(depth, at);
      if (live && kinds[f] !== FrameKind.Loop) targeted[f] = true;
    };
    const startRegion = (at: number, kind: PointKind): void => {
      cur = out.push(at, kind);
      live = true;
    };

    while (r.pos < r.end) {
      const at = r.pos;
      const op: OpInfo = readOpcode(r);
      readOperands(r, op, ops, false);
      if (live) {
        out.costs[cur] += op.cost;
        total += op.cost;
      }
      this.checkIndices(op, localCount, at);
      if (op.dynamic !== null) {
        out.needsScratch = true;
        if (live) out.push(at, DYNAMIC_KIND[op.dynamic]);
      }
      switch (op.control) {
        case "none":
        case "call":
          break;
        case "block":
        case "try":
        case "try_table":
          if (op.control === "try_table") for (const c of ops.catches) markTarget(c.label, at);
          kinds.push(op.control === "block" ? FrameKind.Block : op.control === "try" ? FrameKind.Try : FrameKind.TryTable);
          targeted.push(false);
          reachable.push(live);
          hasElse.push(false);
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          break;
        case "loop":
        case "if":
          kinds.push(op.control === "loop" ? FrameKind.Loop : FrameKind.If);
          targeted.push(false);
          reachable.push(live);
          hasElse.push(false);
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          if (live) startRegion(r.pos, op.control === "loop" ? PointKind.ChargeAndCheck : PointKind.Charge);
          break;
        case "else": {
          const f = kinds.length - 1;
          if (kinds[f] !== FrameKind.If || hasElse[f]) throw new MalformedModuleError("`else` without a matching `if`", at);
          hasElse[f] = true;
          if (live) targeted[f] = true;
          if (reachable[f]) startRegion(r.pos, PointKind.Charge);
          else live = false;
          break;
        }
        case "catch":
        case "catch_all": {
          const f = kinds.length - 1;
          if (kinds[f] !== FrameKind.Try) throw new MalformedModuleError(`\`${op.name}\` outside a \`try\``, at);
          if (op.control === "catch" && ops.index >= ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
          if (live) targeted[f] = true;
          if (reachable[f]) startRegion(r.pos, PointKind.Charge);
          else live = false;
          break;
        }
        case "end":
        case "delegate": {
          const f = kinds.length - 1;
          const kind = kinds[f];
          if (op.control === "delegate") {
            if (kind !== FrameKind.Try) throw new MalformedModuleError("`delegate` outside a `try`", at);
          }
          kinds.pop();
          const wasTargeted = targeted.pop()!;
          const wasReachable = reachable.pop()!;
          const hadElse = hasElse.pop()!;
          if (op.control === "delegate") labelFrame(ops.index, at);
          if (kind === FrameKind.Function) {
            if (r.pos !== r.end) throw new MalformedModuleError("instructions after the end of the function", r.pos);
            break;
          }
          // An `if` without `else` is also entered at its end when the condition is false.
          const joined = wasTargeted || (kind === FrameKind.If && !hadElse && wasReachable);
          if (kind === FrameKind.Loop) break; // left only by falling through: same block continues
          if (joined) startRegion(r.pos, PointKind.Charge);
          break;
        }
        case "br":
          markTarget(ops.index, at);
          live = false;
          break;
        case "br_if":
          markTarget(ops.index, at);
          if (live) startRegion(r.pos, PointKind.Charge);
          break;
        case "br_table":
          for (const l of ops.labels) markTarget(l, at);
          live = false;
          break;
        case "rethrow":
          labelFrame(ops.index, at);
          live = false;
          break;
        case "throw":
          if (ops.index >= ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
          live = false;
          break;
        case "return":
        case "unreachable":
        case "throw_ref":
        case "return_call":
          live = false;
          break;
      }
    }
    if (kinds.length !== 0) throw new MalformedModuleError("function body ends inside an unclosed block", r.end);
    out.instructions = total;
  }

  private checkIndices(op: OpInfo, localCount: number, at: number): void {
    const ctx = this.ctx;
    const o = this.operands;
    const bad = (what: string, index: number): never => {
      throw new MalformedModuleError(`${op.name}: ${what} index ${index} out of range`, at);
    };
    switch (op.imm) {
      case "local":
        if (o.index >= localCount) bad("local", o.index);
        return;
      case "global":
        if (o.index >= ctx.globalCount) bad("global", o.index);
        return;
      case "func":
        if (o.index >= ctx.functionTypes.length) bad("function", o.index);
        return;
      case "call_indirect":
        if (o.index >= ctx.typeCount) bad("type", o.index);
        if (o.index2 >= ctx.tableCount) bad("table", o.index2);
        return;
      case "table":
        if (o.index >= ctx.tableCount) bad("table", o.index);
        return;
      case "table_copy":
        if (o.index >= ctx.tableCount) bad("table", o.index);
        if (o.index2 >= ctx.tableCount) bad("table", o.index2);
        return;
      case "table_init":
        if (o.index >= ctx.elementCount) bad("element segment", o.index);
        if (o.index2 >= ctx.tableCount) bad("table", o.index2);
        return;
      case "elem":
        if (o.index >= ctx.elementCount) bad("element segment", o.index);
        return;
      case "data":
      case "memory_init":
        if (ctx.dataCount === null) throw new MalformedModuleError(`${op.name} needs a data count section`, at);
        if (o.index >= ctx.dataCount) bad("data segment", o.index);
        if (op.imm === "memory_init" && !ctx.hasMemory) throw new MalformedModuleError(`${op.name} without a memory`, at);
        return;
      case "memarg":
      case "memarg_lane":
      case "memory":
      case "memory2":
        if (!ctx.hasMemory) throw new MalformedModuleError(`${op.name} without a memory`, at);
        return;
    }
  }
}
