// Walks a function body once: checks its structure and indices, and finds where fuel is charged
// and how much (docs/limits.md, "How it is charged"). The instrumenter turns the result into
// charges; the inspector uses it to validate.
import { CHECKED_IMMEDIATES, checkIndices, type CodeContext } from "./code-context.ts";
import { matchCountedLoop, MAX_COUNTED_ITERATION_COST, mayBeCounted } from "./counted-loop.ts";
import { PointKind, type ScanResult } from "./scan-result.ts";
import { MalformedModuleError } from "./errors.ts";
import { newOperands, readOpcode, readOperands } from "./instruction.ts";
import { Ctl, type DynamicCost, FAST_CLASS, FAST_COST, FastClass, ImmId, type OpInfo, SINGLE_BYTE } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import type { FunctionBody } from "./types.ts";

export { codeContext, type CodeContext } from "./code-context.ts";
export { PointKind, ScanResult, settlePreLoops } from "./scan-result.ts";

/**
 * What a direct call to each function adds to the caller's path (prepaid.ts): a prepaid function's
 * entry cost, NOT_PREPAID, or UNRESOLVED while prepaid.ts has yet to work it out.
 */
export type EntryCosts = Int32Array;
export const NOT_PREPAID = -1;
export const UNRESOLVED = -2;

const END = 0x0b;

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

/** "No path arrives here." Path costs are never negative. */
const NONE = -1;
/** frameJoinHead: paths of more than one region arrive at the frame's end. */
const MIXED = -2;


/**
 * Reused across functions: a per-module scanner. Its state lives in fields and typed arrays rather
 * than closures, because this loop runs once per instruction of every deployed module.
 *
 * Regions: the function entry and every loop header start one. A region's paths run from its head
 * to a branch back to its loop, out of its loop, or out of the function; a loop nested in it counts
 * as one step of cost 0 (it pays for itself at its own header) that continues at the loop's exits.
 * `dist` is the cost of the costliest path from the current region's head to here; joins take the
 * maximum of what arrives, and a region's charge is the maximum over its path ends.
 */
export class FunctionScanner {
  private readonly operands = newOperands();
  // The control stack, one entry per open frame (index 0: the function itself).
  private depth = 0;
  private frameKind = new Uint8Array(64);
  /** The frame was opened in reachable code. */
  private frameReachable = new Uint8Array(64);
  private frameHasElse = new Uint8Array(64);
  /** The frame's body contains a call. */
  private frameCalls = new Uint8Array(64);
  /** The frame that heads the region the frame's body is in: itself for loops and the function. */
  private frameRegion = new Int32Array(64);
  /** Loops and the function: their header point (-1 if unreachable). */
  private frameHead = new Int32Array(64);
  /** `dist` of the enclosing region when the frame opened. */
  private frameEntry = new Int32Array(64);
  /** The region head current when the frame opened (`frameEntry` is a cost in that region). */
  private frameEntryHead = new Int32Array(64);
  /** Costliest path arriving at the frame's end (NONE if no path does)... */
  private frameJoin = new Int32Array(64);
  /** ...in the region headed by this point (NONE, or MIXED when paths of several regions arrive). */
  private frameJoinHead = new Int32Array(64);
  /** A reachable br_table targets the frame's end: the code after it is a region of its own. */
  private frameSplit = new Uint8Array(64);
  /** What the region after the frame's end pays for a dispatch loop's header (0 if none targets it). */
  private frameBonus = new Int32Array(64);
  /** Paths of several regions meet at the frame's end: its index in `joinPoints` (-1: not yet). */
  private frameJoinId = new Int32Array(64);
  /** Each such join: the point the region after it starts at, or -1 if that region stays charged. */
  private joinPoints: number[] = [];
  /** Path ends at joins, paid by their regions with the join's region (foldJoins): head, cost, join id. */
  private joinEnds: number[] = [];
  /** Costliest path reaching a point in the frame where an exception can be thrown (NONE if none). */
  private frameThrow = new Int32Array(64);
  /** Try frames: where their handlers start (`dist`), fixed at the first catch. */
  private frameCatch = new Int32Array(64);
  /** try_table frames: their catch labels, branched to from every throwing point of the body. */
  private frameCatchLabels: (number[] | null)[] = [];
  /** Loops: their PreLoop point (-1 if unreachable), and how many reachable branches go back to them. */
  private framePre = new Int32Array(64);
  private frameBackEdges = new Int32Array(64);
  /** Loops: a reachable path leaves them other than by falling out of their end (a branch out, return, trap, throw). */
  private frameExits = new Uint8Array(64);
  /** Where the last reachable `br_if 0` to a loop starts and ends, and the last `br` to a loop. */
  private loopBrIfAt = -1;
  private loopBrIfEnd = -1;
  private loopBrAt = -1;
  private loopBrEnd = -1;
  /** Bytes of loop bodies counted-loop recognition may still decode again: at most the module's size. */
  private countedBudget: number;
  /** `checked` when the frame opened. */
  private frameEntryChecked = new Uint8Array(64);
  /** Every path arriving at the frame's end so far has passed a check. */
  private frameChecked = new Uint8Array(64);
  /**
   * Every path from the function entry to the current instruction has passed an exhaustion check
   * (a loop header's, a dynamic charge's or a call's): a call here needs no check of its own.
   */
  private checked = false;
  private tryDepth = 0;
  /** Whether the current instruction is reachable. */
  private live = true;
  private dist = 0;
  /** The point heading the current region. */
  private head = 0;
  /** The innermost loop (or the function) frame around the current instruction. */
  private region = 0;
  /** Set by crossTo: the head of the region its result is a cost in. */
  private crossedHead = 0;
  /** skipSimple's bound on each FastClass's immediate, set by scan() for the function it scans. */
  private readonly simpleLimits = new Float64Array(8);
  /** The loop header point whose region has had nothing but `block` since the header (-1: none). */
  private straight = -1;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly ctx: CodeContext,
    private readonly entryCosts: EntryCosts | null = null,
  ) {
    this.countedBudget = bytes.length;
  }

  private growFrames(): void {
    const n = this.frameKind.length * 2;
    const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.frameKind = grow(this.frameKind);
    this.frameReachable = grow(this.frameReachable);
    this.frameHasElse = grow(this.frameHasElse);
    this.frameCalls = grow(this.frameCalls);
    this.frameRegion = grow(this.frameRegion);
    this.frameHead = grow(this.frameHead);
    this.frameEntry = grow(this.frameEntry);
    this.frameEntryHead = grow(this.frameEntryHead);
    this.frameJoin = grow(this.frameJoin);
    this.frameJoinHead = grow(this.frameJoinHead);
    this.frameSplit = grow(this.frameSplit);
    this.frameBonus = grow(this.frameBonus);
    this.frameJoinId = grow(this.frameJoinId);
    this.frameThrow = grow(this.frameThrow);
    this.frameCatch = grow(this.frameCatch);
    this.frameEntryChecked = grow(this.frameEntryChecked);
    this.frameChecked = grow(this.frameChecked);
    this.framePre = grow(this.framePre);
    this.frameBackEdges = grow(this.frameBackEdges);
    this.frameExits = grow(this.frameExits);
  }


  private pushFrame(kind: FrameKind): number {
    if (this.depth === this.frameKind.length) this.growFrames();
    const f = this.depth++;
    this.frameKind[f] = kind;
    this.frameReachable[f] = this.live ? 1 : 0;
    this.frameHasElse[f] = 0;
    this.frameCalls[f] = 0;
    this.frameRegion[f] = kind === FrameKind.Loop || kind === FrameKind.Function ? f : this.frameRegion[f - 1];
    this.frameHead[f] = -1;
    this.frameEntry[f] = this.dist;
    this.frameEntryHead[f] = this.head;
    this.frameJoin[f] = NONE;
    this.frameJoinHead[f] = NONE;
    this.frameSplit[f] = 0;
    this.frameBonus[f] = 0;
    this.frameJoinId[f] = -1;
    this.frameThrow[f] = NONE;
    this.frameCatch[f] = NONE;
    this.frameCatchLabels[f] = null;
    this.frameEntryChecked[f] = this.checked ? 1 : 0;
    this.frameChecked[f] = 1;
    if (kind === FrameKind.Try || kind === FrameKind.TryTable) this.tryDepth++;
    return f;
  }

  private labelFrame(label: number, at: number): number {
    if (label >= this.depth) throw new MalformedModuleError(`branch depth ${label} exceeds the ${this.depth} enclosing blocks`, at);
    return this.depth - 1 - label;
  }

  /** A path of the region headed by `head` ends here, having cost `d`: the head charges at least that. */
  private end(out: ScanResult, head: number, d: number): void {
    if (d > out.costs[head]) out.costs[head] = d;
  }

  /**
   * `dist` expressed in the region around loop frame `target` (the current loop or one enclosing
   * it; sets crossedHead): each region left on the way has a path end here, and continues in its
   * parent as the loop step it was entered by.
   */
  private crossTo(out: ScanResult, target: number): number {
    let region = this.region;
    let head = this.head;
    let d = this.dist;
    while (region !== target) {
      this.end(out, head, d);
      this.frameExits[region] = 1;
      head = this.frameEntryHead[region];
      d = this.frameEntry[region];
      region = this.frameRegion[region - 1];
    }
    this.crossedHead = head;
    return d;
  }

  /** A path of region `head` arrives at frame f's end with cost d (checked: it passed a check). */
  private arrive(out: ScanResult, f: number, head: number, d: number, checked = this.checked): void {
    if (!checked) this.frameChecked[f] = 0;
    const joined = this.frameJoinHead[f];
    if (joined === head || joined === NONE) {
      this.frameJoinHead[f] = head;
      if (d > this.frameJoin[f]) this.frameJoin[f] = d;
      return;
    }
    // Paths of different regions meet: each ends here, and the code after the end is a new region.
    this.end(out, head, d);
    if (joined !== MIXED) {
      this.end(out, joined, this.frameJoin[f]);
      this.frameJoinId[f] = this.joinPoints.length;
      this.joinPoints.push(-1);
      this.joinEnds.push(joined, this.frameJoin[f], this.frameJoinId[f]);
    }
    this.joinEnds.push(head, d, this.frameJoinId[f]);
    this.frameJoinHead[f] = MIXED;
  }

  /** A reachable branch to `label`: a loop's header ends a path; any other label's frame is arrived at. */
  private branch(out: ScanResult, label: number, at: number): number {
    const f = this.labelFrame(label, at);
    if (!this.live) return f;
    if (this.frameKind[f] === FrameKind.Loop) {
      this.frameBackEdges[f]++;
      const d = this.crossTo(out, f);
      this.end(out, this.crossedHead, d);
    } else {
      const d = this.crossTo(out, this.frameRegion[f]);
      this.arrive(out, f, this.crossedHead, d);
    }
    return f;
  }

  /** Control leaves the function here (return, tail call, trap, throw): every open region's path ends. */
  private exit(out: ScanResult): void {
    if (!this.live) return;
    const d = this.crossTo(out, 0);
    this.end(out, this.crossedHead, d);
    this.live = false;
  }

  /** An exception may be thrown here: the handlers of enclosing try frames can start from this path. */
  private mayThrow(): void {
    const top = this.depth - 1;
    if (this.tryDepth > 0 && this.live && this.dist > this.frameThrow[top]) this.frameThrow[top] = this.dist;
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
    const groups = body.locals;
    for (let i = 0; i < groups.length; i++) localCount += groups[i].count;
    out.reset();
    out.localCount = localCount;

    this.depth = 0;
    this.tryDepth = 0;
    this.live = true;
    // A prepaid function's callers paid its entry region and checked before calling it: its entry is
    // checked (a candidate prepaid.ts is working out is scanned as if prepaid).
    this.checked = this.entryCosts !== null && this.entryCosts[ctx.importedFunctionCount + definedIndex] !== NOT_PREPAID;
    this.dist = 0;
    this.straight = -1;
    this.joinPoints.length = 0;
    this.joinEnds.length = 0;
    this.head = 0;
    this.region = 0;
    out.push(r.pos, PointKind.Entry, -1);
    this.pushFrame(FrameKind.Function);
    this.frameHead[0] = 0;

    // Index limits by FastClass for skipSimple: locals and globals by count, memarg offsets and
    // i32 constants unbounded, a memarg not inline at all without a memory.
    const limits = this.simpleLimits;
    limits[FastClass.Local] = localCount;
    limits[FastClass.Global] = ctx.globalCount;
    limits[FastClass.Memarg] = ctx.hasMemory ? Infinity : -Infinity;
    limits[FastClass.I32] = Infinity;
    const bytes = this.bytes;
    const end = r.end;
    while (r.pos < end) {
      const at = this.skipSimple(r);
      if (at >= end) break;
      const code = bytes[at];
      // A single-byte opcode the runtime runs is looked up here; prefixes and refusals take readOpcode.
      let op: OpInfo | undefined = SINGLE_BYTE[code];
      if (op !== undefined && op.supported) r.pos = at + 1;
      else op = readOpcode(r);
      readOperands(r, op, ops, false);
      if (this.live) this.dist += op.cost;
      if (CHECKED_IMMEDIATES[op.immId] === 1) checkIndices(ctx, op, ops, localCount, at);
      if (op.dynamic !== null) {
        out.needsScratch = true;
        if (this.live) {
          const loop = this.region === 0 ? -1 : this.frameHead[this.region];
          out.push(at, DYNAMIC_KIND[op.dynamic], loop);
          if (op.dynamic === "pages") out.push(r.pos, PointKind.AfterGrow, loop);
          this.checked = true;
        }
      }
      if (op.ctl !== Ctl.None) this.control(op, at, r, out);
    }
    if (this.depth !== 0) throw new MalformedModuleError("function body ends inside an unclosed block", r.end);
  }

  /**
   * Moves `r` over the simple instructions from where it is — static cost, no control, at most
   * one immediate read inline (local.*, global.*, loads and stores, i32.const, numeric) — adding
   * their cost when the code is reachable, and returns where the first other instruction starts
   * (or the end). Anything unusual, such as an index out of range or a memarg that needs checks,
   * stops it: the full path in scan() decodes and reports that.
   *
   * Why a method of its own: in a fresh process (a deploy's first module; scripts/bench.mjs
   * "fresh") V8 optimises a small, hot function within a few hundred instructions, and re-optimises
   * it cheaply when it meets a path it had not seen; this loop is most of any body, so it runs
   * optimised long before scan() as a whole does.
   */
  private skipSimple(r: Reader): number {
    const bytes = this.bytes;
    const limits = this.simpleLimits;
    const end = r.end;
    const live = this.live;
    let pos = r.pos;
    let dist = this.dist;
    while (pos < end) {
      const code = bytes[pos];
      const cls = FAST_CLASS[code];
      if (cls === FastClass.Slow) break;
      let next = pos + 1;
      if (cls !== FastClass.Plain) {
        if (cls === FastClass.Memarg) {
          // Alignment below 32 in one byte: no multi-memory flag, no alignment error to report.
          if (next >= end || bytes[next] >= 32) break;
          next++;
        }
        // The immediate: a one-byte LEB128 inline, a longer one through the checking reader.
        let value = next < end ? bytes[next] : 0x80;
        if (value < 0x80) next++;
        else {
          r.pos = next;
          value = cls === FastClass.I32 ? r.s32() : r.u32();
          next = r.pos;
        }
        if (!(value < limits[cls])) break;
      }
      pos = next;
      if (live) dist += FAST_COST[code];
    }
    r.pos = pos;
    this.dist = dist;
    return pos;
  }

  private control(op: OpInfo, at: number, r: Reader, out: ScanResult): void {
    const ops = this.operands;
    const straight = this.straight;
    if (op.ctl !== Ctl.Block) this.straight = -1;
    switch (op.ctl) {
      case Ctl.Call:
        this.checkBeforeCall(at, out);
        out.hasCall = true;
        if (op.immId === ImmId.Func) this.callDirect(out);
        for (let f = this.depth - 1; f > 0 && !this.frameCalls[f]; f--) this.frameCalls[f] = 1;
        this.mayThrow();
        return;
      case Ctl.Block:
      case Ctl.Try:
      case Ctl.TryTable: {
        if (ops.blockType >= this.ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
        if (op.ctl === Ctl.Block) {
          this.pushFrame(FrameKind.Block);
          return;
        }
        out.hasExceptions = true;
        if (op.ctl === Ctl.Try) {
          this.pushFrame(FrameKind.Try);
          return;
        }
        // Catch labels are relative to the frames around the try_table: check them before it opens.
        for (const c of ops.catches) this.labelFrame(c.label, at);
        const f = this.pushFrame(FrameKind.TryTable);
        if (ops.catches.length > 0) this.frameCatchLabels[f] = ops.catches.map((c) => c.label);
        return;
      }
      case Ctl.Loop:
        if (ops.blockType >= this.ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
        this.openLoop(at, r, out);
        return;
      case Ctl.If:
        if (ops.blockType >= this.ctx.typeCount) throw new MalformedModuleError(`block type index ${ops.blockType} out of range`, at);
        this.pushFrame(FrameKind.If);
        return;
      case Ctl.Else: {
        const f = this.depth - 1;
        if (this.frameKind[f] !== FrameKind.If || this.frameHasElse[f]) throw new MalformedModuleError("`else` without a matching `if`", at);
        this.frameHasElse[f] = 1;
        if (this.live) this.arrive(out, f, this.head, this.dist);
        this.live = this.frameReachable[f] === 1;
        this.checked = this.frameEntryChecked[f] === 1;
        this.head = this.frameEntryHead[f];
        this.dist = this.frameEntry[f];
        return;
      }
      case Ctl.Catch:
      case Ctl.CatchAll: {
        const f = this.depth - 1;
        if (this.frameKind[f] !== FrameKind.Try) throw new MalformedModuleError(`\`${op.name}\` outside a \`try\``, at);
        if (op.ctl === Ctl.Catch && ops.index >= this.ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
        if (this.live) this.arrive(out, f, this.head, this.dist);
        // A handler starts from wherever the body threw: the costliest such path (or the try's
        // start, if nothing in the body can throw). Later handlers start from the same place.
        if (this.frameCatch[f] === NONE && this.frameReachable[f]) this.frameCatch[f] = Math.max(this.frameEntry[f], this.frameThrow[f]);
        this.live = this.frameCatch[f] !== NONE;
        // Every path into a handler passed the try's start.
        this.checked = this.frameEntryChecked[f] === 1;
        this.head = this.frameEntryHead[f];
        this.dist = this.frameCatch[f];
        return;
      }
      case Ctl.End:
      case Ctl.Delegate:
        this.endFrame(op, at, r, out);
        return;
      case Ctl.Br: {
        const f = this.branch(out, ops.index, at);
        if (this.live && this.frameKind[f] === FrameKind.Loop) {
          // Maybe a top-tested counted loop's back edge (counted-loop.ts).
          this.loopBrAt = at;
          this.loopBrEnd = r.pos;
        }
        this.live = false;
        return;
      }
      case Ctl.BrIf: {
        // The fallthrough continues the same path: a taken forward br_if pays for what it skipped.
        const live = this.live;
        const f = this.branch(out, ops.index, at);
        if (live && ops.index === 0 && this.frameKind[f] === FrameKind.Loop) {
          // Maybe a counted loop's back edge (counted-loop.ts).
          this.loopBrIfEnd = r.pos;
          this.loopBrIfAt = at;
        }
        return;
      }
      case Ctl.BrTable:
        if (straight >= 0 && straight === this.head && this.live && this.tryDepth === 0) this.dispatchLoop(out, at);
        // A dispatch: each target's code pays for itself (outside try bodies, where handlers need
        // one region), instead of every dispatch paying for the costliest target.
        for (const l of ops.labels) {
          const f = this.branch(out, l, at);
          if (this.live && this.tryDepth === 0) this.frameSplit[f] = 1;
        }
        this.live = false;
        return;
      case Ctl.Rethrow:
        this.labelFrame(ops.index, at);
        out.hasExceptions = true;
        this.mayThrow();
        this.exit(out);
        return;
      case Ctl.Throw:
        if (ops.index >= this.ctx.tagCount) throw new MalformedModuleError(`tag index ${ops.index} out of range`, at);
        out.hasExceptions = true;
        this.mayThrow();
        this.exit(out);
        return;
      case Ctl.ThrowRef:
        out.hasExceptions = true;
        this.mayThrow();
        this.exit(out);
        return;
      case Ctl.ReturnCall:
        this.checkBeforeCall(at, out);
        out.hasCall = true;
        if (op.immId === ImmId.Func) this.callDirect(out);
        this.exit(out);
        return;
      case Ctl.Return:
      case Ctl.Unreachable:
        this.exit(out);
        return;
    }
  }

  /**
   * A br_table ends the straight run of code a loop header starts (a dispatch loop: an interpreter's
   * `for (;;) switch (*pc++)`). If every target is a block's end, each target's region pays the
   * header's cost too and the header only checks: one charge per dispatch instead of two. A header
   * run always ends at the br_table, so it always leads to exactly one target. Targets may be the
   * loop itself (a no-op arm: see DispatchBack), when the loop takes no parameters.
   */
  private dispatchLoop(out: ScanResult, at: number): void {
    const labels = this.operands.labels;
    let self = false;
    for (const l of labels) {
      const f = this.labelFrame(l, at);
      if (f === this.region) self = true;
      else if (f === 0 || this.frameKind[f] === FrameKind.Loop) return;
    }
    for (const l of labels) {
      const f = this.labelFrame(l, at);
      if (this.dist > this.frameBonus[f]) this.frameBonus[f] = this.dist;
    }
    out.kinds[this.head] = PointKind.LoopCheck;
    if (self) {
      // Targets that are the loop itself start no region: the instrumenter sends them through a
      // block of its own whose end charges the header's cost before branching back.
      const p = out.push(at, PointKind.DispatchBack, this.head);
      out.costs[p] = this.dist;
      out.backLabels.set(p, this.depth - 1 - this.region);
      out.needsScratch = true;
    }
  }

  /** A direct call: a prepaid callee's entry region is paid on the caller's path, here. */
  private callDirect(out: ScanResult): void {
    if (this.entryCosts === null) return;
    const f = this.operands.index;
    const cost = this.entryCosts[f];
    if (cost > 0 && this.live) this.dist += cost;
    else if (cost === UNRESOLVED) out.unresolvedCallees.push(f);
  }

  private openLoop(at: number, r: Reader, out: ScanResult): void {
    out.hasLoop = true;
    const outer = this.region === 0 ? -1 : this.frameHead[this.region];
    let pre = -1;
    if (this.live) {
      // The enclosing region's path reaches the loop (and stays there if the loop never exits).
      this.end(out, this.head, this.dist);
      this.mayThrow();
      pre = out.push(at, PointKind.PreLoop, -1);
    }
    const f = this.pushFrame(FrameKind.Loop);
    // Loop-only frame state, set here rather than for every frame pushFrame opens.
    this.framePre[f] = pre;
    this.frameBackEdges[f] = 0;
    this.frameExits[f] = 0;
    if (this.live) {
      const head = out.push(r.pos, PointKind.LoopHeader, outer);
      out.loops[pre] = head;
      this.frameHead[f] = head;
    }
    this.region = f;
    this.head = this.frameHead[f];
    this.dist = 0;
    // A loop with parameters would pass them through the br_table: never treated as a dispatch.
    this.straight = this.operands.blockType >= 0 && this.ctx.paramCounts[this.operands.blockType] > 0 ? -1 : this.head;
    // A reachable call inside makes the loop's region cost something, so its header checks.
    this.checked = true;
  }

  private endFrame(op: OpInfo, at: number, r: Reader, out: ScanResult): void {
    const f = this.depth - 1;
    const kind = this.frameKind[f];
    if (op.ctl === Ctl.Delegate && kind !== FrameKind.Try) throw new MalformedModuleError("`delegate` outside a `try`", at);
    if (kind === FrameKind.Function) {
      if (r.pos !== r.end) throw new MalformedModuleError("instructions after the end of the function", r.pos);
      if (this.live) this.arrive(out, 0, this.head, this.dist);
      if (this.frameJoinHead[0] >= 0) this.end(out, this.frameJoinHead[0], this.frameJoin[0]);
      this.depth = 0;
      if (this.joinPoints.length > 0) this.foldJoins(out);
      return;
    }
    this.depth--;
    if (kind === FrameKind.Try || kind === FrameKind.TryTable) this.tryDepth--;
    if (kind === FrameKind.Loop) {
      this.closeLoop(f, at, out);
      return;
    }
    if (op.ctl === Ctl.Delegate) this.labelFrame(this.operands.index, at);
    if (this.live) this.arrive(out, f, this.head, this.dist);
    // An `if` without `else` also arrives at its end when the condition is false.
    if (kind === FrameKind.If && !this.frameHasElse[f] && this.frameReachable[f]) {
      this.arrive(out, f, this.frameEntryHead[f], this.frameEntry[f], this.frameEntryChecked[f] === 1);
    }
    // What the body may throw propagates to the enclosing frame's handlers too.
    if (this.frameThrow[f] > this.frameThrow[f - 1]) this.frameThrow[f - 1] = this.frameThrow[f];
    const labels = this.frameCatchLabels[f];
    if (labels !== null && this.frameReachable[f]) {
      // A catch clause branches to its label from any throwing point of the body.
      this.live = true;
      this.checked = this.frameEntryChecked[f] === 1;
      this.head = this.frameEntryHead[f];
      this.dist = Math.max(this.frameEntry[f], this.frameThrow[f]);
      for (const l of labels) this.branch(out, l, at);
    }
    const joined = this.frameJoinHead[f];
    this.live = joined !== NONE;
    this.checked = this.frameChecked[f] === 1;
    if (joined === MIXED || (joined >= 0 && this.frameSplit[f])) {
      if (joined >= 0) this.end(out, joined, this.frameJoin[f]);
      this.head = out.push(r.pos, PointKind.Split, this.region === 0 ? -1 : this.frameHead[this.region]);
      // A join no br_table targets: the regions reaching it pay for the one after it (foldJoins).
      if (joined === MIXED && !this.frameSplit[f]) this.joinPoints[this.frameJoinId[f]] = this.head;
      this.dist = this.frameBonus[f];
    } else if (joined >= 0) {
      this.head = joined;
      this.dist = this.frameJoin[f];
    }
  }

  /**
   * Each join where paths of several regions meet (and no br_table leads) starts a region of its own
   * in the scan; here every region reaching it pays for it instead, as if its path went on through
   * the join (the costliest path of the join's region added to its own at the join), and the join
   * charges nothing: one charge fewer on every path through it. Last join first: a join's region
   * only reaches joins after it, so its cost is final when the regions before it add it.
   */
  private foldJoins(out: ScanResult): void {
    const ends = this.joinEnds;
    const points = this.joinPoints;
    const order: number[] = [];
    for (let k = 0; k < ends.length; k += 3) if (points[ends[k + 2]] >= 0) order.push(k);
    order.sort((a, b) => points[ends[b + 2]] - points[ends[a + 2]]);
    for (const k of order) {
      const head = ends[k];
      const join = points[ends[k + 2]];
      const cost = ends[k + 1] + out.costs[join];
      if (cost > out.costs[head]) out.costs[head] = cost;
      out.kinds[join] = PointKind.None;
    }
    points.length = 0;
    ends.length = 0;
  }

  /** The loop's region is complete: its header charges the costliest path; code after it continues the enclosing region. */
  private closeLoop(f: number, at: number, out: ScanResult): void {
    if (this.live) this.end(out, this.head, this.dist);
    const head = this.frameHead[f];
    if (head >= 0) {
      if (!this.frameCalls[f]) {
        out.tight[head] = 1;
        out.hasTightLoop = true;
      }
      // Only a loop that runs all its iterations (or traps) is counted: no call (it could throw out),
      // no branch out, return or throw, so charging them all up front charges what it runs.
      if (this.frameBackEdges[f] === 1 && !this.frameExits[f] && !this.frameCalls[f]) {
        // The back edge right before the loop's end, or right before the end of an if that ends the loop.
        if (this.loopBrIfEnd === at) this.countLoop(f, head, out, this.loopBrIfAt, false);
        else if (this.loopBrEnd + 1 === at && this.bytes[this.loopBrEnd] === END) this.countLoop(f, head, out, this.loopBrAt, true);
      }
    }
    // A loop that costs nothing is not checked (and contains no call or branch out of it).
    if (head < 0 || out.costs[head] === 0) this.checked = this.frameEntryChecked[f] === 1;
    this.region = this.frameRegion[f - 1];
    this.head = this.frameEntryHead[f];
    this.dist = this.frameEntry[f];
  }

  /**
   * The loop, whose only back edge is the `br_if 0` right before its end, becomes a counted loop if
   * counted-loop.ts recognises it: its PreLoop point then charges every iteration, its header nothing.
   */
  private countLoop(f: number, head: number, out: ScanResult, backAt: number, topTested: boolean): void {
    const pre = this.framePre[f];
    const cost = out.costs[head];
    const size = backAt - out.offsets[head];
    if (pre < 0 || cost === 0 || cost > MAX_COUNTED_ITERATION_COST || size > this.countedBudget) return;
    if (!mayBeCounted(this.bytes, out.offsets[head], backAt, topTested)) return;
    if (!onlyCheckedPointsAfter(out, head)) return;
    this.countedBudget -= size;
    const shape = matchCountedLoop(this.bytes, out.offsets[head], backAt, topTested);
    if (shape === null) return;
    out.kinds[pre] = PointKind.CountedLoop;
    out.costs[pre] = cost;
    // For the local cache: the PreLoop's loop is the one around the counted loop.
    out.loops[pre] = out.loops[head];
    out.kinds[head] = PointKind.None;
    out.counted.set(pre, shape);
  }

  /** A call (or tail call) here: unless a check precedes it on every path from the entry, check before it. */
  private checkBeforeCall(at: number, out: ScanResult): void {
    if (!this.live || this.checked) return;
    out.push(at, PointKind.CallCheck, this.region === 0 ? -1 : this.frameHead[this.region]);
    out.callChecks++;
    this.checked = true;
  }
}

/**
 * True when nothing inside the loop's body (the points pushed after its header) charges fuel without a check of its
 * own. Counting a loop removes its header's per-iteration check, so a region charge inside the body (a Split after a
 * `br_table` target or a join, a nested loop's header or PreLoop) would then run every iteration unchecked: a
 * counted loop may hold only dynamic charges and nested counted loops (each checked at once) and the grow-failed
 * flag. (A nested loop that is not counted keeps the outer one from being counted: whether its header checks
 * depends on whether it can branch back.)
 */
function onlyCheckedPointsAfter(out: ScanResult, head: number): boolean {
  for (let i = head + 1; i < out.count; i++) {
    const kind = out.kinds[i];
    if (
      kind !== PointKind.DynamicBytes && kind !== PointKind.DynamicPages && kind !== PointKind.DynamicElements &&
      kind !== PointKind.AfterGrow && kind !== PointKind.None && kind !== PointKind.CountedLoop
    ) {
      return false;
    }
  }
  return true;
}
