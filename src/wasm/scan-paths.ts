// How the scanner follows the costliest path of each region (scanner.ts, ScanFrames): path ends,
// arrivals at frame ends, branches, exits, joins of several regions, and calls.
import { MIXED, NONE, FrameKind, PAID_AT_CALL, ScanFrames, UNRESOLVED } from "./scan-frames.ts";
import { PointKind, type ScanResult } from "./scan-result.ts";

/** A run of calls charged together (callSiteCharge) is charged at most this at once: far below 2^31. */
const MAX_CALL_SITE_CHARGE = 1 << 20;

export class ScanPaths extends ScanFrames {
  /** A path of the region headed by `head` ends here, having cost `d`: the head charges at least that. */
  protected end(out: ScanResult, head: number, d: number): void {
    if (d > out.costs[head]) out.costs[head] = d;
  }

  /**
   * `dist` expressed in the region around loop frame `target` (the current loop or one enclosing
   * it; sets crossedHead): each region left on the way has a path end here, and continues in its
   * parent as the loop step it was entered by.
   */
  protected crossTo(out: ScanResult, target: number): number {
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
  protected arrive(out: ScanResult, f: number, head: number, d: number, checked = this.checked): void {
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
  protected branch(out: ScanResult, label: number, at: number): number {
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
  protected exit(out: ScanResult): void {
    if (!this.live) return;
    const d = this.crossTo(out, 0);
    this.end(out, this.crossedHead, d);
    this.live = false;
  }

  /** An exception may be thrown here: the handlers of enclosing try frames can start from this path. */
  protected mayThrow(): void {
    const top = this.depth - 1;
    if (this.tryDepth > 0 && this.live && this.dist > this.frameThrow[top]) this.frameThrow[top] = this.dist;
  }


  /**
   * Each join where paths of several regions meet (and no br_table leads) starts a region of its own
   * in the scan; here every region reaching it pays for it instead, as if its path went on through
   * the join (the costliest path of the join's region added to its own at the join), and the join
   * charges nothing: one charge fewer on every path through it. Last join first: a join's region
   * only reaches joins after it, so its cost is final when the regions before it add it.
   */
  protected foldJoins(out: ScanResult): void {
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


  /**
   * A direct call at `at`: a prepaid callee's entry region is paid on the caller's path, here; a
   * PAID_AT_CALL callee's by a checked charge right before the call (callSiteCharge).
   */
  protected callDirect(out: ScanResult, at: number): void {
    if (this.entryCosts === null) return;
    const f = this.operands.index;
    const cost = this.entryCosts[f];
    // Every operation here runs from the first call on (no branch only a prepaid callee takes):
    // TurboFan optimises this early and would deoptimise at the first callee that costs something.
    if (this.live) this.dist += cost > 0 ? cost : 0;
    if (cost === UNRESOLVED) out.unresolvedCallees.push(f);
    else if (cost === PAID_AT_CALL) this.callSiteCharge(out, at, this.callSiteCosts![f]);
  }

  /**
   * Charges `cost` (a PAID_AT_CALL callee's entry region) before the call at `at`, and checks: one
   * charge for a run of such calls with nothing between them but code that cannot branch (each call
   * returns to the next, or the run ends in a trap). Not inside a `try`: a handler there could
   * continue past a callee that threw, and the calls after it, already paid for, would not run.
   */
  private callSiteCharge(out: ScanResult, at: number, cost: number): void {
    if (!this.live) return;
    const p = this.callCharge;
    if (p >= 0 && this.tryDepth === 0 && out.costs[p] + cost <= MAX_CALL_SITE_CHARGE) {
      out.costs[p] += cost;
      return;
    }
    this.callCharge = out.push(at, PointKind.CallCharge, this.region === 0 ? -1 : this.frameHead[this.region]);
    out.costs[this.callCharge] = cost;
    this.checked = true;
  }

  /** A call (or tail call) here: unless a check precedes it on every path from the entry, check before it. */
  protected checkBeforeCall(at: number, out: ScanResult): void {
    if (!this.live || this.checked) return;
    out.push(at, PointKind.CallCheck, this.region === 0 ? -1 : this.frameHead[this.region]);
    out.callChecks++;
    this.checked = true;
  }
}
