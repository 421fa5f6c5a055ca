// Encodes a WasmModule back to binary; decode → encode reproduces canonical (minimal-LEB) input exactly.
import {
  type DataSegment,
  type ElementSegment,
  ExternalKind,
  type FunctionBody,
  type Limits,
  type SectionEntry,
  SectionId,
  type TableType,
  type WasmModule,
} from "./types.ts";
import { Writer } from "./writer.ts";

function writeLimits(w: Writer, limits: Limits): void {
  if (limits.max === null) w.u8(0).u32(limits.min);
  else w.u8(1).u32(limits.min).u32(limits.max);
}

function writeTableType(w: Writer, t: TableType): void {
  w.u8(t.elemType);
  writeLimits(w, t.limits);
}

function writeElement(w: Writer, seg: ElementSegment): void {
  const active = (seg.flags & 1) === 0;
  const explicitTable = (seg.flags & 2) !== 0;
  const usesExprs = (seg.flags & 4) !== 0;
  w.u32(seg.flags);
  if (active) {
    if (explicitTable) w.u32(seg.tableIndex);
    w.bytes(seg.offset!);
  }
  if (!active || explicitTable) w.u8(usesExprs ? seg.elemType : 0);
  if (usesExprs) {
    w.u32(seg.exprs!.length);
    for (const e of seg.exprs!) w.bytes(e);
  } else {
    w.u32(seg.funcIndices!.length);
    for (let i = 0; i < seg.funcIndices!.length; i++) w.u32(seg.funcIndices![i]);
  }
}

function writeData(w: Writer, seg: DataSegment): void {
  w.u32(seg.flags);
  if (seg.flags === 2) w.u32(seg.memoryIndex);
  if (seg.flags !== 1) w.bytes(seg.offset!);
  w.u32(seg.bytes.length).bytes(seg.bytes);
}

export function writeFunctionBody(w: Writer, body: FunctionBody): void {
  const inner = new Writer(body.code.length + 16);
  const widths = body.localWidths;
  inner.u32w(body.locals.length, widths?.[0]);
  body.locals.forEach((l, i) => inner.u32w(l.count, widths?.[i + 1]).u8(l.type));
  inner.bytes(body.code);
  w.sized(inner, body.sizeWidth);
}

/**
 * Encodes the contents (without id and size) of one known section. `leadWidth` pads the
 * section's first LEB (its count, or the start/data-count index) as the input had it.
 */
export function encodeSection(m: WasmModule, id: number, leadWidth?: number): Uint8Array {
  const w = new Writer();
  const lead = (n: number) => w.u32w(n, leadWidth);
  switch (id) {
    case SectionId.type:
      lead(m.types.length);
      for (const t of m.types) {
        w.u8(0x60).u32(t.params.length);
        for (const p of t.params) w.u8(p);
        w.u32(t.results.length);
        for (const r of t.results) w.u8(r);
      }
      break;
    case SectionId.import:
      lead(m.imports.length);
      for (const imp of m.imports) {
        w.name(imp.module).name(imp.name).u8(ExternalKind[imp.desc.kind]);
        const d = imp.desc;
        if (d.kind === "func") w.u32(d.typeIndex);
        else if (d.kind === "table") writeTableType(w, d.type);
        else if (d.kind === "memory") writeLimits(w, d.limits);
        else if (d.kind === "global") w.u8(d.type.valType).u8(d.type.mutable ? 1 : 0);
        else w.u8(0).u32(d.typeIndex);
      }
      break;
    case SectionId.function:
      lead(m.functions.length);
      for (let i = 0; i < m.functions.length; i++) w.u32(m.functions[i]);
      break;
    case SectionId.table:
      lead(m.tables.length);
      for (const t of m.tables) writeTableType(w, t);
      break;
    case SectionId.memory:
      lead(m.memories.length);
      for (const l of m.memories) writeLimits(w, l);
      break;
    case SectionId.tag:
      lead(m.tags.length);
      for (const t of m.tags) w.u8(0).u32(t);
      break;
    case SectionId.global:
      lead(m.globals.length);
      for (const g of m.globals) w.u8(g.type.valType).u8(g.type.mutable ? 1 : 0).bytes(g.init);
      break;
    case SectionId.export:
      lead(m.exports.length);
      for (const e of m.exports) w.name(e.name).u8(ExternalKind[e.kind]).u32(e.index);
      break;
    case SectionId.start:
      lead(m.start!);
      break;
    case SectionId.element:
      lead(m.elements.length);
      for (const e of m.elements) writeElement(w, e);
      break;
    case SectionId.dataCount:
      lead(m.dataCount!);
      break;
    case SectionId.code:
      lead(m.code.length);
      for (const b of m.code) writeFunctionBody(w, b);
      break;
    case SectionId.data:
      lead(m.data.length);
      for (const d of m.data) writeData(w, d);
      break;
    default:
      throw new Error(`cannot encode section id ${id}`);
  }
  return w.finish();
}

/** Sections a model built in code gets, in binary order, when present. */
const CANONICAL_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

function isPresent(m: WasmModule, id: number): boolean {
  switch (id) {
    case SectionId.type: return m.types.length > 0;
    case SectionId.import: return m.imports.length > 0;
    case SectionId.function: return m.functions.length > 0;
    case SectionId.table: return m.tables.length > 0;
    case SectionId.memory: return m.memories.length > 0;
    case SectionId.tag: return m.tags.length > 0;
    case SectionId.global: return m.globals.length > 0;
    case SectionId.export: return m.exports.length > 0;
    case SectionId.start: return m.start !== null;
    case SectionId.element: return m.elements.length > 0;
    case SectionId.dataCount: return m.dataCount !== null;
    case SectionId.code: return m.code.length > 0;
    case SectionId.data: return m.data.length > 0;
    default: return false;
  }
}

export function encodeModule(m: WasmModule): Uint8Array {
  const w = new Writer(1 << 16);
  w.u8(0x00).u8(0x61).u8(0x73).u8(0x6d).u8(1).u8(0).u8(0).u8(0);
  const layout: SectionEntry[] = m.layout ?? [
    ...CANONICAL_ORDER.filter((id) => isPresent(m, id)).map((id) => ({ id })),
    ...m.customSections.map((_, i) => ({ id: 0, custom: i })),
  ];
  for (const entry of layout) {
    if (entry.id === SectionId.custom) {
      const c = m.customSections[entry.custom!];
      const inner = new Writer(c.payload.length + 16);
      inner.name(c.name).bytes(c.payload);
      w.u8(0).sized(inner, entry.sizeWidth);
      continue;
    }
    w.u8(entry.id).sized(encodeSection(m, entry.id, entry.leadWidth), entry.sizeWidth);
  }
  return w.finish().slice();
}
