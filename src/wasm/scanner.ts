// Walks a function body once: checks its structure and indices, and finds its basic blocks and
// their fuel costs. The instrumenter turns the result into charges; the inspector uses it to validate.
import { MalformedModuleError } from "./errors.ts";
import { newOperands, readOpcode, readOperands } from "./instruction.ts";
import { Ctl, type DynamicCost, ImmId, type OpInfo } from "./opcodes.ts";
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
  /** Nothing to insert: marks an unconditional branch, across which a reload is never dead. */
  Barrier = 8,
  /** Right after a memory.grow: record a refused grow (result -1) in the grow-failed global. */
  AfterGrow = 9,
}

const REF_FUNC = 0xd2;

/**
 * Most fuel an `if` may overcount to save a charge (docs/limits.md): about what the charge it
 * saves costs to execute (a subtract and a store, plus their operands).
 */
export const MERGE_SLACK = 4;

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
  for (const t of m.functions) functionTypes.push(t);
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

function badIndex(op: OpInfo, what: string, index: number, at: number): never {
  throw new MalformedModuleError(`${op.name}: ${what} index ${index} out of range`, at);
}

/**
 * Reused across functions: a per-module scanner. Its state lives in fields and typed arrays rather
 * than closures, because this loop runs once per instruction of every deployed module.
 */
export class FunctionScanner {
  private readonly operands = newOperands();
  // The control stack, one entry per open frame (index 0: the function itself).
  private depth = 0;
  private frameKind = new Uint8Array(64);
  /** A branch that is reachable targets the frame's end (never set for loops: they branch to the header). */
  private frameTargeted = new Uint8Array(64);
  /** The frame was opened in reachable code. */
  private frameReachable = new Uint8Array(64);
  private frameHasElse = new Uint8Array(64);
  /** Loop frames: the body contains a call. */
  private frameCalls = new Uint8Array(64);
  /** The region that was current when the frame opened (-1 if unreachable). */
  private frameRegion = new Int32Array(64);
  /** Lowest frame index a branch inside the frame leaves to; below the frame's own index means it can exit early. */
  private frameMinExit = new Int32Array(64);
  /** If frames: the regions starting the then and else arms (-1 if none). */
  private frameThen = new Int32Array(64);
  private frameElse = new Int32Array(64);
  private loopDepth = 0;
  /** Whether the current instruction is reachable, and the region paying for it. */
  private live = true;
  private cur = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly ctx: CodeContext,
  ) {}

  private growFrames(): void {
    const n = this.frameKind.length * 2;
    const grow8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.frameKind = grow8(this.frameKind);
    this.frameTargeted = grow8(this.frameTargeted);
    this.frameReachable = grow8(this.frameReachable);
    this.frameHasElse = grow8(this.frameHasElse);
    this.frameCalls = grow8(this.frameCalls);
    this.frameRegion = grow32(this.frameRegion);
    this.frameMinExit = grow32(this.frameMinExit);
    this.frameThen = grow32(this.frameThen);
    this.frameElse = grow32(this.frameElse);
  }

  private pushFrame(kind: FrameKind): void {
    if (this.depth === this.frameKind.length) this.growFrames();
    const f = this.depth++;
    this.frameKind[f] = kind;
    this.frameTargeted[f] = 0;
    this.frameReachable[f] = this.live ? 1 : 0;
    this.frameHasElse[f] = 0;
    this.frameCalls[f] = 0;
    this.frameRegion[f] = this.live ? this.cur : -1;
    this.frameMinExit[f] = f;
    this.frameThen[f] = -1;
    this.frameElse[f] = -1;
    if (kind === FrameKind.Loop) this.loopDepth++;
  }

  private labelFrame(label: number, at: number): number {
    if (label >= this.depth) throw new MalformedModuleError(`branch depth ${label} exceeds the ${this.depth} enclosing blocks`, at);
    return this.depth - 1 - label;
  }

  private markTarget(label: number, at: number): void {
    const f = this.labelFrame(label, at);
    if (!this.live) return;
    if (this.frameKind[f] !== FrameKind.Loop) this.frameTargeted[f] = 1;
    const top = this.depth - 1;
    if (f < this.frameMinExit[top]) this.frameMinExit[top] = f;
  }

  /**
   * Control leaves every enclosing frame without reaching its end: return and tail calls (to the
   * function frame, 0), traps and throws (nowhere, -1). No join after them may be paid in advance.
   */
  private leaveFrames(to: number): void {
    const top = this.depth - 1;
    if (this.live && to < this.frameMinExit[top]) this.frameMinExit[top] = to;
    this.live = false;
  }

  private startRegion(out: ScanResult, at: number, kind: PointKind): void {
    this.cur = out.push(at, kind);
    this.live = true;
  }

  /** Scans defined function `definedIndex` (0-based among defined functions). */
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

    this.depth = 0;
    this.loopDepth = 0;
    this.live = true;
    this.cur = out.push(r.pos, PointKind.ChargeAndCheck);
    this.pushFrame(FrameKind.Function);
    let total = 0;

    while (r.pos < r.end) {
      const at = r.pos;
      const op: OpInfo = readOpcode(r);
      readOperands(r, op, ops, false);
      if (this.live) {
        out.costs[this.cur] += op.cost;
        total += op.cost;
      }
      if (op.immId !== ImmId.None) this.checkIndices(op, localCount, at);
      if (op.dynamic !== null) {
        out.needsScratch = true;
        if (this.live) {
          out.push(at, DYNAMIC_KIND[op.dynamic]);
          if (op.dynamic === "pages") out.push(r.pos, PointKind.AfterGrow);
        }
      }
      switch (op.ctl) {
        case Ctl.None:
          break;
        case Ctl.Call:
          out.hasCall = true;
          for (let f = this.depth - 1; f > 0 && !this.frameCalls[f]; f--) this.frameCalls[f] = 1;
          if (this.live) out.push(r.pos, this.loopDepth > 0 ? PointKind.Reload : PointKind.ReloadOutsideLoop);
          break;
        case Ctl.Block:
        case Ctl.Try:
        case Ctl.TryTable:
          if (op.ctl !== Ctl.Block) out.hasExceptions = true;
          if (op.ctl === Ctl.TryTable) for (const c of ops.catches) this.markTarget(c.label, at);
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          this.pushFrame(op.ctl === Ctl.Block ? FrameKind.Block : op.ctl === Ctl.Try ? FrameKind.Try : FrameKind.TryTable);
          break;
        case Ctl.Loop:
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          this.pushFrame(FrameKind.Loop);
          out.hasLoop = true;
          if (this.live) this.startRegion(out, r.pos, PointKind.ChargeAndCheck);
          break;
        case Ctl.If:
          if (ops.blockType >= ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
          this.pushFrame(FrameKind.If);
          if (this.live) {
            this.startRegion(out, r.pos, PointKind.Charge);
            this.frameThen[this.depth - 1] = this.cur;
          }
          break;
        case Ctl.Else: {
          const f = this.depth - 1;
          if (this.frameKind[f] !== FrameKind.If || this.frameHasElse[f]) throw new MalformedModuleError("`else` without a matching `if`", at);
          this.frameHasElse[f] = 1;
          if (this.live) this.frameTargeted[f] = 1;
          if (this.frameReachable[f]) {
            this.startRegion(out, r.pos, PointKind.Charge);
            this.frameElse[f] = this.cur;
          } else this.live = false;
          break;
        }
        case Ctl.Catch:
        case Ctl.CatchAll: {
          const f = this.depth - 1;
          if (this.frameKind[f] !== FrameKind.Try) throw new MalformedModuleError(`\`${op.name}\` outside a \`try\``, at);
          if (op.ctl === Ctl.Catch && ops.index >= ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
          // A handler is entered from wherever the exception was thrown: it cannot join the try's region.
          this.frameMinExit[f] = -1;
          if (this.live) this.frameTargeted[f] = 1;
          if (this.frameReachable[f]) this.startRegion(out, r.pos, PointKind.Charge);
          else this.live = false;
          break;
        }
        case Ctl.End:
        case Ctl.Delegate:
          this.endFrame(op, ops.index, at, r, out);
          break;
        case Ctl.Br:
          this.markTarget(ops.index, at);
          if (this.live) out.push(at, PointKind.Barrier);
          this.live = false;
          break;
        case Ctl.BrIf:
          this.markTarget(ops.index, at);
          if (!this.live) break;
          if (this.frameKind[this.labelFrame(ops.index, at)] !== FrameKind.Loop) {
            // A forward branch: the fallthrough stays in the same block, so the block pays for the
            // costlier path (the fallthrough's) whichever way it goes. The barrier keeps the dead-reload
            // pass from reasoning across the branch.
            out.push(at, PointKind.Barrier);
          } else {
            this.startRegion(out, r.pos, PointKind.Charge);
          }
          break;
        case Ctl.BrTable:
          for (const l of ops.labels) this.markTarget(l, at);
          if (this.live) out.push(at, PointKind.Barrier);
          this.live = false;
          break;
        case Ctl.Rethrow:
          this.labelFrame(ops.index, at);
          out.hasExceptions = true;
          this.leaveFrames(-1);
          break;
        case Ctl.Throw:
          if (ops.index >= ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
          out.hasExceptions = true;
          this.leaveFrames(-1);
          break;
        case Ctl.ThrowRef:
          out.hasExceptions = true;
          this.leaveFrames(-1);
          break;
        case Ctl.Return:
          this.leaveFrames(0);
          break;
        case Ctl.ReturnCall:
          out.hasCall = true;
          this.leaveFrames(0);
          break;
        case Ctl.Unreachable:
          this.leaveFrames(-1);
          break;
      }
    }
    if (this.depth !== 0) throw new MalformedModuleError("function body ends inside an unclosed block", r.end);
    out.instructions = total;
    // Only calls can re-enter a function; without any, its execution is bounded by its own
    // loop-header checks and its length, so the entry needs no exhaustion check.
    if (!out.hasCall) out.kinds[0] = PointKind.Charge;
    // Dead reloads. Outside loops control only moves forward, so a reload with no later reader of
    // the local is dead. And a reload whose next point is another reload is overwritten unread, as
    // long as no branch lies between them (a branch's target may read the local): br_if and if
    // start a block (a charge point, even one that charges nothing here), br and br_table leave a
    // barrier.
    let readLater = false;
    let nextIsReload = false;
    for (let i = out.count - 1; i >= 0; i--) {
      const kind = out.kinds[i];
      if (kind === PointKind.None) continue;
      if (kind === PointKind.Barrier || (kind === PointKind.Charge && out.costs[i] === 0)) {
        nextIsReload = false;
        continue;
      }
      const isReload = kind === PointKind.Reload || kind === PointKind.ReloadOutsideLoop;
      if (isReload && (nextIsReload || (kind === PointKind.ReloadOutsideLoop && !readLater))) {
        out.kinds[i] = PointKind.None;
        continue;
      }
      // A loop body's reload may feed the loop header: count it as a reader, conservatively.
      readLater = true;
      nextIsReload = isReload;
    }
  }

  private endFrame(op: OpInfo, label: number, at: number, r: Reader, out: ScanResult): void {
    const f = this.depth - 1;
    const kind = this.frameKind[f];
    if (op.ctl === Ctl.Delegate && kind !== FrameKind.Try) throw new MalformedModuleError("`delegate` outside a `try`", at);
    if (kind === FrameKind.Function) {
      if (r.pos !== r.end) throw new MalformedModuleError("instructions after the end of the function", r.pos);
      this.depth = 0;
      return;
    }
    this.depth--;
    const openedIn = this.frameRegion[f];
    const exit = this.frameMinExit[f];
    if (kind === FrameKind.Loop) {
      this.loopDepth--;
      if (!this.frameCalls[f]) out.hasTightLoop = true;
    }
    const thenStart = this.frameThen[f];
    const elseStart = this.frameElse[f];
    if (kind === FrameKind.If && openedIn >= 0 && thenStart >= 0) {
      // Each arm's first block runs at most once per run of the block the `if` is in, so that block
      // can pay in advance. Exactly one arm runs: what both first blocks cost at least is paid
      // before the `if` (exact). When the two differ by at most MERGE_SLACK (an absent `else`
      // costs 0), the costlier is paid instead and the arms charge nothing (an upper bound: one
      // charge fewer, overcounting by at most MERGE_SLACK per `if` run).
      const thenCost = out.costs[thenStart];
      const elseCost = elseStart >= 0 ? out.costs[elseStart] : 0;
      const paid = Math.abs(thenCost - elseCost) <= MERGE_SLACK ? Math.max(thenCost, elseCost) : Math.min(thenCost, elseCost);
      out.costs[openedIn] += paid;
      out.costs[thenStart] = Math.max(0, thenCost - paid);
      if (elseStart >= 0) out.costs[elseStart] = Math.max(0, elseCost - paid);
    }
    const parent = f - 1;
    if (exit < this.frameMinExit[parent]) this.frameMinExit[parent] = exit;
    if (op.ctl === Ctl.Delegate) this.labelFrame(label, at);
    // An `if` without `else` is also entered at its end when the condition is false.
    const joined = this.frameTargeted[f] === 1 || (kind === FrameKind.If && !this.frameHasElse[f] && this.frameReachable[f] === 1);
    if (kind === FrameKind.Loop || !joined) return; // reached only by falling through: same block continues
    if (exit >= f && openedIn >= 0) {
      // Every normal path from the frame's start leaves through this end, exactly once per entry
      // of the region the frame opened in: that region pays for what follows, and no charge is needed here.
      this.cur = openedIn;
      this.live = true;
    } else {
      this.startRegion(out, r.pos, PointKind.Charge);
    }
  }

  private checkIndices(op: OpInfo, localCount: number, at: number): void {
    const ctx = this.ctx;
    const o = this.operands;
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
}
