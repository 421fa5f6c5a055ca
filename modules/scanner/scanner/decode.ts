// Reading a function body's bytes (the reference: src/wasm/reader.ts and instruction.ts). Every read stays inside the
// body and accepts exactly the encodings the TypeScript reader accepts; anything else (or anything this scanner does
// not decode) traps, and the TypeScript scanner takes the function over.
import * as S from "./state";
import { BYTES, capacity, LABELS, slot } from "./state";

/** Where the next byte is read, and the body's end (absolute offsets in the module's bytes). */
export let pos: i32 = 0;
export let codeEnd: i32 = 0;
// The current instruction's immediates (Operands).
export let index: i32 = 0;
export let index2: i32 = 0;
export let blockType: i32 = -64;
export let labelCount: i32 = 0;

/** ImmId of src/wasm/opcodes.ts (keep in step: the opcode rows carry these numbers). */
const IMM_NONE = 0;
const IMM_BLOCK_TYPE = 1;
const IMM_LABEL = 2;
const IMM_BR_TABLE = 3;
const IMM_FUNC = 4;
const IMM_CALL_INDIRECT = 5;
const IMM_LOCAL = 6;
const IMM_GLOBAL = 7;
const IMM_TABLE = 8;
const IMM_MEMARG = 10;
const IMM_I32 = 12;
const IMM_I64 = 13;
const IMM_F32 = 14;
const IMM_F64 = 15;
const IMM_MEMORY = 19;
const IMM_MEMORY2 = 20;
const IMM_DATA = 24;
const IMM_ELEM = 25;
const IMM_MEMORY_INIT = 26;
const IMM_TABLE_INIT = 27;
const IMM_TABLE_COPY = 28;

export const BLOCK_EMPTY = -64;

@inline export function byteAt(at: i32): i32 {
  return <i32>load<u8>(BYTES + <usize>at);
}

export function readU8(): i32 {
  if (pos >= codeEnd) unreachable();
  return byteAt(pos++);
}

/** Unsigned LEB128 of at most 32 bits (Reader.u32: no overlong or overflowing encodings). */
export function readU32(): u32 {
  let b = readU8();
  if (b < 0x80) return <u32>b;
  let result = <u32>(b & 0x7f);
  b = readU8();
  result |= <u32>(b & 0x7f) << 7;
  if (b < 0x80) return result;
  b = readU8();
  result |= <u32>(b & 0x7f) << 14;
  if (b < 0x80) return result;
  b = readU8();
  result |= <u32>(b & 0x7f) << 21;
  if (b < 0x80) return result;
  b = readU8();
  // The fifth byte: no continuation, only the low 4 bits carry value.
  if (b & 0xf0) unreachable();
  return result | (<u32>b << 28);
}

/** An index immediate. Every index the scanner reads is range-checked against a count below 2^31, so larger ones trap. */
export function readIndex(): i32 {
  const v = <i32>readU32();
  if (v < 0) unreachable();
  return v;
}

/**
 * FastClass of src/wasm/opcodes.ts: the instructions skipSimple moves over without leaving its loop. Plain has no
 * immediates; Local and Global an index; Memarg an alignment and an offset; I32 a signed constant.
 */
const FAST_SLOW = 0;
const FAST_PLAIN = 1;
const FAST_LOCAL = 2;
const FAST_GLOBAL = 3;
const FAST_MEMARG = 4;

/**
 * Moves over the simple instructions from `pos` (FunctionScanner.skipSimple): static cost, no control, immediates of at
 * most 4 LEB128 bytes (always well-formed) and in range. Anything else stops it, for the full path to decode.
 */
export function skipSimple(): void {
  const bytes = BYTES;
  const fast = S.FAST;
  const end = codeEnd;
  const locals = S.localCount;
  const globals = S.globalCount;
  const memory = S.hasMemory;
  const live = S.live;
  let p = pos;
  let d = S.dist;
  while (p < end) {
    const row = <i32>load<u8>(fast + <usize>load<u8>(bytes + <usize>p));
    const cls = row & 7;
    if (cls == FAST_SLOW) break;
    let next = p + 1;
    if (cls != FAST_PLAIN) {
      if (cls == FAST_MEMARG) {
        if (!memory || next >= end || <i32>load<u8>(bytes + <usize>next) >= 32) break;
        next++;
      }
      // The immediate: at most 4 bytes, its value for the index classes.
      let value = 0;
      let shift = 0;
      let b = 0x80;
      while (b >= 0x80 && shift < 28 && next < end) {
        b = <i32>load<u8>(bytes + <usize>next);
        next++;
        value |= (b & 0x7f) << shift;
        shift += 7;
      }
      if (b >= 0x80) break;
      if ((cls == FAST_LOCAL && value >= locals) || (cls == FAST_GLOBAL && value >= globals)) break;
    }
    p = next;
    if (live) d += row >>> 3;
  }
  pos = p;
  S.dist = d;
}

/** A signed LEB128 of at most 32 bits (Reader.s32). */
export function readS32(): i32 {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = readU8();
    if (shift == 28) {
      if (b & 0x80) unreachable();
      const high = b & 0x78;
      if (high != 0 && high != 0x78) unreachable();
      result |= b << 28;
      break;
    }
    result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) {
      if (b & 0x40) result |= -1 << shift;
      break;
    }
  }
  return result;
}

/** Skips a signed LEB128 of at most 32 bits (Reader.s32's checks). */
function skipS32(): void {
  for (let i = 0; i < 4; i++) if (readU8() < 0x80) return;
  const b = readU8();
  if (b & 0x80) unreachable();
  const high = b & 0x78;
  if (high != 0 && high != 0x78) unreachable();
}

/** Skips a signed LEB128 of at most 64 bits (Reader.skipS64's checks). */
function skipS64(): void {
  for (let i = 0; i < 9; i++) if (readU8() < 0x80) return;
  const b = readU8();
  if (b & 0x80) unreachable();
  if (b != 0 && b != 0x7f) unreachable();
}

function skip(n: i32): void {
  if (n > codeEnd - pos) unreachable();
  pos += n;
}

/** The memory-index byte of memory instructions: 0 (anything else is multi-memory). */
function memoryIndex(): void {
  if (readU8() != 0) unreachable();
}

/**
 * A block type: empty, i32/i64/f32/f64, or a type index below `types` (other value types, such as v128 and
 * references, bail). The TypeScript scanner rejects an index out of range, so it traps here.
 */
function readBlockType(types: i32): i32 {
  if (pos >= codeEnd) unreachable();
  const first = byteAt(pos);
  if (first == 0x40) {
    pos++;
    return BLOCK_EMPTY;
  }
  if ((first & 0xc0) == 0x40) {
    pos++;
    if (first >= 0x7c && first <= 0x7f) return first - 128;
    unreachable();
  }
  // A non-negative s33: at most 5 bytes; a type index is below 2^31, so any 5-byte value with bits past 30 bails.
  let result: i64 = 0;
  let shift: i64 = 0;
  for (let i = 0; ; i++) {
    const b = readU8();
    if (i == 4) {
      if (b & 0x80) unreachable();
      const high = b & 0x70;
      if (high != 0 && high != 0x70) unreachable();
      result |= <i64>(b & 0x7f) << shift;
      shift += 7;
      break;
    }
    result |= <i64>(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) break;
  }
  // Negative (the sign bit of the encoding set) is an invalid block type; too large, out of range.
  if (result >= (<i64>1 << (shift - 1)) || result >= <i64>types) unreachable();
  return <i32>result;
}

/** Reads the immediates of an instruction of kind `imm` (readOperands with materialize false). */
export function readImmediates(imm: i32, types: i32): void {
  switch (imm) {
    case IMM_NONE:
      return;
    case IMM_BLOCK_TYPE:
      blockType = readBlockType(types);
      return;
    case IMM_LABEL:
    case IMM_FUNC:
    case IMM_LOCAL:
    case IMM_GLOBAL:
    case IMM_TABLE:
    case IMM_DATA:
    case IMM_ELEM:
      index = readIndex();
      return;
    case IMM_BR_TABLE: {
      // Reader.count(1): no more labels than bytes left.
      const n = readU32();
      if (n > <u32>(codeEnd - pos) || <i32>n + 1 > capacity) unreachable();
      labelCount = <i32>n + 1;
      for (let i = 0; i < labelCount; i++) store<i32>(slot(LABELS, i), readIndex());
      return;
    }
    case IMM_CALL_INDIRECT:
    case IMM_TABLE_INIT:
    case IMM_TABLE_COPY:
      index = readIndex();
      index2 = readIndex();
      return;
    case IMM_MEMARG: {
      // Alignment 32 or more is malformed, and bit 6 (multi-memory) is refused: both bail.
      if (readU32() >= 32) unreachable();
      readU32();
      return;
    }
    case IMM_I32:
      skipS32();
      return;
    case IMM_I64:
      skipS64();
      return;
    case IMM_F32:
      skip(4);
      return;
    case IMM_F64:
      skip(8);
      return;
    case IMM_MEMORY:
      memoryIndex();
      return;
    case IMM_MEMORY2:
      memoryIndex();
      memoryIndex();
      return;
    case IMM_MEMORY_INIT:
      index = readIndex();
      memoryIndex();
      return;
    default:
      unreachable();
  }
}

/** checkIndices (src/wasm/code-context.ts) for the immediates this scanner reads: out of range traps. */
export function checkImmediates(imm: i32): void {
  const tables = S.tableCount;
  const elements = S.elementCount;
  const data = S.dataCount;
  const memory = S.hasMemory;
  switch (imm) {
    case IMM_LOCAL:
      if (index >= S.localCount) unreachable();
      return;
    case IMM_GLOBAL:
      if (index >= S.globalCount) unreachable();
      return;
    case IMM_FUNC:
      if (index >= S.functionCount) unreachable();
      return;
    case IMM_CALL_INDIRECT:
      if (index >= S.typeCount || index2 >= tables) unreachable();
      return;
    case IMM_TABLE:
      if (index >= tables) unreachable();
      return;
    case IMM_TABLE_COPY:
      if (index >= tables || index2 >= tables) unreachable();
      return;
    case IMM_TABLE_INIT:
      if (index >= elements || index2 >= tables) unreachable();
      return;
    case IMM_ELEM:
      if (index >= elements) unreachable();
      return;
    case IMM_DATA:
      if (data < 0 || index >= data) unreachable();
      return;
    case IMM_MEMORY_INIT:
      if (data < 0 || index >= data || !memory) unreachable();
      return;
    case IMM_MEMARG:
    case IMM_MEMORY:
    case IMM_MEMORY2:
      if (!memory) unreachable();
      return;
  }
}
