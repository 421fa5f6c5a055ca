// Guest memory as WASI calls use it: iovec arrays and out-pointers checked through SafeMemory (unsigned, no 32-bit
// wrap, caps before bounds, all checks before any byte moves), and SafeMemory's refusals turned into errno values.

import { SandboxError } from "./errors.ts";
import type { SafeMemory } from "./safe-memory.ts";
import { Errno, IOVEC_BYTES, MAX_IOVECS, MAX_WASI_IO_BYTES } from "./wasi-abi.ts";

/** A refusal of one WASI call: the errno it answers with. Thrown inside a call, caught by its own wrapper. */
export class WasiRefusal extends Error {
  constructor(readonly errno: Errno) {
    super(`errno ${errno}`);
  }
}

// One refusal object per errno, made once: a guest can repeat a refused call in a loop, and building an Error (its
// stack trace above all) costs microseconds, a hundred times a cheap call (docs/limits.md, "Host call prices").
// Throwing an existing object costs no allocation and no stack capture. They carry nothing but the errno.
const refusals = new Map<Errno, WasiRefusal>();

/** The refusal for `errno`, made on first use and reused. */
export function refusal(errno: Errno): WasiRefusal {
  let made = refusals.get(errno);
  if (made === undefined) {
    made = new WasiRefusal(errno);
    refusals.set(errno, made);
  }
  return made;
}

/** SafeMemory.checkRange for WASI calls: the unsigned start, or the reused EFAULT refusal (no OutOfBoundsError). */
export function checkedRange(memory: SafeMemory, ptr: number, len: number): number {
  if (memory.rangeStatus(ptr, len) !== 0) throw refusal(Errno.fault);
  return ptr >>> 0;
}

/**
 * The errno for what a WASI call's body threw: its own refusal, or SafeMemory's (a range outside memory is EFAULT,
 * anything else it refuses EINVAL). Out of fuel and failures that end the invocation pass through.
 */
export function errnoOf(error: unknown): number {
  if (error instanceof WasiRefusal) return error.errno;
  if (error instanceof SandboxError) return error.code === "out_of_bounds" ? Errno.fault : Errno.inval;
  throw error;
}

export interface Iovecs {
  /** Flat (ptr, len) pairs, read as unsigned. */
  pairs: number[];
  total: number;
}

/**
 * Reads and checks an iovec array, before anything is read or written through it: the count (at most IOV_MAX,
 * else EINVAL), the array itself inside memory (EFAULT), every buffer inside memory with ptr + len computed
 * without wrap (EFAULT), and the total against MAX_WASI_IO_BYTES (EINVAL).
 */
export function readIovecs(memory: SafeMemory, iovsPtr: number, iovsLen: number): Iovecs | Errno {
  // Refusals are returned, not thrown: a guest can repeat them in a loop.
  const count = iovsLen >>> 0;
  if (count > MAX_IOVECS) return Errno.inval;
  if (memory.rangeStatus(iovsPtr, count * IOVEC_BYTES) !== 0) return Errno.fault;
  const base = iovsPtr >>> 0;
  const pairs: number[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const ptr = memory.readU32(base + i * IOVEC_BYTES);
    const len = memory.readU32(base + i * IOVEC_BYTES + 4);
    if (memory.rangeStatus(ptr, len) !== 0) return Errno.fault;
    total += len;
    if (total > MAX_WASI_IO_BYTES) return Errno.inval;
    pairs.push(ptr, len);
  }
  return { pairs, total };
}

/** The bytes an iovec array points at, gathered into one fresh buffer (they were all checked by readIovecs). */
export function gather(memory: SafeMemory, iovecs: Iovecs): Uint8Array {
  const { pairs, total } = iovecs;
  if (pairs.length === 2) return memory.readBytes(pairs[0], pairs[1]);
  const out = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i + 1] === 0) continue;
    out.set(memory.readBytes(pairs[i], pairs[i + 1]), offset);
    offset += pairs[i + 1];
  }
  return out;
}

/** Scatters `data` over the iovec buffers in order; returns the bytes written (at most data.length). */
export function scatter(memory: SafeMemory, iovecs: Iovecs, data: Uint8Array): number {
  const { pairs } = iovecs;
  let offset = 0;
  for (let i = 0; i < pairs.length && offset < data.length; i += 2) {
    const n = Math.min(pairs[i + 1], data.length - offset);
    memory.writeBytes(pairs[i], data.subarray(offset, offset + n));
    offset += n;
  }
  return offset;
}

const encoder = new TextEncoder();

/**
 * Writes a list of strings the way args_get/environ_get do: `count` u32 pointers at `ptrsPtr`, each to its
 * NUL-terminated string, the strings packed from `bufPtr`. Both ranges are checked before anything is written.
 */
export function writeStringList(memory: SafeMemory, ptrsPtr: number, bufPtr: number, encoded: readonly Uint8Array[], bufBytes: number): void {
  const ptrs = checkedRange(memory, ptrsPtr, encoded.length * 4);
  const buf = checkedRange(memory, bufPtr, bufBytes);
  let at = buf;
  for (let i = 0; i < encoded.length; i++) {
    memory.writeU32(ptrs + i * 4, at);
    memory.writeBytes(at, encoded[i]);
    at += encoded[i].length;
  }
}

/** Each string as UTF-8 with its NUL, and their total size. */
export function encodeStringList(strings: readonly string[]): { encoded: Uint8Array[]; bytes: number } {
  const encoded: Uint8Array[] = [];
  let bytes = 0;
  for (const s of strings) {
    const e = encoder.encode(`${s}\0`);
    encoded.push(e);
    bytes += e.length;
  }
  return { encoded, bytes };
}
