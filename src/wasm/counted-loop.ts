// Counted loops: a loop whose only back edge is a final `br_if 0` on a counter stepped by a
// constant and compared with a bound the loop never writes (LLVM's rotated loops: memset, memcpy,
// hash rounds). How many times it runs is known when it starts, so it is charged for all its
// iterations there, with one check, instead of a charge and a check on every iteration
// (docs/limits.md, "Counted loops").
import { newOperands, readOpcode, readOperands } from "./instruction.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

const LOCAL_GET = 0x20;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_NE = 0x47;
const I32_LT_U = 0x49;
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
 * Loop bodies longer than this are charged per iteration: recognising one decodes its body again,
 * and the bound keeps that work at most this much per loop (nested loops included) for any input.
 * The loops that gain are the short ones, where a charge per iteration costs the most.
 */
export const MAX_COUNTED_BODY_BYTES = 256;
const LOCAL_SET = 0x21;

/** `counter += step` then continue while `counter != bound` (step ±1) or `counter <u bound` (step 1, 2, 4 or 8). */
export interface CountedLoop {
  counter: number;
  /** The local holding the bound, or -1 when the bound is `boundConst`. */
  boundLocal: number;
  boundConst: number;
  step: number;
  unsignedLess: boolean;
}

function newCountedLoop(): CountedLoop {
  return { counter: -1, boundLocal: -1, boundConst: 0, step: 0, unsignedLess: false };
}

// Scratch for matchCountedLoop: each instruction's start, and the local it writes (or -1).
const starts = new Int32Array(MAX_COUNTED_BODY_BYTES + 1);
const writes = new Int32Array(MAX_COUNTED_BODY_BYTES + 1);
const operands = newOperands();

/**
 * The counted loop whose body is bytes[bodyStart, brIfAt) followed by its only back edge, the
 * `br_if 0` at brIfAt right before the loop's `end` (code the scanner has already validated), or
 * null: the body must end in a counted-loop tail (matchCountedTail) and write neither the counter
 * (before the tail) nor the bound anywhere.
 */
export function matchCountedLoop(bytes: Uint8Array, bodyStart: number, brIfAt: number): CountedLoop | null {
  if (brIfAt - bodyStart > MAX_COUNTED_BODY_BYTES) return null;
  const r = new Reader(bytes, bodyStart, brIfAt);
  let count = 0;
  while (r.pos < brIfAt) {
    starts[count] = r.pos;
    const op = readOpcode(r);
    readOperands(r, op, operands, false);
    writes[count++] = op.prefix === 0 && (op.code === LOCAL_SET || op.code === LOCAL_TEE) ? operands.index : -1;
  }
  const loop = newCountedLoop();
  // The tails are 6 instructions long, or 4 when counting down to 0.
  for (const length of [6, 4]) {
    const first = count - length;
    if (first < 0 || !matchCountedTail(bytes, starts[first], brIfAt, loop)) continue;
    for (let k = 0; k < count; k++) {
      const written = writes[k];
      if (written >= 0 && ((written === loop.counter && k < first) || written === loop.boundLocal)) return null;
    }
    return loop;
  }
  return null;
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
 *   of fuel at the check that follows).
 */
export function emitCountedCharge(w: Writer, loop: CountedLoop, cost: number): void {
  const i = loop.counter;
  const k = loop.step;
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
  bound(w, loop);
  w.u8(I32_CONST).s32(-k).u8(I32_LT_U).u8(SELECT);
}
