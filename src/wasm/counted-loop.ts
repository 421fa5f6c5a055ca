// Counted loops: a loop whose only back edge steps a counter by a constant, compared with a bound
// the loop never writes: a final `br_if 0` (LLVM's rotated loops: memset, memcpy), or a `br` at the
// end of an `if` on the bound at the top (AssemblyScript's `for`). How many times it runs is known
// when it starts, so it is charged for all its iterations there, with one check, instead of a
// charge and a check on every iteration (docs/limits.md, "Counted loops").
import { newOperands, readOpcode, readOperands } from "./instruction.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_NE = 0x47;
const I32_AND = 0x71;
const I32_LT_S = 0x48;
const I32_LT_U = 0x49;
const LOCAL_SET = 0x21;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const TRY = 0x06;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const BR_TABLE = 0x0e;
const DELEGATE = 0x18;
const TRY_TABLE = 0x1f;
const BLOCK_EMPTY = 0x40;
const I64_EXTEND_I32_S = 0xac;
const I32_GT_U = 0x4b;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_OR = 0x72;
const I32_GE_U = 0x4f;
const I64_CONST = 0x42;
const I64_ADD = 0x7c;
const I64_SUB = 0x7d;
const I64_MUL = 0x7e;
const I64_SHR_U = 0x88;
const I64_EXTEND_I32_U = 0xad;
const SELECT = 0x1b;

/** Per-iteration charges above this are charged per iteration: trips × cost must stay far from i64 overflow. */
export const MAX_COUNTED_ITERATION_COST = 1 << 20;
/**
 * Loop bodies longer than this are charged per iteration: recognising one decodes its body again
 * (at most the module's size in all, FunctionScanner's budget). The loops that gain are the short
 * ones, where a charge per iteration costs the most.
 */
export const MAX_COUNTED_BODY_BYTES = 1024;
/**
 * Loops bounded by a constant at most this are charged per iteration: they run a few iterations
 * (nbody's `j < 5`), where computing the count up front costs more than the charges it saves.
 */
export const MIN_COUNTED_CONST_BOUND = 8;

/**
 * Rotated: `counter += step` then continue while `counter != bound` (step ±1) or `counter <u bound`
 * (step 1, 2, 4 or 8). Top-tested: run the body while `counter < bound` (signed or not), then
 * `counter += 1`.
 */
export interface CountedLoop {
  counter: number;
  /** The local holding the bound, or -1 when the bound is `boundConst`. */
  boundLocal: number;
  boundConst: number;
  step: number;
  unsignedLess: boolean;
  topTested: boolean;
  signed: boolean;
}

function newCountedLoop(): CountedLoop {
  return { counter: -1, boundLocal: -1, boundConst: 0, step: 0, unsignedLess: false, topTested: false, signed: false };
}

// Scratch for matchCountedLoop: each instruction's start, opcode (-1 if prefixed), and the local it writes (or -1).
const starts = new Int32Array(MAX_COUNTED_BODY_BYTES + 1);
const codes = new Int32Array(MAX_COUNTED_BODY_BYTES + 1);
const writes = new Int32Array(MAX_COUNTED_BODY_BYTES + 1);
const operands = newOperands();

/**
 * The counted loop whose body is bytes[bodyStart, backAt) followed by its only back edge at backAt
 * (code the scanner has already validated), or null. Rotated (`topTested` false): the back edge is
 * the `br_if 0` right before the loop's `end`, and the body ends in a counted-loop tail
 * (matchCountedTail). Top-tested: the back edge is a `br 1` right before the `end` of an `if` that
 * starts the body (matchTopTested). Either way the body writes the counter only in its step and the
 * bound nowhere.
 */
export function matchCountedLoop(bytes: Uint8Array, bodyStart: number, backAt: number, topTested: boolean): CountedLoop | null {
  if (backAt - bodyStart > MAX_COUNTED_BODY_BYTES) return null;
  const r = new Reader(bytes, bodyStart, backAt);
  let count = 0;
  while (r.pos < backAt) {
    starts[count] = r.pos;
    const op = readOpcode(r);
    readOperands(r, op, operands, false);
    codes[count] = op.prefix === 0 ? op.code : -1;
    writes[count++] = op.prefix === 0 && (op.code === LOCAL_SET || op.code === LOCAL_TEE) ? operands.index : -1;
  }
  const loop = newCountedLoop();
  if (topTested) return matchTopTested(bytes, count, backAt, loop) && writesOnlyStep(loop, count, count - 1) && worthCounting(loop) ? loop : null;
  // The tails are 6 instructions long, or 4 when counting down to 0.
  for (const length of [6, 4]) {
    const first = count - length;
    if (first < 0 || !matchCountedTail(bytes, starts[first], backAt, loop)) continue;
    return writesOnlyStep(loop, count, first) && worthCounting(loop) ? loop : null;
  }
  return null;
}

function worthCounting(loop: CountedLoop): boolean {
  // Counting down to 0 compares with the constant 0 but runs as often as its counter says.
  const countsDown = !loop.topTested && loop.step === -1 && loop.boundLocal < 0 && loop.boundConst === 0;
  return loop.boundLocal >= 0 || countsDown || loop.boundConst < 0 || loop.boundConst > MIN_COUNTED_CONST_BOUND;
}

/**
 * A byte-level look at the loop's ends that rules out most loops before matchCountedLoop decodes
 * their body again: the rotated tail ends in a comparison or a `local.tee` (1- or 2-byte index),
 * the top-tested body starts with a `local.get` and its step ends in a `local.set`.
 */
export function mayBeCounted(bytes: Uint8Array, bodyStart: number, backAt: number, topTested: boolean): boolean {
  if (topTested) return bytes[bodyStart] === LOCAL_GET && (bytes[backAt - 2] === LOCAL_SET || bytes[backAt - 3] === LOCAL_SET);
  const last = bytes[backAt - 1];
  return last === I32_NE || last === I32_LT_U || last === I32_GT_U || bytes[backAt - 2] === LOCAL_TEE || bytes[backAt - 3] === LOCAL_TEE;
}

/** No instruction before `step` writes the counter, and none writes the bound. */
function writesOnlyStep(loop: CountedLoop, count: number, step: number): boolean {
  for (let k = 0; k < count; k++) {
    const written = writes[k];
    if (written >= 0 && ((written === loop.counter && k < step) || written === loop.boundLocal)) return false;
  }
  return true;
}

/**
 * The decoded body is `local.get i; (local.get n | i32.const N); (i32.lt_s | i32.lt_u); if` (no
 * result, no `else`) whose arm ends in `local.get i; i32.const 1; i32.add; local.set i`, then the
 * back edge at `end`.
 */
function matchTopTested(bytes: Uint8Array, count: number, end: number, out: CountedLoop): boolean {
  if (count < 8) return false;
  const r = new Reader(bytes, starts[0], starts[4]);
  out.counter = readLocal(r, LOCAL_GET);
  if (out.counter < 0 || !readBound(r, out) || r.pos >= r.end) return false;
  const compare = r.u8();
  if ((compare !== I32_LT_S && compare !== I32_LT_U) || r.pos + 2 !== r.end || r.u8() !== IF || r.u8() !== BLOCK_EMPTY) return false;
  // The if's arm holds everything up to the step: frames inside it close before it, no `else` of its own.
  let depth = 0;
  for (let k = 4; k < count - 4; k++) {
    const code = codes[k];
    if (code === BLOCK || code === LOOP || code === IF || code === TRY || code === TRY_TABLE) depth++;
    else if (code === END || code === DELEGATE) depth--;
    else if (code === ELSE && depth === 0) return false;
    // A branch to the `if` (label `depth` here) leaves the loop through its end without running the rest of its
    // iterations, and one further out leaves or re-enters it: either way the loop does not run all its iterations.
    else if ((code === BR || code === BR_IF || code === BR_TABLE) && maxLabel(bytes, starts[k]!, code) >= depth) return false;
    if (depth < 0) return false;
  }
  if (depth !== 0) return false;
  const t = new Reader(bytes, starts[count - 4], end);
  if (readLocal(t, LOCAL_GET) !== out.counter || t.pos >= end || t.u8() !== I32_CONST || t.s32() !== 1) return false;
  if (t.pos >= end || t.u8() !== I32_ADD || readLocal(t, LOCAL_SET) !== out.counter || t.pos !== end) return false;
  out.step = 1;
  out.topTested = true;
  out.signed = compare === I32_LT_S;
  out.unsignedLess = !out.signed;
  return out.counter !== out.boundLocal;
}

/** The largest label a `br`, `br_if` or `br_table` at `at` names. */
function maxLabel(bytes: Uint8Array, at: number, code: number): number {
  const r = new Reader(bytes, at + 1);
  if (code !== BR_TABLE) return r.u32();
  let max = 0;
  for (let n = r.u32() + 1; n > 0; n--) max = Math.max(max, r.u32());
  return max;
}

function readLocal(r: Reader, op: number): number {
  return r.pos < r.end && r.u8() === op ? r.u32() : -1;
}

/** Reads `local.get n` or `i32.const N` into `out`'s bound; false if neither is next. */
function readBound(r: Reader, out: CountedLoop): boolean {
  if (r.pos >= r.end) return false;
  const op = r.u8();
  if (op === LOCAL_GET) out.boundLocal = r.u32();
  else if (op === I32_CONST) out.boundConst = r.s32();
  else return false;
  return true;
}

/** Reads `local.get i; i32.const K; i32.add; local.tee i` into `out`'s counter and step. */
function readStep(r: Reader, out: CountedLoop): boolean {
  const counter = readLocal(r, LOCAL_GET);
  if (counter < 0 || r.pos >= r.end || r.u8() !== I32_CONST) return false;
  out.step = r.s32();
  if (r.pos >= r.end || r.u8() !== I32_ADD || readLocal(r, LOCAL_TEE) !== counter) return false;
  out.counter = counter;
  return true;
}

/**
 * Whether the instructions in bytes[start, end) (instruction boundaries: `start` is where one
 * begins, `end` is the loop's final `br_if 0`) are one of the counted-loop tails:
 *   local.get i; i32.const K; i32.add; local.tee i; (local.get n | i32.const N); (i32.ne | i32.lt_u)
 *   local.get n; local.get i; i32.const K; i32.add; local.tee i; (i32.ne | i32.gt_u)
 *   local.get i; i32.const -1; i32.add; local.tee i            (count down to 0)
 * Fills `out` on a match. Only steps whose trip count has a closed form are accepted.
 */
function matchCountedTail(bytes: Uint8Array, start: number, end: number, out: CountedLoop): boolean {
  const r = new Reader(bytes, start, end);
  out.boundLocal = -1;
  out.boundConst = 0;
  let compare: number;
  if (readStep(r, out)) {
    if (r.pos === end) {
      if (out.step !== -1) return false;
      compare = I32_NE; // br_if on the decremented counter: continue while it is not 0
    } else {
      if (!readBound(r, out) || r.pos >= end) return false;
      compare = r.u8();
      if (compare !== I32_NE && compare !== I32_LT_U) return false;
    }
  } else {
    r.pos = start;
    if (!readBound(r, out) || out.boundLocal < 0 || !readStep(r, out) || r.pos >= end) return false;
    compare = r.u8();
    if (compare === I32_GT_U) compare = I32_LT_U; // n >u i + K is i + K <u n
    else if (compare !== I32_NE) return false;
  }
  if (r.pos !== end || out.counter === out.boundLocal) return false;
  out.unsignedLess = compare === I32_LT_U;
  return out.unsignedLess ? out.step === 1 || out.step === 2 || out.step === 4 || out.step === 8 : out.step === 1 || out.step === -1;
}

function bound(w: Writer, loop: CountedLoop): void {
  if (loop.boundLocal >= 0) w.u8(LOCAL_GET).u32(loop.boundLocal);
  else w.u8(I32_CONST).s32(loop.boundConst);
}

/**
 * Emits, with the current fuel already on the stack, the fuel left after `cost` for each of the
 * loop's iterations (i = counter, n = bound, both as at the loop's start, unsigned 32-bit):
 * - `!=`, step +1 or -1: d = n - i (or i - n) mod 2^32; (d - 1 mod 2^32) + 1 iterations, exactly;
 * - `<u`, step K (1, 2, 4 or 8): ceil((n - i mod 2^32) / K) iterations if i < n or if the first step
 *   wraps i past 2^32 (i >= 2^32 - K; LLVM starts some loops at -K), else 1; exact while n < 2^32 - K,
 *   where no later step can wrap. Otherwise the loop might never end, and the fuel becomes -1 (out
 *   of fuel at the check that follows). Step 1 cannot step over a bound, so it is exact for every n
 *   but i = n = 2^32 - 1 (2^32 iterations, counted as 0): that one alone becomes -1.
 */
export function emitCountedCharge(w: Writer, loop: CountedLoop, cost: number): void {
  const i = loop.counter;
  const k = loop.step;
  if (loop.topTested) {
    emitTopTestedCount(w, loop);
    w.u8(I64_CONST).s32(cost).u8(I64_MUL).u8(I64_SUB);
    return;
  }
  if (!loop.unsignedLess) {
    if (k === 1) bound(w, loop);
    w.u8(LOCAL_GET).u32(i);
    if (k === -1) bound(w, loop);
    w.u8(I32_SUB).u8(I32_CONST).s32(-1).u8(I32_ADD).u8(I64_EXTEND_I32_U).u8(I64_CONST).u8(1).u8(I64_ADD);
    w.u8(I64_CONST).s32(cost).u8(I64_MUL).u8(I64_SUB);
    return;
  }
  bound(w, loop);
  w.u8(LOCAL_GET).u32(i).u8(I32_SUB).u8(I64_EXTEND_I32_U);
  if (k > 1) w.u8(I64_CONST).u8(k - 1).u8(I64_ADD).u8(I64_CONST).u8(31 - Math.clz32(k)).u8(I64_SHR_U);
  w.u8(I64_CONST).u8(1);
  w.u8(LOCAL_GET).u32(i);
  bound(w, loop);
  w.u8(I32_LT_U).u8(LOCAL_GET).u32(i).u8(I32_CONST).s32(-k).u8(I32_GE_U).u8(I32_OR).u8(SELECT);
  w.u8(I64_CONST).s32(cost).u8(I64_MUL).u8(I64_SUB);
  w.u8(I64_CONST).u8(0x7f); // -1
  if (k === 1) {
    // Step 1 stops at any bound it reaches without wrapping; only i = n = 2^32 - 1 runs 2^32 times (the first step
    // wraps to 0), which the count above gives as 0.
    w.u8(LOCAL_GET).u32(i);
    bound(w, loop);
    w.u8(I32_AND).u8(I32_CONST).s32(-1).u8(I32_NE).u8(SELECT);
    return;
  }
  bound(w, loop);
  w.u8(I32_CONST).s32(-k).u8(I32_LT_U).u8(SELECT);
}

/**
 * A top-tested loop's header runs once per iteration and once more to leave: n - i + 1 times if
 * i < n (signed or unsigned, as the loop compares), else once. Exactly what charging the header
 * each time it runs would take.
 */
function emitTopTestedCount(w: Writer, loop: CountedLoop): void {
  const extend = loop.signed ? I64_EXTEND_I32_S : I64_EXTEND_I32_U;
  bound(w, loop);
  w.u8(extend).u8(LOCAL_GET).u32(loop.counter).u8(extend).u8(I64_SUB).u8(I64_CONST).u8(0);
  w.u8(LOCAL_GET).u32(loop.counter);
  bound(w, loop);
  w.u8(loop.signed ? I32_LT_S : I32_LT_U).u8(SELECT).u8(I64_CONST).u8(1).u8(I64_ADD);
}
