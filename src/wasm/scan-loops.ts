// Loops in the scan (scanner.ts): opening and closing a loop's region, counted loops
// (counted-loop.ts) and dispatch loops (a br_table ending a loop header's straight run).
import { matchCountedLoop, MAX_COUNTED_ITERATION_COST, mayBeCounted } from "./counted-loop.ts";
import type { Reader } from "./reader.ts";
import { FrameKind } from "./scan-frames.ts";
import { ScanPaths } from "./scan-paths.ts";
import { PointKind, type ScanResult } from "./scan-result.ts";

const END = 0x0b;

export class ScanLoops extends ScanPaths {
  /**
   * A br_table ends the straight run of code a loop header starts (a dispatch loop: an interpreter's
   * `for (;;) switch (*pc++)`). If every target is a block's end, each target's region pays the
   * header's cost too and the header only checks: one charge per dispatch instead of two. A header
   * run always ends at the br_table, so it always leads to exactly one target. Targets may be the
   * loop itself (a no-op arm: see DispatchBack), when the loop takes no parameters.
   */
  protected dispatchLoop(out: ScanResult, at: number): void {
    const labels = this.operands.labels;
    let self = false;
    for (let i = 0; i < labels.length; i++) {
      const f = this.labelFrame(labels[i], at);
      if (f === this.region) self = true;
      else if (f === 0 || this.frameKind[f] === FrameKind.Loop) return;
    }
    for (let i = 0; i < labels.length; i++) {
      const f = this.labelFrame(labels[i], at);
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
  protected openLoop(at: number, r: Reader, out: ScanResult): void {
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

  /** The loop's region is complete: its header charges the costliest path; code after it continues the enclosing region. */
  protected closeLoop(f: number, at: number, out: ScanResult): void {
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
  protected countLoop(f: number, head: number, out: ScanResult, backAt: number, topTested: boolean): void {
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
