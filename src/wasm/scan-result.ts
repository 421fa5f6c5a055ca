// The result of scanning one function body: the points where fuel code is inserted, in code order.
import type { CountedLoop } from "./counted-loop.ts";

/** What a point in the code needs inserted before it. */
export const enum PointKind {
  /** The function entry (always point 0): charge the entry region, unchecked. */
  Entry = 0,
  /** A loop header: charge the loop's region, then trap if fuel is exhausted. */
  LoopHeader = 1,
  /** Charge the dynamic cost of the bulk instruction that starts here, then check. */
  DynamicBytes = 2,
  DynamicPages = 3,
  DynamicElements = 4,
  /** Before an outermost call-free loop: refill the fuel local from the global (a call may have left it stale). */
  PreLoop = 5,
  /** Right after a memory.grow: record a refused grow (result -1) in the grow-failed global. */
  AfterGrow = 6,
  /** Nothing to insert. */
  None = 7,
  /** After a `br_table` target's end: charge the region that starts there (unchecked). */
  Split = 8,
  /** Before a call that no check precedes on every path from the entry: trap if fuel is exhausted. */
  CallCheck = 9,
  /** Before a counted loop (its header then charges nothing): charge all its iterations, then check. */
  CountedLoop = 10,
  /** A dispatch loop's header: its br_table targets pay its cost; trap if fuel is exhausted. */
  LoopCheck = 11,
  /**
   * A dispatch loop's br_table that targets the loop itself (cost: the header's): the instrumenter
   * rewrites those targets to a block whose end charges the cost and branches back to the loop.
   */
  DispatchBack = 12,
  /**
   * Before a call of a function in a call cycle (prepaid.ts, PAID_AT_CALL): charge the callee's
   * entry region (and those of the calls right after it, with nothing but code between), then check.
   */
  CallCharge = 13,
}

/** The maps of snapshots without entries (never written: a snapshot is not scanned into). */
const NO_ENTRIES: ReadonlyMap<number, unknown> = new Map();

/**
 * The scan result for one function, in reusable typed arrays (the hot path allocates nothing per
 * instruction). Points are in code order; `offsets` are absolute positions in the module bytes.
 */
/** Room for `n` points: one buffer for the five arrays (prepaid.ts keeps a snapshot of hundreds of small functions). */
function pointArrays(n: number): { offsets: Int32Array; costs: Int32Array; loops: Int32Array; kinds: Uint8Array; tight: Uint8Array } {
  const buffer = new ArrayBuffer(n * 14);
  return {
    offsets: new Int32Array(buffer, 0, n),
    costs: new Int32Array(buffer, n * 4, n),
    loops: new Int32Array(buffer, n * 8, n),
    kinds: new Uint8Array(buffer, n * 12, n),
    tight: new Uint8Array(buffer, n * 13, n),
  };
}

export class ScanResult {
  count = 0;
  offsets: Int32Array;
  kinds: Uint8Array;
  /** Region heads (entry, loop headers, splits): the region's charge (its costliest path). */
  costs: Int32Array;
  /**
   * Loop headers: the enclosing loop's header point (-1 if none). Dynamic and split points: the
   * innermost enclosing loop's header point (-1 if none). PreLoop points: their loop's header point.
   */
  loops: Int32Array;
  /** Loop headers: 1 when the loop's body makes no call (the fuel local stays fresh in it). */
  tight: Uint8Array;
  /** CountedLoop points: the loop's counter, bound and step (by point index). */
  readonly counted: Map<number, CountedLoop>;
  /** DispatchBack points: the loop's label at the br_table (by point index). */
  readonly backLabels: Map<number, number>;
  /** The function uses a dynamic-cost instruction and needs a scratch i32 local. */
  needsScratch = false;
  /** Parameters plus declared locals: the index a scratch local gets. */
  localCount = 0;
  hasCall = false;
  /** Functions it calls directly whose entry cost is not known yet (prepaid.ts), once each at most per call site. */
  readonly unresolvedCallees: number[] = [];
  /** CallCheck points pushed: the instrumenter checks once at the entry instead when there are several. */
  callChecks = 0;
  hasLoop = false;
  /** Has a reachable loop whose body makes no call: the case where caching fuel in a local pays off. */
  hasTightLoop = false;
  /** Uses exception handling: handlers are entered from callees, where no refill can be placed. */
  hasExceptions = false;
  /** The point arrays are views of the WebAssembly scanner's memory (adoptPoints), not this result's own. */
  private adopted = false;

  /** `copyOf`: a snapshot of that result (see snapshot()). */
  constructor(capacity = 256, copyOf: ScanResult | null = null) {
    const n = Math.max(copyOf === null ? capacity : copyOf.count, 1);
    ({ offsets: this.offsets, costs: this.costs, loops: this.loops, kinds: this.kinds, tight: this.tight } = pointArrays(n));
    if (copyOf === null) {
      this.counted = new Map();
      this.backLabels = new Map();
      return;
    }
    // A snapshot is never scanned into again: without entries it can share one empty map.
    this.counted = copyOf.counted.size > 0 ? new Map(copyOf.counted) : (NO_ENTRIES as Map<number, CountedLoop>);
    this.backLabels = copyOf.backLabels.size > 0 ? new Map(copyOf.backLabels) : (NO_ENTRIES as Map<number, number>);
    // Element by element: five subarray views cost more than the few points of most functions.
    for (let i = 0; i < copyOf.count; i++) {
      this.offsets[i] = copyOf.offsets[i];
      this.costs[i] = copyOf.costs[i];
      this.loops[i] = copyOf.loops[i];
      this.kinds[i] = copyOf.kinds[i];
      this.tight[i] = copyOf.tight[i];
    }
  }

  reset(): void {
    if (this.adopted) this.ownPoints();
    this.resetFields();
  }

  /**
   * This result becomes the WebAssembly scanner's (wasm-scanner.ts): its points are the first `count` entries of those
   * arrays, views of the scanner's memory, not copied. They hold until that scanner's next scan, which is as long as
   * the instrumenter and prepaid.ts use a result (prepaid.ts keeps snapshots, which copy); a reset gives the result
   * arrays of its own again.
   */
  adoptPoints(count: number, offsets: Int32Array, kinds: Uint8Array, costs: Int32Array, loops: Int32Array, tight: Uint8Array): void {
    this.resetFields();
    this.adopted = true;
    this.count = count;
    this.offsets = offsets;
    this.kinds = kinds;
    this.costs = costs;
    this.loops = loops;
    this.tight = tight;
  }

  private ownPoints(): void {
    this.adopted = false;
    ({ offsets: this.offsets, costs: this.costs, loops: this.loops, kinds: this.kinds, tight: this.tight } = pointArrays(256));
  }

  private resetFields(): void {
    this.count = 0;
    this.needsScratch = false;
    this.callChecks = 0;
    // Map.clear allocates a new table even for an empty map: once per function scanned.
    if (this.counted.size > 0) this.counted.clear();
    if (this.backLabels.size > 0) this.backLabels.clear();
    this.unresolvedCallees.length = 0;
    this.hasCall = this.hasLoop = this.hasTightLoop = this.hasExceptions = false;
  }

  /** A copy holding just this result's points (the scanner reuses `this` for the next function). */
  snapshot(): ScanResult {
    const copy = new ScanResult(0, this);
    copy.count = this.count;
    for (let i = 0; i < this.unresolvedCallees.length; i++) copy.unresolvedCallees.push(this.unresolvedCallees[i]);
    copy.needsScratch = this.needsScratch;
    copy.localCount = this.localCount;
    copy.hasCall = this.hasCall;
    copy.callChecks = this.callChecks;
    copy.hasLoop = this.hasLoop;
    copy.hasTightLoop = this.hasTightLoop;
    copy.hasExceptions = this.hasExceptions;
    return copy;
  }

  /**
   * This scan as it would be with the function's entry checked (a prepaid function's: its callers
   * check before the call): no call needs a check of its own. With a checked entry every path has
   * passed a check, so the scan differs only in the CallCheck points it then never pushes.
   */
  dropCallChecks(): void {
    if (this.callChecks === 0) return;
    for (let i = 0; i < this.count; i++) if (this.kinds[i] === PointKind.CallCheck) this.kinds[i] = PointKind.None;
    this.callChecks = 0;
  }

  push(offset: number, kind: PointKind, loop: number): number {
    if (this.count === this.offsets.length) this.grow();
    const i = this.count++;
    this.offsets[i] = offset;
    this.kinds[i] = kind;
    this.costs[i] = 0;
    this.loops[i] = loop;
    this.tight[i] = 0;
    return i;
  }

  private grow(): void {
    const n = Math.max(this.count * 2, 1);
    const o = new Int32Array(n);
    o.set(this.offsets);
    this.offsets = o;
    const k = new Uint8Array(n);
    k.set(this.kinds);
    this.kinds = k;
    const c = new Int32Array(n);
    c.set(this.costs);
    this.costs = c;
    const l = new Int32Array(n);
    l.set(this.loops);
    this.loops = l;
    const t = new Uint8Array(n);
    t.set(this.tight);
    this.tight = t;
  }
}

/**
 * Marks the PreLoop points the fuel local needs: before a call-free loop that no call-free loop
 * encloses (inside one, the local is already fresh). Every other PreLoop becomes None.
 */
export function settlePreLoops(out: ScanResult): void {
  const { kinds, loops, tight } = out;
  for (let i = 0; i < out.count; i++) {
    if (kinds[i] !== PointKind.PreLoop) continue;
    const head = loops[i];
    const outer = loops[head];
    if (!tight[head] || (outer >= 0 && tight[outer])) kinds[i] = PointKind.None;
  }
}
