// The opcode table: one row per instruction, driving the decoder, encoder and fuel cost model.

/** How an instruction's immediates are encoded after its opcode. */
export type Imm =
  | "none"
  | "blocktype"
  | "label"
  | "br_table"
  | "func"
  | "call_indirect"
  | "local"
  | "global"
  | "table"
  | "tag"
  | "memarg"
  | "memarg_lane"
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  | "shuffle"
  | "lane"
  | "memory"
  | "memory2"
  | "select_t"
  | "heaptype"
  | "try_table"
  | "data"
  | "elem"
  | "memory_init"
  | "table_init"
  | "table_copy";

/** What an instruction does to control flow; the instrumenter cuts basic blocks on these. */
export type Control =
  | "none"
  | "block"
  | "loop"
  | "if"
  | "else"
  | "end"
  | "try"
  | "try_table"
  | "catch"
  | "catch_all"
  | "delegate"
  | "br"
  | "br_if"
  | "br_table"
  | "return"
  | "unreachable"
  | "throw"
  | "rethrow"
  | "throw_ref"
  | "call"
  | "return_call";

/**
 * A cost that depends on an operand known only at run time: the i32 on top of the stack.
 * bytes: +⌊n/16⌋ (memory.fill/copy/init), pages: +1024·n (memory.grow), elements: +n (table ops).
 */
export type DynamicCost = "bytes" | "pages" | "elements" | null;

/** Numeric twins of Control and Imm, for switches on the hot path (string cases compare one by one). */
export const enum Ctl {
  None,
  Block,
  Loop,
  If,
  Else,
  End,
  Try,
  TryTable,
  Catch,
  CatchAll,
  Delegate,
  Br,
  BrIf,
  BrTable,
  Return,
  Unreachable,
  Throw,
  Rethrow,
  ThrowRef,
  Call,
  ReturnCall,
}

export const enum ImmId {
  None,
  BlockType,
  Label,
  BrTable,
  Func,
  CallIndirect,
  Local,
  Global,
  Table,
  Tag,
  Memarg,
  MemargLane,
  I32,
  I64,
  F32,
  F64,
  V128,
  Shuffle,
  Lane,
  Memory,
  Memory2,
  SelectT,
  HeapType,
  TryTable,
  Data,
  Elem,
  MemoryInit,
  TableInit,
  TableCopy,
}

const CTL_IDS: Record<Control, Ctl> = {
  none: Ctl.None,
  block: Ctl.Block,
  loop: Ctl.Loop,
  if: Ctl.If,
  else: Ctl.Else,
  end: Ctl.End,
  try: Ctl.Try,
  try_table: Ctl.TryTable,
  catch: Ctl.Catch,
  catch_all: Ctl.CatchAll,
  delegate: Ctl.Delegate,
  br: Ctl.Br,
  br_if: Ctl.BrIf,
  br_table: Ctl.BrTable,
  return: Ctl.Return,
  unreachable: Ctl.Unreachable,
  throw: Ctl.Throw,
  rethrow: Ctl.Rethrow,
  throw_ref: Ctl.ThrowRef,
  call: Ctl.Call,
  return_call: Ctl.ReturnCall,
};

const IMM_IDS: Record<Imm, ImmId> = {
  none: ImmId.None,
  blocktype: ImmId.BlockType,
  label: ImmId.Label,
  br_table: ImmId.BrTable,
  func: ImmId.Func,
  call_indirect: ImmId.CallIndirect,
  local: ImmId.Local,
  global: ImmId.Global,
  table: ImmId.Table,
  tag: ImmId.Tag,
  memarg: ImmId.Memarg,
  memarg_lane: ImmId.MemargLane,
  i32: ImmId.I32,
  i64: ImmId.I64,
  f32: ImmId.F32,
  f64: ImmId.F64,
  v128: ImmId.V128,
  shuffle: ImmId.Shuffle,
  lane: ImmId.Lane,
  memory: ImmId.Memory,
  memory2: ImmId.Memory2,
  select_t: ImmId.SelectT,
  heaptype: ImmId.HeapType,
  try_table: ImmId.TryTable,
  data: ImmId.Data,
  elem: ImmId.Elem,
  memory_init: ImmId.MemoryInit,
  table_init: ImmId.TableInit,
  table_copy: ImmId.TableCopy,
};

export interface OpInfo {
  /** 0 for single-byte opcodes, else the prefix byte (0xfc, 0xfd). */
  readonly prefix: number;
  /** The opcode byte, or the LEB128 sub-opcode after a prefix. */
  readonly code: number;
  readonly name: string;
  readonly imm: Imm;
  readonly control: Control;
  /** Static fuel cost (docs/limits.md). */
  readonly cost: number;
  readonly dynamic: DynamicCost;
  /** Proposal the instruction belongs to, for error messages and feature reporting. */
  readonly feature: string;
  /**
   * False for instructions the table knows but the runtime refuses: relaxed SIMD results differ
   * between CPUs, and a function must compute the same thing in every region.
   */
  readonly supported: boolean;
  readonly ctl: Ctl;
  readonly immId: ImmId;
}

const rows: OpInfo[] = [];

function op(
  prefix: number,
  code: number,
  name: string,
  imm: Imm = "none",
  control: Control = "none",
  feature = "mvp",
  cost = 1,
  dynamic: DynamicCost = null,
): void {
  rows.push({
    prefix,
    code,
    name,
    imm,
    control,
    cost,
    dynamic,
    feature,
    supported: feature !== "relaxed-simd",
    ctl: CTL_IDS[control],
    immId: IMM_IDS[imm],
  });
}

/** Consecutive single-immediate opcodes, e.g. the numeric block 0x45..0xc4. */
function run(prefix: number, first: number, names: string, imm: Imm = "none", feature = "mvp"): void {
  names
    .trim()
    .split(/\s+/)
    .forEach((name, i) => {
      if (name !== "-") op(prefix, first + i, name, imm, "none", feature);
    });
}

// --- control (0x00-0x1f) -------------------------------------------------------------
op(0, 0x00, "unreachable", "none", "unreachable", "mvp", 0);
op(0, 0x01, "nop", "none", "none", "mvp", 0);
op(0, 0x02, "block", "blocktype", "block", "mvp", 0);
op(0, 0x03, "loop", "blocktype", "loop", "mvp", 0);
op(0, 0x04, "if", "blocktype", "if");
op(0, 0x05, "else", "none", "else", "mvp", 0);
op(0, 0x06, "try", "blocktype", "try", "exceptions", 0);
op(0, 0x07, "catch", "tag", "catch", "exceptions", 0);
op(0, 0x08, "throw", "tag", "throw", "exceptions");
op(0, 0x09, "rethrow", "label", "rethrow", "exceptions");
op(0, 0x0a, "throw_ref", "none", "throw_ref", "exceptions");
op(0, 0x0b, "end", "none", "end", "mvp", 0);
op(0, 0x0c, "br", "label", "br");
op(0, 0x0d, "br_if", "label", "br_if");
op(0, 0x0e, "br_table", "br_table", "br_table");
op(0, 0x0f, "return", "none", "return", "mvp", 0);
op(0, 0x10, "call", "func", "call");
op(0, 0x11, "call_indirect", "call_indirect", "call");
op(0, 0x12, "return_call", "func", "return_call", "tail-call");
op(0, 0x13, "return_call_indirect", "call_indirect", "return_call", "tail-call");
op(0, 0x18, "delegate", "label", "delegate", "exceptions", 0);
op(0, 0x19, "catch_all", "none", "catch_all", "exceptions", 0);
op(0, 0x1a, "drop", "none", "none", "mvp", 0);
op(0, 0x1b, "select");
op(0, 0x1c, "select", "select_t", "none", "reference-types");
op(0, 0x1f, "try_table", "try_table", "try_table", "exceptions", 0);

// --- variables, tables, memory ----------------------------------------------------------
run(0, 0x20, "local.get local.set local.tee", "local");
run(0, 0x23, "global.get global.set", "global");
run(0, 0x25, "table.get table.set", "table", "reference-types");
run(
  0,
  0x28,
  `i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u
   i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u
   i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32`,
  "memarg",
);
op(0, 0x3f, "memory.size", "memory");
op(0, 0x40, "memory.grow", "memory", "none", "mvp", 1, "pages");
op(0, 0x41, "i32.const", "i32");
op(0, 0x42, "i64.const", "i64");
op(0, 0x43, "f32.const", "f32");
op(0, 0x44, "f64.const", "f64");

// --- numeric (0x45-0xc4) ----------------------------------------------------------------
run(
  0,
  0x45,
  `i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
   i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
   f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
   f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
   i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
   i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
   i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
   i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
   f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt f32.add f32.sub f32.mul f32.div
   f32.min f32.max f32.copysign
   f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt f64.add f64.sub f64.mul f64.div
   f64.min f64.max f64.copysign
   i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
   i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
   f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
   f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
   i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64`,
);
run(0, 0xc0, "i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s", "none", "sign-extension");

// --- reference types ------------------------------------------------------------------------
op(0, 0xd0, "ref.null", "heaptype", "none", "reference-types");
op(0, 0xd1, "ref.is_null", "none", "none", "reference-types");
op(0, 0xd2, "ref.func", "func", "none", "reference-types");

// --- 0xfc: saturating conversions, bulk memory, table ops -----------------------------------
const FC = 0xfc;
run(
  FC,
  0,
  `i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
   i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
  "none",
  "saturating-float-to-int",
);
op(FC, 8, "memory.init", "memory_init", "none", "bulk-memory", 1, "bytes");
op(FC, 9, "data.drop", "data", "none", "bulk-memory");
op(FC, 10, "memory.copy", "memory2", "none", "bulk-memory", 1, "bytes");
op(FC, 11, "memory.fill", "memory", "none", "bulk-memory", 1, "bytes");
op(FC, 12, "table.init", "table_init", "none", "bulk-memory", 1, "elements");
op(FC, 13, "elem.drop", "elem", "none", "bulk-memory");
op(FC, 14, "table.copy", "table_copy", "none", "bulk-memory", 1, "elements");
op(FC, 15, "table.grow", "table", "none", "reference-types", 1, "elements");
op(FC, 16, "table.size", "table", "none", "reference-types");
op(FC, 17, "table.fill", "table", "none", "reference-types", 1, "elements");

// --- 0xfd: SIMD -------------------------------------------------------------------------------
const FD = 0xfd;
run(
  FD,
  0,
  `v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s
   v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat v128.store`,
  "memarg",
  "simd",
);
op(FD, 12, "v128.const", "v128", "none", "simd");
op(FD, 13, "i8x16.shuffle", "shuffle", "none", "simd");
run(FD, 14, "i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat", "none", "simd");
run(
  FD,
  21,
  `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u
   i16x8.replace_lane i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
   f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`,
  "lane",
  "simd",
);
run(
  FD,
  35,
  `i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
   i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
   i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
   f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
   f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
   v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true`,
  "none",
  "simd",
);
run(
  FD,
  84,
  `v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane
   v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane`,
  "memarg_lane",
  "simd",
);
run(FD, 92, "v128.load32_zero v128.load64_zero", "memarg", "simd");
run(
  FD,
  94,
  `f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
   i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
   f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
   i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s
   i8x16.sub_sat_u f64x2.ceil f64x2.floor i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc
   i8x16.avgr_u i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u i32x4.extadd_pairwise_i16x8_s
   i32x4.extadd_pairwise_i16x8_u
   i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s
   i16x8.narrow_i32x4_u i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u
   i16x8.extend_high_i8x16_u i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
   i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s
   i16x8.max_u - i16x8.avgr_u i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u
   i16x8.extmul_high_i8x16_u
   i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - - i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s
   i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - -
   i32x4.sub - - - i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
   i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
   i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - - i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s
   i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - -
   i64x2.sub - - - i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
   i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
   f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin
   f32x4.pmax
   f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin
   f64x2.pmax
   i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
   i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s
   f64x2.convert_low_i32x4_u`,
  "none",
  "simd",
);
run(
  FD,
  0x100,
  `i8x16.relaxed_swizzle i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
   i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd f32x4.relaxed_nmadd
   f64x2.relaxed_madd f64x2.relaxed_nmadd i8x16.relaxed_laneselect i16x8.relaxed_laneselect
   i32x4.relaxed_laneselect i64x2.relaxed_laneselect f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min
   f64x2.relaxed_max i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`,
  "none",
  "relaxed-simd",
);

/** Every instruction the toolkit understands. */
export const OPCODES: readonly OpInfo[] = rows;

/** Lookup tables, indexed by opcode byte (single-byte) or sub-opcode (prefixed). */
export const SINGLE_BYTE: (OpInfo | undefined)[] = new Array(256);
export const PREFIX_FC: (OpInfo | undefined)[] = new Array(32);
export const PREFIX_FD: (OpInfo | undefined)[] = new Array(0x120);

for (const row of rows) {
  const table = row.prefix === 0 ? SINGLE_BYTE : row.prefix === FC ? PREFIX_FC : PREFIX_FD;
  if (table[row.code]) throw new Error(`duplicate opcode ${row.prefix}:${row.code} (${row.name})`);
  table[row.code] = row;
}

/** Classes of single-byte instructions the function scanner decodes inline (scanner.ts): the common ones. */
export const enum FastClass {
  /** Not inline: prefixed, control, dynamic-cost or with immediates other than those below. */
  Slow = 0,
  /** No immediates, no control, static cost (numeric, drop, select, ...). */
  Plain = 1,
  /** local.get/set/tee: one local index. */
  Local = 2,
  /** global.get/set: one global index. */
  Global = 3,
  /** Loads and stores: a memarg (alignment, offset). */
  Memarg = 4,
  /** i32.const: a signed LEB128. */
  I32 = 5,
}

/** FastClass of each single-byte opcode. */
export const FAST_CLASS = new Uint8Array(256);
/** Static fuel cost of each single-byte opcode. */
export const FAST_COST = new Uint8Array(256);

for (const row of rows) {
  if (row.prefix !== 0 || !row.supported || row.ctl !== Ctl.None || row.dynamic !== null) continue;
  FAST_COST[row.code] = row.cost;
  if (row.immId === ImmId.None) FAST_CLASS[row.code] = FastClass.Plain;
  else if (row.immId === ImmId.Local) FAST_CLASS[row.code] = FastClass.Local;
  else if (row.immId === ImmId.Global) FAST_CLASS[row.code] = FastClass.Global;
  else if (row.immId === ImmId.Memarg) FAST_CLASS[row.code] = FastClass.Memarg;
  else if (row.immId === ImmId.I32) FAST_CLASS[row.code] = FastClass.I32;
}

/** Opcodes that belong to proposals the runtime does not run, named for the error message. */
export const UNSUPPORTED_OPCODES: ReadonlyMap<number, string> = new Map([
  [0x14, "function-references (call_ref)"],
  [0x15, "function-references (return_call_ref)"],
  [0xd3, "gc (ref.eq)"],
  [0xd4, "function-references (ref.as_non_null)"],
  [0xd5, "function-references (br_on_null)"],
  [0xd6, "function-references (br_on_non_null)"],
  [0xfb, "gc"],
  [0xfe, "threads"],
]);

export function opName(info: OpInfo): string {
  return info.name;
}
