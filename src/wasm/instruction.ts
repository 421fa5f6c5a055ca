// Decoding and encoding of single instructions, driven by the opcode table.
import { UnsupportedFeatureError } from "./errors.ts";
import { ImmId, type OpInfo, PREFIX_FC, PREFIX_FD, SINGLE_BYTE, UNSUPPORTED_OPCODES } from "./opcodes.ts";
import type { Reader } from "./reader.ts";
import { ValType, valTypeName } from "./types.ts";
import type { Writer } from "./writer.ts";

/** A `try_table` catch clause: kind 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref. */
export interface CatchClause {
  kind: number;
  tag: number;
  label: number;
}

/** An instruction's immediates. Which fields are meaningful depends on `op.imm`. */
export interface Operands {
  /** Block type as s33: -64 empty, a negative value type code (byte - 128), or a type index. */
  blockType: number;
  /** First index immediate (label, function, local, global, table, tag, type, data, elem). */
  index: number;
  /** Second index immediate (call_indirect table, table.init table, table.copy source). */
  index2: number;
  /** br_table targets, the default target last. */
  labels: number[];
  align: number;
  offset: number;
  lane: number;
  /** i32.const value or heap type code. */
  int: number;
  /** i64.const value. */
  long: bigint;
  /** Raw bytes of f32/f64/v128 constants and shuffle lanes. */
  bytes: Uint8Array | null;
  /** select_t types. */
  types: number[];
  catches: CatchClause[];
}

export interface Instruction extends Operands {
  op: OpInfo;
}

export function newOperands(): Operands {
  return {
    blockType: -64,
    index: 0,
    index2: 0,
    labels: [],
    align: 0,
    offset: 0,
    lane: 0,
    int: 0,
    long: 0n,
    bytes: null,
    types: [],
    catches: [],
  };
}

/** Empty block type, as an s33 value. */
export const BLOCK_EMPTY = -64;

/**
 * Reads one value type, rejecting the proposals we do not run with an UnsupportedFeatureError so a
 * caller sees "gc" rather than "malformed" for modules that V8 may well accept.
 */
export function readValType(r: Reader): number {
  const at = r.pos;
  const code = r.u8();
  if (valTypeName(code) !== undefined) return code;
  if (code === 0x63 || code === 0x64) throw new UnsupportedFeatureError("function-references (typed reference types)", at);
  if (code >= 0x65 && code <= 0x74) throw new UnsupportedFeatureError("gc (reference types)", at);
  return r.fail(`unknown value type 0x${code.toString(16)}`, at);
}

function readBlockType(r: Reader): number {
  const at = r.pos;
  const first = r.bytes[r.pos];
  if (r.pos < r.end && (first === 0x40 || (first & 0xc0) === 0x40)) {
    // Single-byte negative: empty or a value type.
    r.pos++;
    if (first === 0x40) return BLOCK_EMPTY;
    if (valTypeName(first) !== undefined) return first - 128;
    if (first === 0x63 || first === 0x64) throw new UnsupportedFeatureError("function-references (typed reference types)", at);
    if (first >= 0x65 && first <= 0x74) throw new UnsupportedFeatureError("gc (reference types)", at);
    return r.fail(`unknown block type 0x${first.toString(16)}`, at);
  }
  const v = r.s33();
  if (v < 0) return r.fail("invalid block type", at);
  return v;
}

function readHeapType(r: Reader): number {
  const at = r.pos;
  const v = r.s33();
  if (v >= 0) throw new UnsupportedFeatureError("function-references (typed heap types)", at);
  const code = (v + 128) & 0xff;
  if (code === ValType.funcref || code === ValType.externref || code === ValType.exnref) return code;
  if (code >= 0x65 && code <= 0x74) throw new UnsupportedFeatureError("gc (heap types)", at);
  return r.fail("unknown heap type", at);
}

/** The memory-index byte of memory.size/grow/fill/copy/init: always 0 without multi-memory. */
function readMemoryIndex(r: Reader): void {
  const at = r.pos;
  if (r.u8() !== 0) throw new UnsupportedFeatureError("multi-memory", at);
}

function readMemarg(r: Reader, out: Operands): void {
  const at = r.pos;
  const align = r.u32();
  if (align & 0x40) throw new UnsupportedFeatureError("multi-memory", at);
  if (align >= 32) r.fail("alignment too large", at);
  out.align = align;
  out.offset = r.u32();
}

/** Looks up the opcode at the reader's position and advances past it. */
export function readOpcode(r: Reader): OpInfo {
  const at = r.pos;
  const byte = r.u8();
  let info: OpInfo | undefined;
  if (byte === 0xfc) info = PREFIX_FC[r.u32()];
  else if (byte === 0xfd) info = PREFIX_FD[r.u32()];
  else info = SINGLE_BYTE[byte];
  if (info) {
    if (!info.supported) throw new UnsupportedFeatureError(`${info.feature} (${info.name})`, at);
    return info;
  }
  const feature = UNSUPPORTED_OPCODES.get(byte);
  if (feature) throw new UnsupportedFeatureError(feature, at);
  return r.fail(`unknown opcode 0x${byte.toString(16)}${byte === 0xfc || byte === 0xfd ? " (prefixed)" : ""}`, at);
}

/**
 * Reads the immediates of `info` into `out`. With `materialize` false the big constant
 * immediates (i64, float and vector bytes) are skipped rather than decoded: the instrumenter
 * only needs control structure and indices, and copies the raw bytes through.
 */
export function readOperands(r: Reader, info: OpInfo, out: Operands, materialize: boolean): void {
  switch (info.immId) {
    case ImmId.None:
      return;
    case ImmId.BlockType:
      out.blockType = readBlockType(r);
      return;
    case ImmId.Label:
    case ImmId.Func:
    case ImmId.Local:
    case ImmId.Global:
    case ImmId.Table:
    case ImmId.Tag:
    case ImmId.Data:
    case ImmId.Elem:
      out.index = r.u32();
      return;
    case ImmId.BrTable: {
      const n = r.count(1);
      const labels = out.labels;
      labels.length = 0;
      for (let i = 0; i <= n; i++) labels.push(r.u32());
      return;
    }
    case ImmId.CallIndirect:
      out.index = r.u32();
      out.index2 = r.u32();
      return;
    case ImmId.TableInit:
    case ImmId.TableCopy:
      out.index = r.u32();
      out.index2 = r.u32();
      return;
    case ImmId.Memarg:
      readMemarg(r, out);
      return;
    case ImmId.MemargLane:
      readMemarg(r, out);
      out.lane = r.u8();
      return;
    case ImmId.I32:
      out.int = r.s32();
      return;
    case ImmId.I64:
      if (materialize) out.long = r.s64();
      else r.skipS64();
      return;
    case ImmId.F32:
      if (materialize) out.bytes = r.take(4);
      else r.skip(4);
      return;
    case ImmId.F64:
      if (materialize) out.bytes = r.take(8);
      else r.skip(8);
      return;
    case ImmId.V128:
    case ImmId.Shuffle:
      if (materialize) out.bytes = r.take(16);
      else r.skip(16);
      return;
    case ImmId.Lane:
      out.lane = r.u8();
      return;
    case ImmId.Memory:
      readMemoryIndex(r);
      return;
    case ImmId.Memory2:
      readMemoryIndex(r);
      readMemoryIndex(r);
      return;
    case ImmId.MemoryInit:
      out.index = r.u32();
      readMemoryIndex(r);
      return;
    case ImmId.SelectT: {
      const n = r.count(1);
      out.types.length = 0;
      for (let i = 0; i < n; i++) out.types.push(readValType(r));
      return;
    }
    case ImmId.HeapType:
      out.int = readHeapType(r);
      return;
    case ImmId.TryTable: {
      out.blockType = readBlockType(r);
      const n = r.count(2);
      out.catches.length = 0;
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const kind = r.u8();
        if (kind > 3) r.fail(`unknown catch kind ${kind}`, at);
        const tag = kind < 2 ? r.u32() : 0;
        out.catches.push({ kind, tag, label: r.u32() });
      }
      return;
    }
  }
}

/** Decodes one whole instruction into a fresh object (for tools and tests, not the hot path). */
export function readInstruction(r: Reader): Instruction {
  const op = readOpcode(r);
  const operands = newOperands();
  readOperands(r, op, operands, true);
  return { op, ...operands, labels: [...operands.labels], types: [...operands.types], catches: [...operands.catches] };
}

export function writeOpcode(w: Writer, op: OpInfo): void {
  if (op.prefix === 0) w.u8(op.code);
  else w.u8(op.prefix).u32(op.code);
}

function writeBlockType(w: Writer, blockType: number): void {
  if (blockType < 0) w.u8(blockType + 128);
  else w.s32(blockType);
}

export function writeInstruction(w: Writer, ins: Instruction): void {
  writeOpcode(w, ins.op);
  switch (ins.op.imm) {
    case "none":
      return;
    case "blocktype":
      writeBlockType(w, ins.blockType);
      return;
    case "label":
    case "func":
    case "local":
    case "global":
    case "table":
    case "tag":
    case "data":
    case "elem":
      w.u32(ins.index);
      return;
    case "br_table":
      w.u32(ins.labels.length - 1);
      for (const l of ins.labels) w.u32(l);
      return;
    case "call_indirect":
    case "table_init":
    case "table_copy":
      w.u32(ins.index).u32(ins.index2);
      return;
    case "memarg":
      w.u32(ins.align).u32(ins.offset);
      return;
    case "memarg_lane":
      w.u32(ins.align).u32(ins.offset).u8(ins.lane);
      return;
    case "i32":
      w.s32(ins.int);
      return;
    case "i64":
      w.s64(ins.long);
      return;
    case "f32":
    case "f64":
    case "v128":
    case "shuffle":
      w.bytes(ins.bytes!);
      return;
    case "lane":
      w.u8(ins.lane);
      return;
    case "memory":
      w.u8(0);
      return;
    case "memory2":
      w.u8(0).u8(0);
      return;
    case "memory_init":
      w.u32(ins.index).u8(0);
      return;
    case "select_t":
      w.u32(ins.types.length);
      for (const t of ins.types) w.u8(t);
      return;
    case "heaptype":
      w.u8(ins.int);
      return;
    case "try_table":
      writeBlockType(w, ins.blockType);
      w.u32(ins.catches.length);
      for (const c of ins.catches) {
        w.u8(c.kind);
        if (c.kind < 2) w.u32(c.tag);
        w.u32(c.label);
      }
      return;
  }
}
