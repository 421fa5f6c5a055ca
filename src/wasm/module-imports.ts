// A module's sections and its import entries, read at the section level: what a host that already holds a module's
// bytes (a deployed, validated module) needs without compiling it or decoding the rest. Shared by importMemory
// (memory-import.ts), which rewrites sections, and the runtime, which asks which functions a module imports.

import { Reader } from "./reader.ts";
import { ExternalKind, SectionId } from "./types.ts";

export interface Section {
  id: number;
  /** Offset of the id byte. */
  start: number;
  /** Offset of the content, after the size. */
  content: number;
  end: number;
}

export interface ImportEntry {
  module: string;
  name: string;
  /** ExternalKind of what is imported. */
  kind: number;
}

export interface FunctionImport {
  module: string;
  name: string;
}

/** Every section in file order; each is skipped by its size. Throws MalformedModuleError on a size past the end. */
export function readSections(bytes: Uint8Array): Section[] {
  const r = new Reader(bytes, 8);
  const sections: Section[] = [];
  while (!r.atEnd()) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const content = r.pos;
    r.skip(size);
    sections.push({ id, start, content, end: r.pos });
  }
  return sections;
}

/** The entries of an import section in order, each descriptor skipped after its kind. */
export function readImports(bytes: Uint8Array, section: Section): ImportEntry[] {
  const r = new Reader(bytes, section.content, section.end);
  const imports: ImportEntry[] = [];
  for (let n = r.count(3); n > 0; n--) {
    const module = r.name();
    const name = r.name();
    const kind = r.u8();
    if (kind === ExternalKind.func) {
      r.u32(); // type index
    } else if (kind === ExternalKind.table) {
      r.u8(); // reference type
      skipLimits(r);
    } else if (kind === ExternalKind.memory) {
      skipLimits(r);
    } else if (kind === ExternalKind.global) {
      r.skip(2); // value type (one byte: the decoder accepts no typed references), mutability
    } else if (kind === ExternalKind.tag) {
      r.u8(); // attribute
      r.u32(); // type index
    } else {
      r.fail(`unknown import kind ${kind}`);
    }
    imports.push({ module, name, kind });
  }
  return imports;
}

/** The module's function imports in import order. Throws MalformedModuleError on bytes that are not a module. */
export function functionImports(bytes: Uint8Array): FunctionImport[] {
  const section = readSections(bytes).find((s) => s.id === SectionId.import);
  if (section === undefined) return [];
  return readImports(bytes, section)
    .filter((i) => i.kind === ExternalKind.func)
    .map(({ module, name }) => ({ module, name }));
}

/** Limits: flags, then the minimum and, when flag bit 0 is set, the maximum (LEB128 of up to 64 bits for memory64). */
function skipLimits(r: Reader): void {
  const flags = r.u8();
  skipLeb(r);
  if (flags & 1) skipLeb(r);
}

function skipLeb(r: Reader): void {
  while (r.u8() & 0x80);
}
