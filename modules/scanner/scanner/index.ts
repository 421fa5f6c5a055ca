// The function scanner compiled to WebAssembly: the accelerator for src/wasm/scanner.ts (FunctionScanner.scan), which
// stays the reference. It walks one body and produces exactly the ScanResult the reference would, or traps (bails)
// and lets the reference scan that function: exceptions, SIMD, references, rare encodings and every error bail.
// Why it exists, and how the two are kept identical: docs/architecture.md, "Two function scanners".
import * as D from "./decode";
import { checkImmediates, readImmediates } from "./decode";
import { closeLoop, dispatchLoop, openLoop } from "./loops";
import { arrive, branch, callDirect, checkBeforeCall, end, exit, foldJoins, markCalls } from "./paths";
import * as S from "./state";
import {
  F_BONUS, F_CHECKED, F_ENTRY, F_ENTRY_CHECKED, F_ENTRY_HEAD, F_HAS_ELSE, F_HEAD, F_JOIN, F_JOIN_HEAD, F_JOIN_ID,
  F_KIND, F_REACHABLE, F_SPLIT, FUNCTION, fr, IF, LOOP, MIXED, NONE, push, setFr, slot,
} from "./state";

export { layout, reserve } from "./state";

// Ctl of src/wasm/opcodes.ts (keep in step: the opcode rows carry these numbers). Exception handling never reaches
// here: its rows are marked unsupported.
const CTL_NONE = 0;
const CTL_BLOCK = 1;
const CTL_LOOP = 2;
const CTL_IF = 3;
const CTL_ELSE = 4;
const CTL_END = 5;
const CTL_BR = 11;
const CTL_BR_IF = 12;
const CTL_BR_TABLE = 13;
const CTL_RETURN = 14;
const CTL_UNREACHABLE = 15;
const CTL_CALL = 19;
const CTL_RETURN_CALL = 20;
const IMM_FUNC = 4;

/**
 * An opcode row (written by src/wasm/wasm-scanner.ts from the opcode table): bit 0 the scanner handles it, bits 1-2
 * its dynamic cost (0 none, 1 bytes, 2 pages, 3 elements), then its static cost, Ctl and ImmId, a byte each.
 */
const ROW_SUPPORTED = 1;

export function opRows(): usize {
  return S.OPS;
}
export function fastClasses(): usize {
  return S.FAST;
}
export function header(): usize {
  return S.HEADER;
}
export function moduleBytes(): usize {
  return S.BYTES;
}
export function entryCosts(): usize {
  return S.ENTRY_COSTS;
}
export function paramCounts(): usize {
  return S.PARAMS;
}
/** The per-function result regions, in the order the JavaScript side views them (kinds and tight flags: bytes). */
export function results(which: i32): usize {
  switch (which) {
    case 0: return S.OFFSETS;
    case 1: return S.KINDS;
    case 2: return S.COSTS;
    case 3: return S.LOOPS;
    case 4: return S.TIGHT;
    case 5: return S.UNRESOLVED_CALLEES;
    case 6: return S.BACK_LABELS;
    default: return S.COUNTED;
  }
}

/** The module's index spaces (CodeContext), for every scan until the next layout(). */
export function context(types: i32, functions: i32, tables: i32, globals: i32, elements: i32, data: i32, memory: i32,
  withEntryCosts: i32): void {
  S.typeCount = types;
  S.functionCount = functions;
  S.tableCount = tables;
  S.globalCount = globals;
  S.elementCount = elements;
  S.dataCount = data;
  S.hasMemory = memory != 0;
  S.hasEntryCosts = withEntryCosts != 0;
}

/** counted-loop.ts's limits: MAX_COUNTED_ITERATION_COST, MAX_COUNTED_BODY_BYTES, MIN_COUNTED_CONST_BOUND. */
export function countedLimits(maxCost: i32, maxBody: i32, minConstBound: i32): void {
  S.maxCountedCost = maxCost;
  S.maxCountedBody = maxBody;
  S.minCountedConstBound = minConstBound;
}

/** Scans the body whose code is bytes[start, end) (FunctionScanner.scan). Returns 1; bails by trapping. */
export function scan(start: i32, end: i32, localCount: i32, entryChecked: i32, countedBudget: i32): i32 {
  if (end - start + 8 > S.capacity) unreachable();
  D.pos = start;
  D.codeEnd = end;
  S.begin(entryChecked != 0, countedBudget);
  push(start, S.ENTRY, -1);
  S.pushFrame(FUNCTION);
  setFr(0, F_HEAD, 0);
  const ops = S.OPS;
  const types = S.typeCount;
  S.localCount = localCount;
  while (D.pos < end) {
    D.skipSimple();
    if (D.pos >= end) break;
    const at = D.pos;
    const code = D.byteAt(at);
    D.pos = at + 1;
    let row: u32;
    if (code == 0xfc) {
      const sub = D.readIndex();
      if (sub >= 32) unreachable();
      row = load<u32>(ops + (<usize>(256 + sub) << 2));
    } else row = load<u32>(ops + (<usize>code << 2));
    if ((row & ROW_SUPPORTED) == 0) unreachable();
    const imm = <i32>(row >>> 24);
    readImmediates(imm, types);
    if (S.live) S.dist += <i32>((row >>> 8) & 0xff);
    checkImmediates(imm);
    const ctl = <i32>((row >>> 16) & 0xff);
    const dynamic = <i32>((row >>> 1) & 3);
    if (dynamic != 0) dynamicCost(dynamic, at);
    else if (ctl != CTL_NONE) control(ctl, imm, at);
  }
  if (S.depth != 0) unreachable();
  S.finish();
  return 1;
}

/** A bulk memory or table instruction's dynamic cost is charged before it (and a grow's result checked after it). */
function dynamicCost(dynamic: i32, at: i32): void {
  S.needsScratch = true;
  if (!S.live) return;
  const loop = S.regionLoop();
  // DynamicBytes, DynamicPages, DynamicElements: PointKind 2, 3, 4.
  push(at, dynamic + 1, loop);
  if (dynamic == 2) push(D.pos, S.AFTER_GROW, loop);
  S.checked = true;
}

/** FunctionScanner.control, for the control instructions that reach here. */
function control(ctl: i32, imm: i32, at: i32): void {
  const straight = S.straight;
  if (ctl != CTL_BLOCK) S.straight = -1;
  switch (ctl) {
    case CTL_CALL:
      checkBeforeCall(at);
      S.hasCall = true;
      if (imm == IMM_FUNC) callDirect();
      markCalls();
      return;
    case CTL_BLOCK:
      S.pushFrame(S.BLOCK);
      return;
    case CTL_LOOP:
      openLoop(at);
      return;
    case CTL_IF:
      S.pushFrame(IF);
      return;
    case CTL_ELSE: {
      const f = S.depth - 1;
      if (fr(f, F_KIND) != IF || fr(f, F_HAS_ELSE) != 0) unreachable();
      setFr(f, F_HAS_ELSE, 1);
      if (S.live) arrive(f, S.head, S.dist, S.checked);
      S.live = fr(f, F_REACHABLE) == 1;
      S.checked = fr(f, F_ENTRY_CHECKED) == 1;
      S.head = fr(f, F_ENTRY_HEAD);
      S.dist = fr(f, F_ENTRY);
      return;
    }
    case CTL_END:
      endFrame(at);
      return;
    case CTL_BR: {
      const f = branch(D.index);
      if (S.live && fr(f, F_KIND) == LOOP) {
        S.loopBrAt = at;
        S.loopBrEnd = D.pos;
      }
      S.live = false;
      return;
    }
    case CTL_BR_IF: {
      const live = S.live;
      const f = branch(D.index);
      if (live && D.index == 0 && fr(f, F_KIND) == LOOP) {
        S.loopBrIfEnd = D.pos;
        S.loopBrIfAt = at;
      }
      return;
    }
    case CTL_BR_TABLE:
      if (straight >= 0 && straight == S.head && S.live) dispatchLoop(at);
      for (let i = 0; i < D.labelCount; i++) {
        const f = branch(load<i32>(slot(S.LABELS, i)));
        if (S.live) setFr(f, F_SPLIT, 1);
      }
      S.live = false;
      return;
    case CTL_RETURN_CALL:
      checkBeforeCall(at);
      S.hasCall = true;
      if (imm == IMM_FUNC) callDirect();
      exit();
      return;
    case CTL_RETURN:
    case CTL_UNREACHABLE:
      exit();
      return;
    default:
      unreachable();
  }
}

/** FunctionScanner.endFrame, without the exception-handling parts (no try frame ever opens here). */
function endFrame(at: i32): void {
  const f = S.depth - 1;
  const kind = fr(f, F_KIND);
  if (kind == FUNCTION) {
    if (D.pos != D.codeEnd) unreachable();
    if (S.live) arrive(0, S.head, S.dist, S.checked);
    const joinHead = fr(0, F_JOIN_HEAD);
    if (joinHead >= 0) end(joinHead, fr(0, F_JOIN));
    S.depth = 0;
    if (S.joinCount > 0) foldJoins();
    return;
  }
  S.depth--;
  if (kind == LOOP) {
    closeLoop(f, at);
    return;
  }
  if (S.live) arrive(f, S.head, S.dist, S.checked);
  // An `if` without `else` also arrives at its end when the condition is false.
  if (kind == IF && fr(f, F_HAS_ELSE) == 0 && fr(f, F_REACHABLE) == 1) {
    arrive(f, fr(f, F_ENTRY_HEAD), fr(f, F_ENTRY), fr(f, F_ENTRY_CHECKED) == 1);
  }
  const joined = fr(f, F_JOIN_HEAD);
  S.live = joined != NONE;
  S.checked = fr(f, F_CHECKED) == 1;
  if (joined == MIXED || (joined >= 0 && fr(f, F_SPLIT) != 0)) {
    if (joined >= 0) end(joined, fr(f, F_JOIN));
    S.head = push(D.pos, S.SPLIT, S.regionLoop());
    // A join no br_table targets: the regions reaching it pay for the one after it (foldJoins).
    if (joined == MIXED && fr(f, F_SPLIT) == 0) store<i32>(slot(S.JOIN_POINTS, fr(f, F_JOIN_ID)), S.head);
    S.dist = fr(f, F_BONUS);
  } else if (joined >= 0) {
    S.head = joined;
    S.dist = fr(f, F_JOIN);
  }
}
