// Rewrites a module's one defined memory into an import (MEMORY_IMPORT_MODULE.MEMORY_IMPORT_NAME) with the same
// limits, recorded in a custom section, so a host can hand every instance a memory it created — and reuse one
// between instances after zeroing it, instead of paying for a fresh mapping per instance (src/sandbox/memory-pool.ts).
// A section-level pass over already valid bytes: only the import and memory sections are read, nothing is decoded
// beyond them, and no index moves (an imported memory takes the index the defined one had: defined memories are
// numbered after imported ones, and the new import comes after every existing one).

import { Reader } from "./reader.ts";
import { encodeMemoryLimits, MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME, MEMORY_LIMITS_SECTION, type MemoryLimits } from "./memory-protocol.ts";
import { readImports, readSections, type Section } from "./module-imports.ts";
import { ExternalKind, SECTION_RANK, SectionId } from "./types.ts";
import { Writer } from "./writer.ts";

/**
 * The module with its memory imported, and that memory's limits; `limits` null and the bytes unchanged when there is
 * nothing to rewrite: no defined memory, more than one memory, a memory imported already, or a shared or 64-bit one.
 */
export function importMemory(bytes: Uint8Array): { bytes: Uint8Array; limits: MemoryLimits | null } {
  const sections = readSections(bytes);
  const memory = sections.find((s) => s.id === SectionId.memory);
  const imports = sections.find((s) => s.id === SectionId.import);
  const unchanged = { bytes, limits: null };
  if (memory === undefined) return unchanged;
  const limits = onlyMemory(bytes, memory);
  if (limits === null || (imports !== undefined && readImports(bytes, imports).some((i) => i.kind === ExternalKind.memory))) return unchanged;

  const entry = new Writer(32).name(MEMORY_IMPORT_MODULE).name(MEMORY_IMPORT_NAME).u8(ExternalKind.memory);
  if (limits.maximum === undefined) entry.u8(0).u32(limits.initial);
  else entry.u8(1).u32(limits.initial).u32(limits.maximum);

  const w = new Writer(bytes.length + 64);
  w.bytes(bytes.subarray(0, 8));
  const writeImports = (): void => {
    const body = new Writer(64);
    if (imports === undefined) {
      body.u32(1);
    } else {
      const r = new Reader(bytes, imports.content, imports.end);
      body.u32(r.u32() + 1).range(bytes, r.pos, imports.end);
    }
    w.u8(SectionId.import).sized(body.bytes(entry.finish()));
  };
  let importsWritten = false;
  for (const s of sections) {
    if (!importsWritten && s.id !== SectionId.custom && SECTION_RANK[s.id] >= SECTION_RANK[SectionId.import]) {
      writeImports();
      importsWritten = true;
      if (s.id === SectionId.import) continue;
    }
    // The one the host reads must be this pass's own: a guest's section of that name is dropped.
    if (s.id === SectionId.memory || (s.id === SectionId.custom && customName(bytes, s) === MEMORY_LIMITS_SECTION)) continue;
    w.range(bytes, s.start, s.end);
  }
  if (!importsWritten) writeImports();
  const section = new Writer(64).name(MEMORY_LIMITS_SECTION).bytes(encodeMemoryLimits(limits));
  w.u8(SectionId.custom).sized(section);
  return { bytes: w.finish().slice(), limits };
}

/** The limits of the section's memory when it defines exactly one, neither shared nor 64-bit. */
function onlyMemory(bytes: Uint8Array, section: Section): MemoryLimits | null {
  const r = new Reader(bytes, section.content, section.end);
  if (r.u32() !== 1) return null;
  const flags = r.u8();
  if (flags > 1) return null;
  const initial = r.u32();
  const limits: MemoryLimits = flags === 1 ? { initial, maximum: r.u32() } : { initial };
  return r.atEnd() ? limits : null;
}

function customName(bytes: Uint8Array, section: Section): string | null {
  try {
    return new Reader(bytes, section.content, section.end).name();
  } catch {
    return null;
  }
}
