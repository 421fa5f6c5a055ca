// The decoded module model: what the decoder produces and the encoder consumes.

/** Value type codes as they appear in the binary. */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  exnref: 0x69,
} as const;

export type ValTypeName = keyof typeof ValType;
export type ValTypeCode = (typeof ValType)[ValTypeName];

const NAMES = new Map<number, ValTypeName>(Object.entries(ValType).map(([k, v]) => [v, k as ValTypeName]));

export function valTypeName(code: number): ValTypeName | undefined {
  return NAMES.get(code);
}

export function isRefType(code: number): boolean {
  return code === ValType.funcref || code === ValType.externref || code === ValType.exnref;
}

export interface FuncType {
  params: number[];
  results: number[];
}

export interface Limits {
  min: number;
  max: number | null;
}

export interface TableType {
  elemType: number;
  limits: Limits;
}

export interface GlobalType {
  valType: number;
  mutable: boolean;
}

export const ExternalKind = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;
export type ExternalKindName = keyof typeof ExternalKind;
export const EXTERNAL_KIND_NAMES: readonly ExternalKindName[] = ["func", "table", "memory", "global", "tag"];

export type ImportDesc =
  | { kind: "func"; typeIndex: number }
  | { kind: "table"; type: TableType }
  | { kind: "memory"; limits: Limits }
  | { kind: "global"; type: GlobalType }
  | { kind: "tag"; typeIndex: number };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternalKindName;
  index: number;
}

/** A constant expression, kept as its encoded bytes including the final `end`. */
export type ConstExpr = Uint8Array;

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export interface ElementSegment {
  /** The segment encoding (0-7); it fixes which of the fields below are present. */
  flags: number;
  tableIndex: number;
  offset: ConstExpr | null;
  /** Element kind byte (flags 1-3) or reference type (flags 5-7); funcref otherwise. */
  elemType: number;
  /** Function indices (flags 0-3) or element expressions (flags 4-7). */
  funcIndices: number[] | null;
  exprs: ConstExpr[] | null;
}

export interface DataSegment {
  /** 0 active in memory 0, 1 passive, 2 active with explicit memory index. */
  flags: number;
  memoryIndex: number;
  offset: ConstExpr | null;
  bytes: Uint8Array;
}

export interface LocalGroup {
  count: number;
  type: number;
}

export interface FunctionBody {
  locals: LocalGroup[];
  /** Encoded instructions including the final `end`. */
  code: Uint8Array;
  /** Byte offset of `code` in the original file, for error messages. */
  codeOffset: number;
  /** Bytes the input used for the body size (padded encodings are kept on re-encoding). */
  sizeWidth?: number;
  /** Bytes the input used for the local group count, then for each group's count. */
  localWidths?: number[];
}

export interface CustomSection {
  name: string;
  payload: Uint8Array;
}

/** Section ids in the binary. */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** Where each known section may appear relative to the others. */
export const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  tables: TableType[];
  memories: Limits[];
  /** Type index of each defined tag. */
  tags: number[];
  globals: Global[];
  exports: Export[];
  start: number | null;
  elements: ElementSegment[];
  dataCount: number | null;
  code: FunctionBody[];
  data: DataSegment[];
  /** Data segments the decoded module has: `data.length`, or their count when the decoder was asked not to keep them. */
  dataSegmentCount: number;
  customSections: CustomSection[];
  /**
   * The sections in file order, so that the encoder can reproduce the input exactly: a section id,
   * or for custom sections `0` paired with its index in `customSections`. Null for a model built in code.
   */
  layout: SectionEntry[] | null;
}

export interface SectionEntry {
  id: number;
  /** Index into customSections, for custom sections. */
  custom?: number;
  /** Bytes the input used for the section size and for the section's first LEB (count or index). */
  sizeWidth?: number;
  leadWidth?: number;
  /** The section's bytes in the input, id and size included: [start, end). */
  start?: number;
  end?: number;
}

export function emptyModule(): WasmModule {
  return {
    types: [],
    imports: [],
    functions: [],
    tables: [],
    memories: [],
    tags: [],
    globals: [],
    exports: [],
    start: null,
    elements: [],
    dataCount: null,
    code: [],
    data: [],
    dataSegmentCount: 0,
    customSections: [],
    layout: null,
  };
}
