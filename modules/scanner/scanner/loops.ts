// Loops in the scan (the reference: src/wasm/scan-loops.ts, method by method): opening and closing a loop's region,
// counted loops and dispatch loops.
import { blockType, byteAt, labelCount, pos } from "./decode";
import { matchCountedLoop } from "./counted";
import { end } from "./paths";
import * as S from "./state";
import {
  capacity, cost, F_BACK_EDGES, F_BONUS, F_CALLS, F_ENTRY, F_ENTRY_CHECKED, F_ENTRY_HEAD, F_EXITS, F_HEAD, F_KIND,
  F_PRE, F_REGION, fr, labelFrame, LOOP, push, pushFrame, setCost, setFr, setKind, slot,
} from "./state";


const END = 0x0b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_NE = 0x47;
const I32_LT_U = 0x49;
const I32_GT_U = 0x4b;

@inline function label(i: i32): i32 {
  return load<i32>(slot(S.LABELS, i));
}

/** A br_table ends a loop header's straight run: each target's region pays the header's cost (ScanLoops.dispatchLoop). */
export function dispatchLoop(at: i32): void {
  let self = false;
  for (let i = 0; i < labelCount; i++) {
    const f = labelFrame(label(i));
    if (f == S.region) self = true;
    else if (f == 0 || fr(f, F_KIND) == LOOP) return;
  }
  for (let i = 0; i < labelCount; i++) {
    const f = labelFrame(label(i));
    if (S.dist > fr(f, F_BONUS)) setFr(f, F_BONUS, S.dist);
  }
  setKind(S.head, S.LOOP_CHECK);
  if (self) {
    const p = push(at, S.DISPATCH_BACK, S.head);
    setCost(p, S.dist);
    if (S.backCount >= capacity) unreachable();
    store<i32>(slot(S.BACK_LABELS, 2 * S.backCount), p);
    store<i32>(slot(S.BACK_LABELS, 2 * S.backCount + 1), S.depth - 1 - S.region);
    S.backCount++;
    S.needsScratch = true;
  }
}

export function openLoop(at: i32): void {
  S.hasLoop = true;
  const outer = S.regionLoop();
  let pre = -1;
  if (S.live) {
    end(S.head, S.dist);
    pre = push(at, S.PRE_LOOP, -1);
  }
  const f = pushFrame(LOOP);
  setFr(f, F_PRE, pre);
  setFr(f, F_BACK_EDGES, 0);
  setFr(f, F_EXITS, 0);
  if (S.live) {
    const h = push(pos, S.LOOP_HEADER, outer);
    store<i32>(slot(S.LOOPS, pre), h);
    setFr(f, F_HEAD, h);
  }
  S.region = f;
  S.head = fr(f, F_HEAD);
  S.dist = 0;
  // A loop with parameters would pass them through the br_table: never treated as a dispatch.
  S.straight = blockType >= 0 && load<i32>(slot(S.PARAMS, blockType)) > 0 ? -1 : S.head;
  S.checked = true;
}

export function closeLoop(f: i32, at: i32): void {
  if (S.live) end(S.head, S.dist);
  const h = fr(f, F_HEAD);
  if (h >= 0) {
    if (fr(f, F_CALLS) == 0) {
      store<u8>(S.TIGHT + <usize>h, 1);
      S.hasTightLoop = true;
    }
    if (fr(f, F_BACK_EDGES) == 1 && fr(f, F_EXITS) == 0 && fr(f, F_CALLS) == 0) {
      if (S.loopBrIfEnd == at) countLoop(f, h, S.loopBrIfAt, false);
      else if (S.loopBrEnd + 1 == at && byteAt(S.loopBrEnd) == END) countLoop(f, h, S.loopBrAt, true);
    }
  }
  if (h < 0 || cost(h) == 0) S.checked = fr(f, F_ENTRY_CHECKED) == 1;
  S.region = fr(f - 1, F_REGION);
  S.head = fr(f, F_ENTRY_HEAD);
  S.dist = fr(f, F_ENTRY);
}

function countLoop(f: i32, h: i32, backAt: i32, topTested: bool): void {
  const pre = fr(f, F_PRE);
  const c = cost(h);
  const bodyStart = load<i32>(slot(S.OFFSETS, h));
  const size = backAt - bodyStart;
  if (pre < 0 || c == 0 || c > S.maxCountedCost || size > S.budget) return;
  if (!mayBeCounted(bodyStart, backAt, topTested)) return;
  if (!onlyCheckedPointsAfter(h)) return;
  S.budget -= size;
  if (!matchCountedLoop(pre, bodyStart, backAt, topTested)) return;
  setKind(pre, S.COUNTED_LOOP);
  setCost(pre, c);
  store<i32>(slot(S.LOOPS, pre), load<i32>(slot(S.LOOPS, h)));
  setKind(h, S.NONE_POINT);
}

/** mayBeCounted (src/wasm/counted-loop.ts): the byte-level look at the loop's ends. */
function mayBeCounted(bodyStart: i32, backAt: i32, topTested: bool): bool {
  if (topTested) return byteAt(bodyStart) == LOCAL_GET && (byteAt(backAt - 2) == LOCAL_SET || byteAt(backAt - 3) == LOCAL_SET);
  const last = byteAt(backAt - 1);
  return last == I32_NE || last == I32_LT_U || last == I32_GT_U || byteAt(backAt - 2) == LOCAL_TEE || byteAt(backAt - 3) == LOCAL_TEE;
}

/** onlyCheckedPointsAfter (src/wasm/scan-loops.ts): the body's points all charge with a check of their own, or nothing. */
function onlyCheckedPointsAfter(h: i32): bool {
  for (let i = h + 1; i < S.count; i++) {
    const kind = <i32>load<u8>(S.KINDS + <usize>i);
    if (kind != 2 && kind != 3 && kind != 4 && kind != S.AFTER_GROW && kind != S.NONE_POINT && kind != S.COUNTED_LOOP) return false;
  }
  return true;
}
