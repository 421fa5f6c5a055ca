// Small hand-written guests that follow the ABI (docs/abi.md: memory, helios_alloc, handle -> packed i64),
// each with one behaviour the API tests need. Compiled with wabt in Node; the Workers tests receive the
// bytes through vitest's provide/inject (test/integration/global-setup.ts).
import { watToBytes } from "../../src/wasm/fixtures.ts";
import { HTTP_GUEST_WAT } from "./http-guests.ts";
import { WASI_GUEST_WAT } from "./wasi-guests.ts";

/** Bump allocator that grows memory on demand; shared by every guest below. */
const ALLOCATOR = `
  (global $bump (mut i32) (i32.const 4096))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.lt_s
              (memory.grow (i32.div_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 65536)))
              (i32.const 0))
          (then (unreachable)))))
    (global.set $bump (local.get $end))
    (local.get $p))
`;

function guest(body: string, memory = "(memory (export \"memory\") 1)"): string {
  return `(module ${memory} ${ALLOCATOR} ${body})`;
}

/** Returns the constant `text` (ASCII) whatever the payload. */
export function constantGuestWat(text: string): string {
  const packed = (1024n << 32n) | BigInt(text.length);
  return guest(`
    (data (i32.const 1024) "${text}")
    (func (export "handle") (param i32 i32) (result i64) (i64.const ${packed}))`);
}

export const GUEST_WAT = {
  ...HTTP_GUEST_WAT,
  ...WASI_GUEST_WAT,
  /** Output = payload. */
  echo: guest(`
    (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
      (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))`),
  /**
   * Answers '0' + the byte at 2000 and '0' + memory.size, then sets that byte, and grows one page when the payload is
   * not empty: every invocation must answer "01", whatever the ones before it did (a fresh memory each time).
   */
  "memory-residue": guest(`
    (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
      (i32.store8 (i32.const 3000) (i32.add (i32.const 48) (i32.load8_u (i32.const 2000))))
      (i32.store8 (i32.const 3001) (i32.add (i32.const 48) (memory.size)))
      (i32.store8 (i32.const 2000) (i32.const 1))
      (if (i32.gt_u (local.get $len) (i32.const 0)) (then (drop (memory.grow (i32.const 1)))))
      (i64.or (i64.shl (i64.const 3000) (i64.const 32)) (i64.const 2)))`),
  /** Never returns: a loop with no exit. */
  spin: guest(`
    (func (export "handle") (param i32 i32) (result i64)
      (loop $forever (br $forever))
      (i64.const 0))`),
  /** Traps immediately. */
  trap: guest(`(func (export "handle") (param i32 i32) (result i64) (unreachable))`),
  /** Grows memory one page at a time until refused, then traps. */
  "memory-hog": guest(`
    (func (export "handle") (param i32 i32) (result i64)
      (loop $more (br_if $more (i32.ge_s (memory.grow (i32.const 1)) (i32.const 0))))
      (unreachable))`),
  /** Claims 60 KiB of output (inside its memory). */
  "big-output": guest(`(func (export "handle") (param i32 i32) (result i64) (i64.const ${(0n << 32n) | 61440n}))`),
  /** Claims output far outside its memory. */
  "wild-output": guest(`(func (export "handle") (param i32 i32) (result i64) (i64.const ${(0xfff0_0000n << 32n) | 16n}))`),
  /** Its allocator hands out a block outside its memory. */
  "bad-alloc": `(module (memory (export "memory") 1)
    (func (export "helios_alloc") (param i32) (result i32) (i32.const -256))
    (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))`,
  /** Imports a host function no profile grants. */
  "forbidden-import": `(module
    (import "env" "system" (func $system (param i32) (result i32)))
    (memory (export "memory") 1) ${ALLOCATOR}
    (func (export "handle") (param i32 i32) (result i64) (drop (call $system (i32.const 0))) (i64.const 0)))`,
  /** Valid WebAssembly without the ABI's handler export. */
  "no-handler": `(module (memory (export "memory") 1) ${ALLOCATOR})`,
  /** Asks for 64 pages up front. */
  "big-memory": guest(`(func (export "handle") (param i32 i32) (result i64) (i64.const 0))`, `(memory (export "memory") 64)`),
  /** Shared memory needs the threads proposal, which the runtime does not run. */
  threads: guest(`(func (export "handle") (param i32 i32) (result i64) (i64.const 0))`, `(memory (export "memory") 1 1 shared)`),
  /** An atomic instruction in a function body (V8 runs the threads proposal, the runtime does not). */
  "atomic-body": guest(`(func (export "handle") (param i32 i32) (result i64) (drop (i32.atomic.load (i32.const 0))) (i64.const 0))`),
  /** The same, without the ABI's handler export as well: two reasons to refuse it. */
  "atomic-body-no-handler": guest(`(func (export "work") (drop (i32.atomic.load (i32.const 0))))`),
  v1: constantGuestWat("v1"),
  v2: constantGuestWat("v2"),
  hello: constantGuestWat("hello from helios"),
} as const;

export type GuestName = keyof typeof GUEST_WAT;

const FEATURES: Partial<Record<GuestName, string[]>> = { threads: ["threads"], "atomic-body": ["threads"], "atomic-body-no-handler": ["threads"] };

/** Every guest, compiled. */
export async function compileGuests(): Promise<Record<GuestName, Uint8Array>> {
  const entries = await Promise.all(
    (Object.keys(GUEST_WAT) as GuestName[]).map(async (name) => [name, await watToBytes(GUEST_WAT[name], FEATURES[name] ?? [])] as const),
  );
  return Object.fromEntries(entries) as Record<GuestName, Uint8Array>;
}

/**
 * A guest of about `targetBytes` made of real code (thousands of small arithmetic functions), for cold-start
 * measurements; `seed` changes the bytes, so every call yields a module (and an isolate) never seen before.
 * The handler calls the first function and returns the payload.
 */
export async function sizedGuest(targetBytes: number, seed: number): Promise<Uint8Array> {
  const bytesPerFunction = 32; // a first guess, corrected from the compiled size below
  let count = Math.max(1, Math.round(targetBytes / bytesPerFunction));
  for (let attempt = 0; ; attempt++) {
    const bytes = await watToBytes(sizedGuestWat(count, seed));
    if (attempt === 3 || Math.abs(bytes.length - targetBytes) < targetBytes * 0.02) return bytes;
    count = Math.max(1, Math.round((count * targetBytes) / bytes.length));
  }
}

function sizedGuestWat(count: number, seed: number): string {
  const functions: string[] = [];
  for (let i = 0; i < count; i++) {
    functions.push(`(func $f${i} (param $x i32) (result i32)
      (i32.add (i32.xor (i32.mul (i32.add (local.get $x) (i32.const ${(seed * 7919 + i) % 2_000_000_000})) (i32.const 31)) (i32.const ${i * 13 + 7}))
        (i32.rotl (i32.sub (local.get $x) (i32.const ${i})) (i32.const 5)))
      (drop) (local.get $x))`);
  }
  return guest(`
    ${functions.join("\n")}
    (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
      (drop (call $f0 (local.get $len)))
      (i64.or (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32)) (i64.extend_i32_u (local.get $len))))`);
}
