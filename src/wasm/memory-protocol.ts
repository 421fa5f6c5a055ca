// The memory protocol between deploy and sandbox: a module's one memory becomes an import the host fills, and its
// limits travel in a custom section (the JS API cannot tell an imported memory's limits). Names only and the
// section's encoding: the sandbox bundle carries this file, not the rewriting pass (memory-import.ts).

/** The import the rewritten module takes its memory from. */
export const MEMORY_IMPORT_MODULE = "__helios";
export const MEMORY_IMPORT_NAME = "memory";
/** Custom section holding the imported memory's limits, as JSON `{"initial":n,"maximum":m}` (pages). */
export const MEMORY_LIMITS_SECTION = "__helios_memory";

export interface MemoryLimits {
  /** Pages the memory starts with. */
  initial: number;
  /** Pages it may grow to; absent: no maximum declared. */
  maximum?: number;
}

const MAX_PAGES = 65536;

export function encodeMemoryLimits(limits: MemoryLimits): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(limits));
}

/** The limits in a MEMORY_LIMITS_SECTION payload, or null when it is not one this toolkit wrote. */
export function decodeMemoryLimits(payload: ArrayBuffer): MemoryLimits | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(payload));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { initial, maximum } = value as Record<string, unknown>;
  const pages = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= MAX_PAGES;
  if (!pages(initial)) return null;
  if (maximum === undefined) return { initial };
  if (!pages(maximum) || maximum < initial) return null;
  return { initial, maximum };
}
