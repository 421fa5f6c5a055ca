// The scanner's control stack and path state (scanner.ts): one entry per open frame in typed arrays,
// and the fields describing the current instruction's region and path.
import type { CodeContext } from "./code-context.ts";
import { MalformedModuleError } from "./errors.ts";
import { newOperands } from "./instruction.ts";

/**
 * What a direct call to each function adds to the caller's path (prepaid.ts): a prepaid function's
 * entry cost, NOT_PREPAID, UNRESOLVED while prepaid.ts has yet to work it out, or PAID_AT_CALL (a
 * function in a call cycle whose callers charge its entry region right before each call to it:
 * nothing on the path, a charge of its own).
 */
export type EntryCosts = Int32Array;
export const NOT_PREPAID = -1;
export const UNRESOLVED = -2;
export const PAID_AT_CALL = -3;

export const enum FrameKind {
  Function,
  Block,
  Loop,
  If,
  Try,
  TryTable,
}

/**
 * Frames the stack holds before it grows: deeper than the nesting of real modules (quickjs: 279,
 * brotli-wasm: 94). Growing replaces every frame array, and TurboFan's code for every function
 * that reads them, compiled on the assumption that they never change, is thrown away.
 */
const FRAME_CAPACITY = 512;

/** "No path arrives here." Path costs are never negative. */
export const NONE = -1;
/** frameJoinHead: paths of more than one region arrive at the frame's end. */
export const MIXED = -2;

/**
 * The state of a per-module scanner, reused across functions. It lives in fields and typed arrays
 * rather than closures, because the scan runs once per instruction of every deployed module.
 *
 * Regions: the function entry and every loop header start one. A region's paths run from its head
 * to a branch back to its loop, out of its loop, or out of the function; a loop nested in it counts
 * as one step of cost 0 (it pays for itself at its own header) that continues at the loop's exits.
 * `dist` is the cost of the costliest path from the current region's head to here; joins take the
 * maximum of what arrives, and a region's charge is the maximum over its path ends.
 */
export class ScanFrames {
  protected readonly operands = newOperands();
  // The control stack, one entry per open frame (index 0: the function itself).
  protected depth = 0;
  protected frameKind = new Uint8Array(FRAME_CAPACITY);
  /** The frame was opened in reachable code. */
  protected frameReachable = new Uint8Array(FRAME_CAPACITY);
  protected frameHasElse = new Uint8Array(FRAME_CAPACITY);
  /** The frame's body contains a call. */
  protected frameCalls = new Uint8Array(FRAME_CAPACITY);
  /** The frame that heads the region the frame's body is in: itself for loops and the function. */
  protected frameRegion = new Int32Array(FRAME_CAPACITY);
  /** Loops and the function: their header point (-1 if unreachable). */
  protected frameHead = new Int32Array(FRAME_CAPACITY);
  /** `dist` of the enclosing region when the frame opened. */
  protected frameEntry = new Int32Array(FRAME_CAPACITY);
  /** The region head current when the frame opened (`frameEntry` is a cost in that region). */
  protected frameEntryHead = new Int32Array(FRAME_CAPACITY);
  /** Costliest path arriving at the frame's end (NONE if no path does)... */
  protected frameJoin = new Int32Array(FRAME_CAPACITY);
  /** ...in the region headed by this point (NONE, or MIXED when paths of several regions arrive). */
  protected frameJoinHead = new Int32Array(FRAME_CAPACITY);
  /** A reachable br_table targets the frame's end: the code after it is a region of its own. */
  protected frameSplit = new Uint8Array(FRAME_CAPACITY);
  /** What the region after the frame's end pays for a dispatch loop's header (0 if none targets it). */
  protected frameBonus = new Int32Array(FRAME_CAPACITY);
  /** Paths of several regions meet at the frame's end: its index in `joinPoints` (-1: not yet). */
  protected frameJoinId = new Int32Array(FRAME_CAPACITY);
  /** Each such join: the point the region after it starts at, or -1 if that region stays charged. */
  protected joinPoints: number[] = [];
  /** Path ends at joins, paid by their regions with the join's region (foldJoins): head, cost, join id. */
  protected joinEnds: number[] = [];
  /** Costliest path reaching a point in the frame where an exception can be thrown (NONE if none). */
  protected frameThrow = new Int32Array(FRAME_CAPACITY);
  /** Try frames: where their handlers start (`dist`), fixed at the first catch. */
  protected frameCatch = new Int32Array(FRAME_CAPACITY);
  /** try_table frames: their catch labels, branched to from every throwing point of the body. */
  protected frameCatchLabels: (number[] | null)[] = new Array<number[] | null>(FRAME_CAPACITY).fill(null);
  /** Loops: their PreLoop point (-1 if unreachable), and how many reachable branches go back to them. */
  protected framePre = new Int32Array(FRAME_CAPACITY);
  protected frameBackEdges = new Int32Array(FRAME_CAPACITY);
  /** Loops: a reachable path leaves them other than by falling out of their end (a branch out, return, trap, throw). */
  protected frameExits = new Uint8Array(FRAME_CAPACITY);
  /** Where the last reachable `br_if 0` to a loop starts and ends, and the last `br` to a loop. */
  protected loopBrIfAt = -1;
  protected loopBrIfEnd = -1;
  protected loopBrAt = -1;
  protected loopBrEnd = -1;
  /**
   * Bytes of loop bodies counted-loop recognition may still decode again: at most the module's size. Public for the
   * WebAssembly accelerator (wasm-scanner.ts), which shares it with the scans it leaves to this scanner.
   */
  countedBudget: number;
  /** `checked` when the frame opened. */
  protected frameEntryChecked = new Uint8Array(FRAME_CAPACITY);
  /** Every path arriving at the frame's end so far has passed a check. */
  protected frameChecked = new Uint8Array(FRAME_CAPACITY);
  /**
   * Every path from the function entry to the current instruction has passed an exhaustion check
   * (a loop header's, a dynamic charge's or a call's): a call here needs no check of its own.
   */
  protected checked = false;
  protected tryDepth = 0;
  /** Whether the current instruction is reachable. */
  protected live = true;
  protected dist = 0;
  /** The point heading the current region. */
  protected head = 0;
  /** The innermost loop (or the function) frame around the current instruction. */
  protected region = 0;
  /** Set by crossTo: the head of the region its result is a cost in. */
  protected crossedHead = 0;
  /**
   * skipSimple's bound on each FastClass's immediate, set by scan() for the function it scans. Int32,
   * not Float64: a cold read of a Float64Array element makes a heap number, once per instruction.
   */
  protected readonly simpleLimits = new Int32Array(8);
  /** The loop header point whose region has had nothing but `block` since the header (-1: none). */
  protected straight = -1;
  /**
   * The CallCharge point of the last call of a PAID_AT_CALL function, while no control instruction
   * but calls has followed it (-1: none): a later such call adds its callee's cost to it.
   */
  protected callCharge = -1;

  constructor(
    protected readonly bytes: Uint8Array,
    protected readonly ctx: CodeContext,
    protected readonly entryCosts: EntryCosts | null = null,
    /** PAID_AT_CALL functions: the entry cost each call to them charges (prepaid.ts). */
    protected readonly callSiteCosts: Int32Array | null = null,
  ) {
    this.countedBudget = bytes.length;
  }

  protected growFrames(): void {
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


  protected pushFrame(kind: FrameKind): number {
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

  protected labelFrame(label: number, at: number): number {
    if (label >= this.depth) throw new MalformedModuleError(`branch depth ${label} exceeds the ${this.depth} enclosing blocks`, at);
    return this.depth - 1 - label;
  }

}
