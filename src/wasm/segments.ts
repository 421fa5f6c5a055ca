// Constant expressions and element and data segments, as the decoder reads them: with every
// structural check and exact offsets, and (for data) a way to check segments without keeping them.
import { UnsupportedFeatureError } from "./errors.ts";
import { newOperands, readOpcode, readOperands, readValType } from "./instruction.ts";
import { Ctl, ImmId } from "./opcodes.ts";
import type { Reader } from "./reader.ts";
import { type ConstExpr, type DataSegment, type ElementSegment, isRefType, ValType } from "./types.ts";

/** Index spaces known so far while decoding, for range checks with exact offsets. */
export interface Spaces {
  types: number;
  functions: number;
  tables: number;
  globals: number;
  tags: number;
  memories: number;
}

/**
 * Reads a constant expression up to and including its `end`, returning its bytes. The
 * instructions are decoded (so lengths are right) and their indices range-checked; type
 * validity is left to V8.
 */
export function readConstExpr(r: Reader, spaces: Spaces): ConstExpr {
  const start = r.pos;
  skipConstExpr(r, spaces);
  return r.bytes.subarray(start, r.pos);
}

/** Moves past a constant expression with readConstExpr's checks, keeping nothing. */
function skipConstExpr(r: Reader, spaces: Spaces): void {
  const start = r.pos;
  // Fast path for the usual segment offset, `i32.const n end` (thousands of data segments in a
  // large module): the generic loop below costs an opcode lookup and an operand decode per byte
  // group, which dominates decoding while the process is still cold.
  if (start < r.end && r.bytes[start] === 0x41) {
    r.pos = start + 1;
    r.s32();
    if (r.pos < r.end && r.bytes[r.pos] === 0x0b) {
      r.pos++;
      return;
    }
    r.pos = start;
  }
  const operands = constOperands;
  let depth = 0;
  for (;;) {
    const at = r.pos;
    const op = readOpcode(r);
    readOperands(r, op, operands, false);
    if (op.immId === ImmId.Global && operands.index >= spaces.globals) r.fail(`${op.name} refers to unknown global ${operands.index}`, at);
    if (op.immId === ImmId.Func && operands.index >= spaces.functions) r.fail(`${op.name} refers to unknown function ${operands.index}`, at);
    if (op.ctl === Ctl.End) {
      if (depth === 0) return;
      depth--;
    } else if (op.ctl === Ctl.Block || op.ctl === Ctl.Loop || op.ctl === Ctl.If || op.ctl === Ctl.Try || op.ctl === Ctl.TryTable) {
      depth++;
    }
  }
}

/** Scratch immediates for readConstExpr: an element segment can hold a million expressions. */
const constOperands = newOperands();

export function readIndex(r: Reader, limit: number, what: string): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= limit) r.fail(`${what} ${index} does not exist`, at);
  return index;
}

export function readElementSegment(r: Reader, spaces: Spaces): ElementSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) r.fail(`invalid element segment flags ${flags}`, at);
  const seg: ElementSegment = { flags, tableIndex: 0, offset: null, elemType: ValType.funcref, funcIndices: null, exprs: null };
  const active = (flags & 1) === 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  if (active) {
    if (explicitTable) seg.tableIndex = r.u32();
    if (seg.tableIndex >= spaces.tables) r.fail(`element segment targets unknown table ${seg.tableIndex}`, at);
    seg.offset = readConstExpr(r, spaces);
  }
  if (!active || explicitTable) {
    if (usesExprs) {
      const typeAt = r.pos;
      seg.elemType = readValType(r);
      if (!isRefType(seg.elemType)) r.fail("element type must be a reference type", typeAt);
    } else {
      const kindAt = r.pos;
      if (r.u8() !== 0) r.fail("element kind must be 0 (funcref)", kindAt);
    }
  }
  const n = r.count(1);
  if (usesExprs) {
    seg.exprs = [];
    for (let i = 0; i < n; i++) seg.exprs.push(readConstExpr(r, spaces));
  } else {
    seg.funcIndices = [];
    for (let i = 0; i < n; i++) seg.funcIndices.push(readIndex(r, spaces.functions, "element segment function"));
  }
  return seg;
}

/** Reads a data segment, or with `keep` false only moves past it with the same checks (returning null). */
export function readDataSegment(r: Reader, spaces: Spaces, keep: boolean): DataSegment | null {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 2) r.fail(`invalid data segment flags ${flags}`, at);
  let memoryIndex = 0;
  let offset: ConstExpr | null = null;
  if (flags === 2) {
    const memAt = r.pos;
    memoryIndex = r.u32();
    if (memoryIndex !== 0) throw new UnsupportedFeatureError("multi-memory", memAt);
  }
  if (flags !== 1) {
    if (spaces.memories === 0) r.fail("active data segment but the module has no memory", at);
    const start = r.pos;
    skipConstExpr(r, spaces);
    if (keep) offset = r.bytes.subarray(start, r.pos);
  }
  const len = r.u32();
  if (!keep) {
    r.skip(len);
    return null;
  }
  return { flags, memoryIndex, offset, bytes: r.take(len) };
}

/**
 * Moves past `n` data segments with readDataSegment's checks, keeping nothing. The usual segment —
 * active in memory 0 at `i32.const` offset, LEB128s of at most 4 bytes (which cannot overflow 32
 * bits) — is checked inline: this loop runs while the process is cold, where every call costs.
 */
export function skipDataSegments(r: Reader, n: number, spaces: Spaces): void {
  const bytes = r.bytes;
  const end = r.end;
  const hasMemory = spaces.memories > 0;
  for (let i = 0; i < n; i++) {
    let p = r.pos;
    if (hasMemory && p + 1 < end && bytes[p] === 0 && bytes[p + 1] === 0x41) {
      p += 2;
      const offsetAt = p;
      while (p < end && p - offsetAt < 4 && bytes[p] & 0x80) p++;
      if (p < end && p - offsetAt < 4 && p + 1 < end && bytes[p + 1] === 0x0b) {
        p += 2;
        const lengthAt = p;
        let length = 0;
        let shift = 0;
        while (p < end && p - lengthAt < 4) {
          const b = bytes[p++];
          // At most 4 bytes (28 bits): shifts stay small integers, which a cold process never boxes.
          length |= (b & 0x7f) << shift;
          shift += 7;
          if ((b & 0x80) === 0) {
            shift = -1;
            break;
          }
        }
        if (shift === -1 && length <= end - p) {
          r.pos = p + length;
          continue;
        }
      }
    }
    readDataSegment(r, spaces, false);
  }
}
