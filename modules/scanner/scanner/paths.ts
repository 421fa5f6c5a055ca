// How the scanner follows the costliest path of each region (the reference: src/wasm/scan-paths.ts, method by method).
import { index } from "./decode";
import * as S from "./state";
import {
  capacity, cost, F_BACK_EDGES, F_CALLS, F_ENTRY, F_ENTRY_HEAD, F_EXITS, F_CHECKED, F_JOIN, F_JOIN_HEAD,
  F_JOIN_ID, F_KIND, F_REGION, fr, labelFrame, LOOP, MIXED, NONE, push, setCost, setFr, slot,
} from "./state";

/**
 * A path of the region headed by `head` ends here, having cost `d`: the head charges at least that. (A head below 0
 * does nothing, as a write past a typed array's start does in the reference.)
 */
export function end(head: i32, d: i32): void {
  if (head < 0) return;
  if (d > cost(head)) setCost(head, d);
}

/** `dist` expressed in the region around loop frame `target` (sets crossedHead). */
export function crossTo(target: i32): i32 {
  let region = S.region;
  let head = S.head;
  let d = S.dist;
  while (region != target) {
    end(head, d);
    setFr(region, F_EXITS, 1);
    head = fr(region, F_ENTRY_HEAD);
    d = fr(region, F_ENTRY);
    region = fr(region - 1, F_REGION);
  }
  S.crossedHead = head;
  return d;
}

function pushJoinEnd(head: i32, d: i32, id: i32): void {
  const k = S.joinEndCount;
  if (k + 3 > 3 * capacity) unreachable();
  store<i32>(slot(S.JOIN_ENDS, k), head);
  store<i32>(slot(S.JOIN_ENDS, k + 1), d);
  store<i32>(slot(S.JOIN_ENDS, k + 2), id);
  S.joinEndCount = k + 3;
}

/** A path of region `head` arrives at frame f's end with cost d (checked: it passed a check). */
export function arrive(f: i32, head: i32, d: i32, checked: bool): void {
  if (!checked) setFr(f, F_CHECKED, 0);
  const joined = fr(f, F_JOIN_HEAD);
  if (joined == head || joined == NONE) {
    setFr(f, F_JOIN_HEAD, head);
    if (d > fr(f, F_JOIN)) setFr(f, F_JOIN, d);
    return;
  }
  end(head, d);
  if (joined != MIXED) {
    end(joined, fr(f, F_JOIN));
    if (S.joinCount >= capacity) unreachable();
    setFr(f, F_JOIN_ID, S.joinCount);
    store<i32>(slot(S.JOIN_POINTS, S.joinCount++), -1);
    pushJoinEnd(joined, fr(f, F_JOIN), fr(f, F_JOIN_ID));
  }
  pushJoinEnd(head, d, fr(f, F_JOIN_ID));
  setFr(f, F_JOIN_HEAD, MIXED);
}

/** A reachable branch to `label`: a loop's header ends a path; any other label's frame is arrived at. */
export function branch(label: i32): i32 {
  const f = labelFrame(label);
  if (!S.live) return f;
  if (fr(f, F_KIND) == LOOP) {
    setFr(f, F_BACK_EDGES, fr(f, F_BACK_EDGES) + 1);
    const d = crossTo(f);
    end(S.crossedHead, d);
  } else {
    const d = crossTo(fr(f, F_REGION));
    arrive(f, S.crossedHead, d, S.checked);
  }
  return f;
}

/** Control leaves the function here (return, tail call, trap): every open region's path ends. */
export function exit(): void {
  if (!S.live) return;
  const d = crossTo(0);
  end(S.crossedHead, d);
  S.live = false;
}

/**
 * ScanPaths.foldJoins: every region reaching a join (no br_table leads to) pays for the join's region, last join
 * first. The reference sorts the path ends by their join's point, descending; here they are bucketed by that point
 * instead. Path ends at the same join are independent (each raises its own head's cost by the join's cost, which none
 * of them changes: a join's point comes after every head arriving at it), so their order within a bucket is free.
 */
export function foldJoins(): void {
  const points = S.JOIN_POINTS;
  const ends = S.JOIN_ENDS;
  const n = S.count;
  for (let p = 0; p < n; p++) store<i32>(slot(S.BUCKETS, p), -1);
  const entries = S.joinEndCount / 3;
  for (let e = 0; e < entries; e++) {
    const p = load<i32>(slot(points, load<i32>(slot(ends, 3 * e + 2))));
    if (p < 0) continue;
    store<i32>(slot(S.NEXT, e), load<i32>(slot(S.BUCKETS, p)));
    store<i32>(slot(S.BUCKETS, p), e);
  }
  for (let p = n - 1; p >= 0; p--) {
    for (let e = load<i32>(slot(S.BUCKETS, p)); e >= 0; e = load<i32>(slot(S.NEXT, e))) {
      end(load<i32>(slot(ends, 3 * e)), load<i32>(slot(ends, 3 * e + 1)) + cost(p));
      S.setKind(p, S.NONE_POINT);
    }
  }
  S.joinCount = 0;
  S.joinEndCount = 0;
}

/** A direct call: a prepaid callee's entry region is paid on the caller's path, here. */
export function callDirect(): void {
  if (!S.hasEntryCosts) return;
  const f = index;
  const c = load<i32>(slot(S.ENTRY_COSTS, f));
  // A callee paid at the call (scan-frames.ts PAID_AT_CALL) needs a call-site charge: the reference scans it.
  if (c == S.PAID_AT_CALL) unreachable();
  if (S.live) S.dist += c > 0 ? c : 0;
  if (c == S.UNRESOLVED) {
    if (S.unresolvedCount >= capacity) unreachable();
    store<i32>(slot(S.UNRESOLVED_CALLEES, S.unresolvedCount++), f);
  }
}

/** A call here: unless a check precedes it on every path from the entry, check before it. */
export function checkBeforeCall(at: i32): void {
  if (!S.live || S.checked) return;
  push(at, S.CALL_CHECK, S.regionLoop());
  S.callChecks++;
  S.checked = true;
}

/** A call's frames up to the function's own contain a call (ScanFrames.frameCalls). */
export function markCalls(): void {
  for (let f = S.depth - 1; f > 0 && fr(f, F_CALLS) == 0; f--) setFr(f, F_CALLS, 1);
}
