// Memories for the instances of one guest module, reused between invocations (Wasmtime's pooling allocator, on a
// small scale). Creating a WebAssembly.Memory is most of what `new WebAssembly.Instance` costs for a small guest:
// V8 reserves and maps the whole guarded address range each time and unmaps it at the next GC (about 40 of 45 µs
// for a one-page guest under Node 20), while zeroing a one-page memory takes under half a microsecond. The deploy
// rewrites the module's memory into an import (src/wasm/memory-import.ts) and records its limits in a custom
// section; this pool hands each instance one.
//
// SAFETY (the fresh-instance invariant): an instance sees exactly what a fresh module-defined memory would give it:
// `initial` pages of zeros, the same maximum, then its own data segments (written by instantiation). `acquire`
// zeroes a reused memory before handing it out, so nothing a previous invocation wrote — or anything written late
// through a reference that outlived it — reaches the next one; and only memories still at `initial` pages return
// (a memory cannot shrink, so a grown one would start the next instance larger). An isolate runs one function
// version, so a pooled memory never passes between functions either.

import { decodeMemoryLimits, MEMORY_IMPORT_MODULE, MEMORY_IMPORT_NAME, MEMORY_LIMITS_SECTION, type MemoryLimits } from "../wasm/memory-protocol.ts";

const PAGE_BYTES = 65536;

/**
 * Largest memory reused (pages): zeroing costs about 0.5 µs a page, a fresh memory about 17 µs plus a page fault per
 * page the guest touches, so up to 2 MiB zeroing is the cheaper of the two; larger memories are created fresh.
 */
export const POOLED_MEMORY_MAX_PAGES = 32;
/** Idle memories kept per module: more than one only while invocations overlap (async host calls suspend them). */
export const POOLED_MEMORY_MAX_IDLE = 4;

export class MemoryPool {
  private readonly idle: WebAssembly.Memory[] = [];
  private readonly descriptor: WebAssembly.MemoryDescriptor;
  private readonly reusable: boolean;

  constructor(readonly limits: MemoryLimits) {
    this.descriptor = limits.maximum === undefined ? { initial: limits.initial } : { initial: limits.initial, maximum: limits.maximum };
    this.reusable = limits.initial <= POOLED_MEMORY_MAX_PAGES;
  }

  /** A memory for one instance: a reused one zeroed, else a new one. */
  acquire(): WebAssembly.Memory {
    const memory = this.idle.pop();
    if (memory === undefined) return new WebAssembly.Memory(this.descriptor);
    new Uint8Array(memory.buffer).fill(0);
    return memory;
  }

  /** Back after its instance is done with it: kept only if it never grew and the pool has room. */
  release(memory: WebAssembly.Memory): void {
    if (!this.reusable || this.idle.length >= POOLED_MEMORY_MAX_IDLE) return;
    if (memory.buffer.byteLength !== this.limits.initial * PAGE_BYTES) return;
    this.idle.push(memory);
  }

  /** Memories waiting for an instance (tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}

const pools = new WeakMap<WebAssembly.Module, MemoryPool | null>();

/**
 * The pool for a module that imports its memory (MEMORY_IMPORT_MODULE.MEMORY_IMPORT_NAME), null for one that defines
 * its own (deployed before the rewrite existed, or with no memory). Decided once per module.
 */
export function memoryPoolFor(module: WebAssembly.Module): MemoryPool | null {
  let pool = pools.get(module);
  if (pool !== undefined) return pool;
  pool = null;
  const imported = WebAssembly.Module.imports(module).some((i) => i.kind === "memory" && i.module === MEMORY_IMPORT_MODULE && i.name === MEMORY_IMPORT_NAME);
  const sections = WebAssembly.Module.customSections(module, MEMORY_LIMITS_SECTION);
  if (imported && sections.length === 1) {
    const limits = decodeMemoryLimits(sections[0]!);
    if (limits !== null) pool = new MemoryPool(limits);
  }
  // An import without readable limits is left unlinked: instantiation then fails as a guest_abi_violation.
  pools.set(module, pool);
  return pool;
}

/** The import object entry that gives an instance `memory`. */
export function memoryImport(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { [MEMORY_IMPORT_MODULE]: { [MEMORY_IMPORT_NAME]: memory } };
}
