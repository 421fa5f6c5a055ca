// The functions a module imports, read from its import section alone: what a host that already holds a module's
// bytes (a deployed, validated module) needs to know about its imports without compiling it or decoding the rest.
// A section-level pass: every other section is skipped by its size.

import { Reader } from "./reader.ts";
import { SectionId } from "./types.ts";

export interface FunctionImport {
  module: string;
  name: string;
}

const FUNCTION_KIND = 0;
const TABLE_KIND = 1;
const MEMORY_KIND = 2;
const GLOBAL_KIND = 3;
const TAG_KIND = 4;

/** The module's function imports in import order. Throws MalformedModuleError on bytes that are not a module. */
export function functionImports(bytes: Uint8Array): FunctionImport[] {
  const r = new Reader(bytes, 8);
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    if (id !== SectionId.import) {
      r.skip(size);
      continue;
    }
    const section = new Reader(bytes, r.pos, r.pos + size);
    const imports: FunctionImport[] = [];
    for (let n = section.count(3); n > 0; n--) {
      const module = section.name();
      const name = section.name();
      const kind = section.u8();
      if (kind === FUNCTION_KIND) {
        section.u32(); // type index
        imports.push({ module, name });
      } else if (kind === TABLE_KIND) {
        section.u8(); // reference type
        skipLimits(section);
      } else if (kind === MEMORY_KIND) {
        skipLimits(section);
      } else if (kind === GLOBAL_KIND) {
        section.skip(2); // value type (one byte: the decoder accepts no typed references), mutability
      } else if (kind === TAG_KIND) {
        section.u8(); // attribute
        section.u32(); // type index
      } else {
        section.fail(`unknown import kind ${kind}`);
      }
    }
    return imports;
  }
  return [];
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
