// Walks a function body once: checks its structure and indices, and finds where fuel is charged
// and how much (docs/limits.md, "How it is charged"). The instrumenter turns the result into
// charges; the inspector uses it to validate.
import { CHECKED_IMMEDIATES, checkIndices } from "./code-context.ts";
import { PointKind, type ScanResult } from "./scan-result.ts";
import { MalformedModuleError } from "./errors.ts";
import { BLOCK_EMPTY, readOpcode, readOperands } from "./instruction.ts";
import { Ctl, type DynamicCost, FAST_CLASS, FAST_COST, FastClass, ImmId, type OpInfo, SINGLE_BYTE } from "./opcodes.ts";
import { Reader } from "./reader.ts";
import { FrameKind, MIXED, NONE, NOT_PREPAID, PAID_AT_CALL } from "./scan-frames.ts";
import { ScanLoops } from "./scan-loops.ts";
import type { FunctionBody } from "./types.ts";

const END = 0x0b;

/** By opcode: 1 for br and br_if (a label), 2 for block, loop and if (a block type); 0 otherwise. */
const SHORT_IMMEDIATE = new Uint8Array(256);
SHORT_IMMEDIATE[0x0c] = SHORT_IMMEDIATE[0x0d] = 1;
SHORT_IMMEDIATE[0x02] = SHORT_IMMEDIATE[0x03] = SHORT_IMMEDIATE[0x04] = 2;

export { codeContext, type CodeContext } from "./code-context.ts";
export { PointKind, ScanResult, settlePreLoops } from "./scan-result.ts";
export { type EntryCosts, NOT_PREPAID, PAID_AT_CALL, UNRESOLVED } from "./scan-frames.ts";

const DYNAMIC_KIND: Record<Exclude<DynamicCost, null>, PointKind> = {
  bytes: PointKind.DynamicBytes,
  pages: PointKind.DynamicPages,
  elements: PointKind.DynamicElements,
};

/**
 * Reused across functions: a per-module scanner (state: scan-frames.ts; paths: scan-paths.ts;
 * loops: scan-loops.ts). This file is the walk itself: the loop over instructions and what each
 * control instruction does to the frames.
 */
export class FunctionScanner extends ScanLoops {
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
    // A prepaid (or PAID_AT_CALL) function's callers paid its entry region and checked before calling
    // it: its entry is checked. A candidate prepaid.ts is working out is scanned as if it were not (it drops the
    // call checks if the function turns out prepaid: see ScanResult.dropCallChecks).
    const entryCost = this.entryCosts === null ? NOT_PREPAID : this.entryCosts[ctx.importedFunctionCount + definedIndex];
    this.checked = entryCost >= 0 || entryCost === PAID_AT_CALL;
    this.callCharge = -1;
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
    // i32 constants below 2^31 - 1 (the rare larger ones take the full path), a memarg not inline
    // at all without a memory.
    const limits = this.simpleLimits;
    limits[FastClass.Local] = localCount;
    limits[FastClass.Global] = ctx.globalCount;
    limits[FastClass.Memarg] = ctx.hasMemory ? 0x7fffffff : -1;
    limits[FastClass.I32] = 0x7fffffff;
    const bytes = this.bytes;
    const end = r.end;
    const endOp = SINGLE_BYTE[END]!;
    while (r.pos < end) {
      const at = this.skipSimple(r);
      if (at >= end) break;
      const code = bytes[at];
      if (code === END) {
        // The commonest instruction here (a quarter): no immediates, no indices, straight to its frame.
        r.pos = at + 1;
        if (this.live) this.dist += endOp.cost;
        this.straight = -1;
        this.endFrame(endOp, at, r, out);
        continue;
      }
      // br, br_if with a one-byte label, block, loop, if with an empty or single-value type (most
      // of the rest): their immediate read here, nothing to range-check, straight to control().
      const short = SHORT_IMMEDIATE[code];
      if (short !== 0 && at + 1 < end) {
        const b = bytes[at + 1];
        if (short === 1 ? b < 0x80 : b === 0x40 || (b >= 0x7c && b <= 0x7f)) {
          const op = SINGLE_BYTE[code]!;
          if (short === 1) ops.index = b;
          else ops.blockType = b === 0x40 ? BLOCK_EMPTY : b - 128;
          r.pos = at + 2;
          if (this.live) this.dist += op.cost;
          this.control(op, at, r, out);
          continue;
        }
      }
      // A single-byte opcode the runtime runs is looked up here; prefixes and refusals take readOpcode.
      let op: OpInfo | undefined = SINGLE_BYTE[code];
      if (op !== undefined && op.supported) r.pos = at + 1;
      else op = readOpcode(r);
      const imm = op.immId;
      // end, else, return, unreachable: no immediates to read (a third of what reaches here).
      if (imm !== ImmId.None) readOperands(r, op, ops, false);
      if (this.live) this.dist += op.cost;
      if (CHECKED_IMMEDIATES[imm] === 1) checkIndices(ctx, op, ops, localCount, at);
      // Dynamic-cost instructions (rare) go through control() too: code that has not run when
      // TurboFan optimises this loop would deoptimise it the first time it runs.
      if (op.ctl !== Ctl.None || op.dynamic !== null) this.control(op, at, r, out);
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

  /** A bulk memory or table instruction's dynamic cost is charged before it (and a grow's result checked after it). */
  private dynamicCost(op: OpInfo, at: number, r: Reader, out: ScanResult): void {
    out.needsScratch = true;
    if (!this.live) return;
    const loop = this.region === 0 ? -1 : this.frameHead[this.region];
    out.push(at, DYNAMIC_KIND[op.dynamic!], loop);
    if (op.dynamic === "pages") out.push(r.pos, PointKind.AfterGrow, loop);
    this.checked = true;
  }

  private control(op: OpInfo, at: number, r: Reader, out: ScanResult): void {
    if (op.dynamic !== null) {
      this.dynamicCost(op, at, r, out);
      return;
    }
    const ops = this.operands;
    const straight = this.straight;
    if (op.ctl !== Ctl.Block) this.straight = -1;
    if (op.ctl !== Ctl.Call) this.callCharge = -1;
    switch (op.ctl) {
      case Ctl.Call:
        // A PAID_AT_CALL callee's charge before the call checks, so the call needs no check then.
        if (op.immId === ImmId.Func) this.callDirect(out, at);
        this.checkBeforeCall(at, out);
        out.hasCall = true;
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
        // one region), instead of every dispatch paying for the costliest target. (Indexed loops here
        // and below: a cold for-of makes an iterator result object per element.)
        for (let i = 0; i < ops.labels.length; i++) {
          const f = this.branch(out, ops.labels[i], at);
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
        // A PAID_AT_CALL callee's charge before the call checks, so the call needs no check then.
        if (op.immId === ImmId.Func) this.callDirect(out, at);
        this.checkBeforeCall(at, out);
        out.hasCall = true;
        this.exit(out);
        return;
      case Ctl.Return:
      case Ctl.Unreachable:
        this.exit(out);
        return;
    }
  }


  private endFrame(op: OpInfo, at: number, r: Reader, out: ScanResult): void {
    this.callCharge = -1;
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

}
