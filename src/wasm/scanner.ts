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
  /** Reload the cached fuel local from the global (after a call returns). */
  Reload = 5,
  /** A reload outside any loop; dropped when nothing after it reads the local. */
  ReloadOutsideLoop = 6,
  /** Nothing to insert (a reload found to be dead). */
  None = 7,
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
  hasCall = false;
  hasLoop = false;
  /** Has a loop whose body makes no call: the case where caching fuel in a local pays off. */
  hasTightLoop = false;
  /** Uses exception handling: control can arrive where no flush/reload pair can be placed. */
  hasExceptions = false;

  reset(): void {
    this.count = 0;
    this.needsScratch = false;
    this.instructions = 0;
    this.hasCall = this.hasLoop = this.hasTightLoop = this.hasExceptions = false;
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
  /** The region that was current when the frame opened (-1 if unreachable). */
  private frameRegion: number[] = [];
  /** Lowest frame index any branch inside the frame leaves to; below the frame's own index means it can exit early. */
  private frameMinExit: number[] = [];
  /** Loop frames: whether the body contains a call. */
  private frameCalls: boolean[] = [];
  /** If frames: the regions starting the then and else arms (-1 if none). */
  private frameThen: number[] = [];
  private frameElse: number[] = [];

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
    const region = this.frameRegion;
    const minExit = this.frameMinExit;
    const calls = this.frameCalls;
    const thenRegion = this.frameThen;
    const elseRegion = this.frameElse;
    kinds.length = targeted.length = reachable.length = hasElse.length = region.length = minExit.length = calls.length = 0;
    thenRegion.length = elseRegion.length = 0;
    let loopDepth = 0;

    let live = true;
    let cur = out.push(r.pos, PointKind.ChargeAndCheck);
    let total = 0;

    const pushFrame = (kind: FrameKind): void => {
      kinds.push(kind);
      targeted.push(false);
      reachable.push(live);
      hasElse.push(false);
      region.push(live ? cur : -1);
      minExit.push(kinds.length - 1);
      calls.push(false);
      thenRegion.push(-1);
      elseRegion.push(-1);
      if (kind === FrameKind.Loop) loopDepth++;
    };
    pushFrame(FrameKind.Function);

    const labelFrame = (depth: number, at: number): number => {
      if (depth >= kinds.length) throw new MalformedModuleError(`branch depth ${depth} exceeds the ${kinds.length} enclosing blocks`, at);
      return kinds.length - 1 - depth;
    };
    const markTarget = (depth: number, at: number): void => {
      const f = labelFrame(depth, at);
      if (!live) return;
      if (kinds[f] !== FrameKind.Loop) targeted[f] = true;
      const top = kinds.length - 1;
      if (f < minExit[top]) minExit[top] = f;
    };
    /**
     * Control leaves every enclosing frame without reaching its end: return and tail calls (to the
     * function frame, 0), traps and throws (nowhere, -1). No join after them may be paid in advance.
     */
    const leaveFrames = (to: number): void => {
      const top = kinds.length - 1;
      if (live && to < minExit[top]) minExit[top] = to;
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
          break;
        case "call":
          out.hasCall = true;
          for (let i = calls.length - 1; i > 0 && !calls[i]; i--) calls[i] = true;
          if (live) out.push(r.pos, loopDepth > 0 ? PointKind.Reload : PointKind.ReloadOutsideLoop);
          break;
        case "block":
        case "try":
        case "try_table":
          if (op.control !== "block") out.hasExceptions = true;
          if (op.control === "try_table") for (const c of ops.catches) markTarget(c.label, at);
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          pushFrame(op.control === "block" ? FrameKind.Block : op.control === "try" ? FrameKind.Try : FrameKind.TryTable);
          break;
        case "loop":
        case "if":
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          pushFrame(op.control === "loop" ? FrameKind.Loop : FrameKind.If);
          if (op.control === "loop") out.hasLoop = true;
          if (live) {
            startRegion(r.pos, op.control === "loop" ? PointKind.ChargeAndCheck : PointKind.Charge);
            thenRegion[kinds.length - 1] = cur;
          }
          break;
        case "else": {
          const f = kinds.length - 1;
          if (kinds[f] !== FrameKind.If || hasElse[f]) throw new MalformedModuleError("`else` without a matching `if`", at);
          hasElse[f] = true;
          if (live) targeted[f] = true;
          if (reachable[f]) {
            startRegion(r.pos, PointKind.Charge);
            elseRegion[f] = cur;
          } else live = false;
          break;
        }
        case "catch":
        case "catch_all": {
          const f = kinds.length - 1;
          if (kinds[f] !== FrameKind.Try) throw new MalformedModuleError(`\`${op.name}\` outside a \`try\``, at);
          // A handler is entered from wherever the exception was thrown: it cannot join the try's region.
          minExit[f] = -1;
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
          if (kind === FrameKind.Function) {
            if (r.pos !== r.end) throw new MalformedModuleError("instructions after the end of the function", r.pos);
          }
          kinds.pop();
          const wasTargeted = targeted.pop()!;
          const wasReachable = reachable.pop()!;
          const hadElse = hasElse.pop()!;
          const openedIn = region.pop()!;
          const exit = minExit.pop()!;
          const thenStart = thenRegion.pop()!;
          const elseStart = elseRegion.pop()!;
          if (kind === FrameKind.Loop) {
            loopDepth--;
            if (!calls[f]) out.hasTightLoop = true;
          }
          calls.pop();
          if (thenStart >= 0 && elseStart >= 0 && openedIn >= 0) {
            // Exactly one arm runs per `if`: what both arms' first blocks cost at least is paid before the `if`.
            const shared = Math.min(out.costs[thenStart], out.costs[elseStart]);
            out.costs[openedIn] += shared;
            out.costs[thenStart] -= shared;
            out.costs[elseStart] -= shared;
          }
          if (kind === FrameKind.Function) break;
          const parent = kinds.length - 1;
          if (exit < minExit[parent]) minExit[parent] = exit;
          if (op.control === "delegate") labelFrame(ops.index, at);
          // An `if` without `else` is also entered at its end when the condition is false.
          const joined = wasTargeted || (kind === FrameKind.If && !hadElse && wasReachable);
          if (kind === FrameKind.Loop || !joined) break; // reached only by falling through: same block continues
          if (exit >= f && openedIn >= 0) {
            // Every normal path from the frame's start leaves through this end, exactly once per entry
            // of the region the frame opened in: that region pays for what follows, and no charge is needed here.
            cur = openedIn;
            live = true;
          } else {
            startRegion(r.pos, PointKind.Charge);
          }
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
          out.hasExceptions = true;
          leaveFrames(-1);
          live = false;
          break;
        case "throw":
          if (ops.index >= ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
          out.hasExceptions = true;
          leaveFrames(-1);
          live = false;
          break;
        case "throw_ref":
          out.hasExceptions = true;
          leaveFrames(-1);
          live = false;
          break;
        case "return":
          leaveFrames(0);
          live = false;
          break;
        case "return_call":
          out.hasCall = true;
          leaveFrames(0);
          live = false;
          break;
        case "unreachable":
          leaveFrames(-1);
          live = false;
          break;
      }
    }
    if (kinds.length !== 0) throw new MalformedModuleError("function body ends inside an unclosed block", r.end);
    out.instructions = total;
    // Only calls can re-enter a function; without any, its execution is bounded by its own
    // loop-header checks and its length, so the entry needs no exhaustion check.
    if (!out.hasCall) out.kinds[0] = PointKind.Charge;
    // Outside loops control only moves forward, so a reload with no later reader of the local is dead.
    let readLater = false;
    for (let i = out.count - 1; i >= 0; i--) {
      const kind = out.kinds[i];
      if (kind === PointKind.ReloadOutsideLoop) {
        if (!readLater) out.kinds[i] = PointKind.None;
      } else if (kind === PointKind.Reload) {
        readLater = true; // conservatively: a loop body reload may feed the loop header
      } else if (kind !== PointKind.None && (kind !== PointKind.Charge || out.costs[i] > 0)) {
        readLater = true;
      }
    }
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
