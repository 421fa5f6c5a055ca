// Counted-loop recognition (the reference: matchCountedLoop and its helpers in src/wasm/counted-loop.ts, function by
// function). The loop's body has been scanned here already, so every instruction in it decodes; the shape found is
// kept in the counted region for the JavaScript side, which makes it a CountedLoop.
import * as D from "./decode";
import * as S from "./state";
import { capacity, slot } from "./state";

const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_NE = 0x47;
const I32_LT_S = 0x48;
const I32_LT_U = 0x49;
const I32_GT_U = 0x4b;
const I32_ADD = 0x6a;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const BLOCK_EMPTY = 0x40;

/** One instruction per byte at most: the longest body recognition decodes (MAX_COUNTED_BODY_BYTES), and one. */
export const MAX_INSTRUCTIONS = 1025;
/** Counted region fields per loop: PreLoop point, counter, bound local, bound constant, step, flags. */
export const COUNTED_FIELDS = 6;
export const FLAG_UNSIGNED_LESS = 1;
export const FLAG_TOP_TESTED = 2;
export const FLAG_SIGNED = 4;


// The CountedLoop being matched.
let counter = -1;
let boundLocal = -1;
let boundConst = 0;
let step = 0;
let unsignedLess = false;
let topTested = false;
let signed = false;

// A reader over bytes[rpos, rend) (Reader, for the few reads the matchers make). Overruns trap; the scanned body
// never has them.
let rpos = 0;
let rend = 0;

function byte(): i32 {
  if (rpos >= rend) unreachable();
  return D.byteAt(rpos++);
}

function leb(): i32 {
  const save = D.pos;
  const saveEnd = D.codeEnd;
  D.pos = rpos;
  D.codeEnd = rend;
  const v = <i32>D.readU32();
  rpos = D.pos;
  D.pos = save;
  D.codeEnd = saveEnd;
  return v;
}

function sleb(): i32 {
  const save = D.pos;
  const saveEnd = D.codeEnd;
  D.pos = rpos;
  D.codeEnd = rend;
  const v = D.readS32();
  rpos = D.pos;
  D.pos = save;
  D.codeEnd = saveEnd;
  return v;
}

// Scratch for one body (state.ts COUNTED_SCRATCH): each instruction's start, opcode (-1 if prefixed), and the local
// it writes (or -1), MAX_INSTRUCTIONS each.
@inline function starts(k: i32): i32 {
  return load<i32>(slot(S.COUNTED_SCRATCH, k));
}

@inline function codes(k: i32): i32 {
  return load<i32>(slot(S.COUNTED_SCRATCH, MAX_INSTRUCTIONS + k));
}

@inline function writes(k: i32): i32 {
  return load<i32>(slot(S.COUNTED_SCRATCH, 2 * MAX_INSTRUCTIONS + k));
}

/** matchCountedLoop: true (and the shape kept for point `pre`) if the loop is counted. */
export function matchCountedLoop(pre: i32, bodyStart: i32, backAt: i32, top: bool): bool {
  if (backAt - bodyStart > S.maxCountedBody) return false;
  const count = decodeBody(bodyStart, backAt);
  counter = -1;
  boundLocal = -1;
  boundConst = 0;
  step = 0;
  unsignedLess = topTested = signed = false;
  let matched = false;
  if (top) matched = matchTopTested(count, backAt) && writesOnlyStep(count, count - 1) && worthCounting();
  else {
    // The tails are 6 instructions long, or 4 when counting down to 0.
    for (let length = 6; length >= 4; length -= 2) {
      const first = count - length;
      if (first < 0 || !matchCountedTail(starts(first), backAt)) continue;
      matched = writesOnlyStep(count, first) && worthCounting();
      break;
    }
  }
  if (matched) keep(pre);
  return matched;
}

/** Decodes bytes[bodyStart, backAt) into the scratch arrays; the scan's position and immediates are left as they were. */
function decodeBody(bodyStart: i32, backAt: i32): i32 {
  const savePos = D.pos;
  const saveEnd = D.codeEnd;
  const saveIndex = D.index;
  const saveIndex2 = D.index2;
  const saveBlockType = D.blockType;
  const saveLabels = D.labelCount;
  D.pos = bodyStart;
  D.codeEnd = backAt;
  let count = 0;
  while (D.pos < backAt) {
    if (count >= MAX_INSTRUCTIONS) unreachable();
    store<i32>(slot(S.COUNTED_SCRATCH, count), D.pos);
    const code = D.readU8();
    let row: u32;
    if (code == 0xfc) row = load<u32>(S.OPS + (<usize>(256 + D.readIndex()) << 2));
    else row = load<u32>(S.OPS + (<usize>code << 2));
    if ((row & 1) == 0) unreachable();
    D.readImmediates(<i32>(row >>> 24), S.typeCount);
    store<i32>(slot(S.COUNTED_SCRATCH, MAX_INSTRUCTIONS + count), code == 0xfc ? -1 : code);
    store<i32>(slot(S.COUNTED_SCRATCH, 2 * MAX_INSTRUCTIONS + count), code == LOCAL_SET || code == LOCAL_TEE ? D.index : -1);
    count++;
  }
  D.pos = savePos;
  D.codeEnd = saveEnd;
  D.index = saveIndex;
  D.index2 = saveIndex2;
  D.blockType = saveBlockType;
  D.labelCount = saveLabels;
  return count;
}

function keep(pre: i32): void {
  if (S.countedCount >= capacity) unreachable();
  const at = S.countedCount++ * COUNTED_FIELDS;
  store<i32>(slot(S.COUNTED, at), pre);
  store<i32>(slot(S.COUNTED, at + 1), counter);
  store<i32>(slot(S.COUNTED, at + 2), boundLocal);
  store<i32>(slot(S.COUNTED, at + 3), boundConst);
  store<i32>(slot(S.COUNTED, at + 4), step);
  store<i32>(slot(S.COUNTED, at + 5), (unsignedLess ? FLAG_UNSIGNED_LESS : 0) | (topTested ? FLAG_TOP_TESTED : 0) | (signed ? FLAG_SIGNED : 0));
}

function worthCounting(): bool {
  // Counting down to 0 compares with the constant 0 but runs as often as its counter says.
  const countsDown = !topTested && step == -1 && boundLocal < 0 && boundConst == 0;
  return boundLocal >= 0 || countsDown || boundConst < 0 || boundConst > S.minCountedConstBound;
}

/** No instruction before `first` writes the counter, and none writes the bound. */
function writesOnlyStep(count: i32, first: i32): bool {
  for (let k = 0; k < count; k++) {
    const written = writes(k);
    if (written >= 0 && ((written == counter && k < first) || written == boundLocal)) return false;
  }
  return true;
}

function matchTopTested(count: i32, end: i32): bool {
  if (count < 8) return false;
  rpos = starts(0);
  rend = starts(4);
  counter = readLocal(LOCAL_GET);
  if (counter < 0 || !readBound() || rpos >= rend) return false;
  const compare = byte();
  if ((compare != I32_LT_S && compare != I32_LT_U) || rpos + 2 != rend || byte() != IF || byte() != BLOCK_EMPTY) return false;
  // The if's arm holds everything up to the step: frames inside it close before it, no `else` of its own.
  let depth = 0;
  for (let k = 4; k < count - 4; k++) {
    const code = codes(k);
    if (code == BLOCK || code == LOOP || code == IF) depth++;
    else if (code == END) depth--;
    else if (code == ELSE && depth == 0) return false;
    else if ((code == BR || code == BR_IF || code == BR_TABLE) && maxLabel(starts(k), code) >= depth) return false;
    if (depth < 0) return false;
  }
  if (depth != 0) return false;
  rpos = starts(count - 4);
  rend = end;
  if (readLocal(LOCAL_GET) != counter || rpos >= end || byte() != I32_CONST || sleb() != 1) return false;
  if (rpos >= end || byte() != I32_ADD || readLocal(LOCAL_SET) != counter || rpos != end) return false;
  step = 1;
  topTested = true;
  signed = compare == I32_LT_S;
  unsignedLess = !signed;
  return counter != boundLocal;
}

/** The largest label a `br`, `br_if` or `br_table` at `at` names. */
function maxLabel(at: i32, code: i32): i32 {
  const saveStart = rpos;
  const saveEnd = rend;
  rpos = at + 1;
  rend = S.moduleLength;
  let largest = 0;
  if (code != BR_TABLE) largest = leb();
  else {
    for (let n = leb() + 1; n > 0; n--) {
      const label = leb();
      if (label > largest) largest = label;
    }
  }
  rpos = saveStart;
  rend = saveEnd;
  return largest;
}

function readLocal(op: i32): i32 {
  return rpos < rend && byte() == op ? leb() : -1;
}

function readBound(): bool {
  if (rpos >= rend) return false;
  const op = byte();
  if (op == LOCAL_GET) boundLocal = leb();
  else if (op == I32_CONST) boundConst = sleb();
  else return false;
  return true;
}

function readStep(): bool {
  const c = readLocal(LOCAL_GET);
  if (c < 0 || rpos >= rend || byte() != I32_CONST) return false;
  step = sleb();
  if (rpos >= rend || byte() != I32_ADD || readLocal(LOCAL_TEE) != c) return false;
  counter = c;
  return true;
}

function matchCountedTail(start: i32, end: i32): bool {
  rpos = start;
  rend = end;
  boundLocal = -1;
  boundConst = 0;
  let compare: i32;
  if (readStep()) {
    if (rpos == end) {
      if (step != -1) return false;
      compare = I32_NE; // br_if on the decremented counter: continue while it is not 0
    } else {
      if (!readBound() || rpos >= end) return false;
      compare = byte();
      if (compare != I32_NE && compare != I32_LT_U) return false;
    }
  } else {
    rpos = start;
    if (!readBound() || boundLocal < 0 || !readStep() || rpos >= end) return false;
    compare = byte();
    if (compare == I32_GT_U) compare = I32_LT_U; // n >u i + K is i + K <u n
    else if (compare != I32_NE) return false;
  }
  if (rpos != end || counter == boundLocal) return false;
  unsignedLess = compare == I32_LT_U;
  return unsignedLess ? step == 1 || step == 2 || step == 4 || step == 8 : step == 1 || step == -1;
}
