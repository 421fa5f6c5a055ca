// Scripted database guests for the Workers tests. The payload is a script of steps, each
//   [op: u8][aLen: u32 LE][a bytes][bLen: u32 LE][b bytes]
// run in order by the guest; every step that makes a host call reports [status: i32 LE][len: u32 LE][block] through
// heliosdb_output (the block is what db_query / db_execute placed, empty otherwise). Ops:
//   1 db_query(a = sql, b = params)   2 db_execute(a, b)   3 trap   4 spin until out of fuel
//   5 http_fetch GET a (the URL)      6 db_query(a, b) again and again until it answers non-zero
//   7 edge_invoke(a = function name, b = payload)      8 heliosdb_response_status(409): answer an error status
// Variants import only what their profile grants (a step whose import is missing traps), so each can be deployed
// with exactly that profile. Also: a trigger guest answering a verdict from its config.

const OPS = { query: 1, execute: 2, trap: 3, spin: 4, fetch: 5, queryUntilRefused: 6, invoke: 7, status409: 8 } as const;
export type ScriptOp = keyof typeof OPS;
export interface ScriptStep {
  op: ScriptOp;
  a?: string;
  b?: string;
}

export function script(steps: ScriptStep[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: number[] = [];
  const u32 = (n: number) => parts.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  for (const step of steps) {
    parts.push(OPS[step.op]);
    for (const text of [step.a ?? "", step.b ?? ""]) {
      const bytes = encoder.encode(text);
      u32(bytes.byteLength);
      parts.push(...bytes);
    }
  }
  return new Uint8Array(parts);
}

export interface StepReport {
  status: number;
  /** The placed block as text ("" when none). */
  block: string;
  /** The block as JSON, when it is JSON. */
  json: Record<string, unknown> | null;
}

export function reports(output: Uint8Array): StepReport[] {
  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  const out: StepReport[] = [];
  for (let at = 0; at + 8 <= output.byteLength; ) {
    const status = view.getInt32(at, true);
    const len = view.getUint32(at + 4, true);
    const block = new TextDecoder().decode(output.subarray(at + 8, at + 8 + len));
    let json: Record<string, unknown> | null = null;
    try {
      json = len > 0 ? JSON.parse(block) : null;
    } catch {
      json = null;
    }
    out.push({ status, block, json });
    at += 8 + len;
  }
  return out;
}

interface Imports {
  query?: boolean;
  execute?: boolean;
  fetch?: boolean;
  invoke?: boolean;
}

const SLOT_PTR = 16;
const SLOT_LEN = 20;
const FETCH_RECORD = 32;
const EDGE_OUT = 1024;
const EDGE_CAP = 4096;
const EDGE_LEN = 24;

function scriptGuest(imports: Imports): string {
  const imp = (on: boolean | undefined, text: string) => (on ? text : "");
  const call = (on: boolean | undefined, text: string) => (on ? text : "(unreachable)");
  const dbArgs = `(local.get $a) (local.get $alen) (local.get $b) (local.get $blen) (i32.const ${SLOT_PTR}) (i32.const ${SLOT_LEN})`;
  return `(module
  (import "heliosdb" "heliosdb_output" (func $output (param i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_response_status" (func $status (param i32) (result i32)))
  ${imp(imports.query, `(import "heliosdb" "heliosdb_db_query" (func $query (param i32 i32 i32 i32 i32 i32) (result i32)))`)}
  ${imp(imports.execute, `(import "heliosdb" "heliosdb_db_execute" (func $execute (param i32 i32 i32 i32 i32 i32) (result i32)))`)}
  ${imp(imports.fetch, `(import "heliosdb" "heliosdb_http_fetch" (func $fetch (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))`)}
  ${imp(imports.invoke, `(import "heliosdb" "heliosdb_edge_invoke" (func $invoke (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))`)}
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 8192))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (global.get $bump))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then (if (i32.lt_s (memory.grow (i32.div_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 65536))) (i32.const 0))
        (then (return (i32.const 0))))))
    (global.set $bump (local.get $end))
    (local.get $p))
  (func (export "helios_dealloc") (param i32 i32))
  (func $report (param $status i32)
    (i32.store (i32.const 0) (local.get $status))
    (i32.store (i32.const 4) (i32.load (i32.const ${SLOT_LEN})))
    (drop (call $output (i32.const 0) (i32.const 8)))
    (if (i32.gt_u (i32.load (i32.const ${SLOT_LEN})) (i32.const 0))
      (then (drop (call $output (i32.load (i32.const ${SLOT_PTR})) (i32.load (i32.const ${SLOT_LEN})))))))
  (func $clear
    (i32.store (i32.const ${SLOT_PTR}) (i32.const 0))
    (i32.store (i32.const ${SLOT_LEN}) (i32.const 0)))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $p i32) (local $end i32) (local $op i32) (local $a i32) (local $alen i32) (local $b i32) (local $blen i32) (local $status i32)
    (local.set $p (local.get $ptr))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $op (i32.load8_u (local.get $p)))
        (local.set $alen (i32.load (i32.add (local.get $p) (i32.const 1))))
        (local.set $a (i32.add (local.get $p) (i32.const 5)))
        (local.set $blen (i32.load (i32.add (local.get $a) (local.get $alen))))
        (local.set $b (i32.add (i32.add (local.get $a) (local.get $alen)) (i32.const 4)))
        (local.set $p (i32.add (local.get $b) (local.get $blen)))
        (call $clear)
        (if (i32.eq (local.get $op) (i32.const 1)) (then ${call(imports.query, `(call $report (call $query ${dbArgs}))`)}))
        (if (i32.eq (local.get $op) (i32.const 2)) (then ${call(imports.execute, `(call $report (call $execute ${dbArgs}))`)}))
        (if (i32.eq (local.get $op) (i32.const 3)) (then (unreachable)))
        (if (i32.eq (local.get $op) (i32.const 4)) (then (loop $forever (br $forever))))
        (if (i32.eq (local.get $op) (i32.const 5))
          (then ${call(imports.fetch, `(call $report (call $fetch (i32.const 0) (i32.const 0) (local.get $a) (local.get $alen) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${FETCH_RECORD})))`)}))
        (if (i32.eq (local.get $op) (i32.const 6))
          (then ${call(
            imports.query,
            `(loop $again (call $clear) (local.set $status (call $query ${dbArgs})) (br_if $again (i32.eqz (local.get $status)))) (call $report (local.get $status))`,
          )}))
        (if (i32.eq (local.get $op) (i32.const 7))
          (then ${call(imports.invoke, `(call $report (call $invoke (local.get $a) (local.get $alen) (i32.const 0) (i32.const 0) (local.get $b) (local.get $blen) (i32.const ${EDGE_OUT}) (i32.const ${EDGE_CAP}) (i32.const ${EDGE_LEN})))`)}))
        (if (i32.eq (local.get $op) (i32.const 8)) (then (call $report (call $status (i32.const 409)))))
        (br $next)))
    (i64.const 0)))`;
}

/**
 * Trigger guest (profile compute): answers config "onMatch" when the payload contains config "match", else config
 * "verdict" (each a whole JSON verdict); with neither set, it answers nothing (an invalid verdict). With `query`
 * (profile database_read) it first runs db_query(config "sql") and looks for "match" in the result block instead.
 */
function triggerGuest(query: boolean): string {
  const haystack = query
    ? `(drop (call $config (i32.const 96) (i32.const 3) (i32.const 12288) (i32.const 2048) (i32.const 76)))
       (drop (call $query (i32.const 12288) (i32.load (i32.const 76)) (i32.const 0) (i32.const 0) (i32.const 80) (i32.const 84)))
       (local.set $hay (i32.load (i32.const 80))) (local.set $hlen (i32.load (i32.const 84)))`
    : `(local.set $hay (local.get $ptr)) (local.set $hlen (local.get $len))`;
  return `(module
  (import "heliosdb" "heliosdb_config_get" (func $config (param i32 i32 i32 i32 i32) (result i32)))
  ${query ? `(import "heliosdb" "heliosdb_db_query" (func $query (param i32 i32 i32 i32 i32 i32) (result i32)))` : ""}
  (memory (export "memory") 1)
  (data (i32.const 16) "match")
  (data (i32.const 32) "onMatch")
  (data (i32.const 48) "verdict")
  (data (i32.const 96) "sql")
  (global $bump (mut i32) (i32.const 16384))
  (func (export "helios_alloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (local.get $p))
  ;; Whether [needle, needle + nlen) occurs in [hay, hay + hlen).
  (func $contains (param $hay i32) (param $hlen i32) (param $needle i32) (param $nlen i32) (result i32)
    (local $i i32) (local $j i32)
    (if (i32.eqz (local.get $nlen)) (then (return (i32.const 0))))
    (block $no
      (loop $outer
        (br_if $no (i32.gt_u (i32.add (local.get $i) (local.get $nlen)) (local.get $hlen)))
        (local.set $j (i32.const 0))
        (block $mismatch
          (loop $inner
            (br_if $mismatch (i32.ne (i32.load8_u (i32.add (i32.add (local.get $hay) (local.get $i)) (local.get $j)))
                                     (i32.load8_u (i32.add (local.get $needle) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (if (i32.eq (local.get $j) (local.get $nlen)) (then (return (i32.const 1))))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.const 0))
  (func (export "helios_dealloc") (param i32 i32))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $mlen i32) (local $vlen i32) (local $hay i32) (local $hlen i32)
    ${haystack}
    ;; config "match" -> [1024, 1024 + 1024), its length at 64
    (if (i32.eqz (call $config (i32.const 16) (i32.const 5) (i32.const 1024) (i32.const 1024) (i32.const 64)))
      (then (local.set $mlen (i32.load (i32.const 64)))))
    (if (call $contains (local.get $hay) (local.get $hlen) (i32.const 1024) (local.get $mlen))
      (then
        (if (i32.eqz (call $config (i32.const 32) (i32.const 7) (i32.const 4096) (i32.const 8192) (i32.const 68)))
          (then (return (i64.or (i64.shl (i64.const 4096) (i64.const 32)) (i64.extend_i32_u (i32.load (i32.const 68)))))))))
    (if (i32.eqz (call $config (i32.const 48) (i32.const 7) (i32.const 4096) (i32.const 8192) (i32.const 72)))
      (then (local.set $vlen (i32.load (i32.const 72)))))
    (i64.or (i64.shl (i64.const 4096) (i64.const 32)) (i64.extend_i32_u (local.get $vlen)))))`;
}

/** WAT sources by guest name (the global setup compiles them as `wat:<name>`). */
export const DB_GUEST_WAT: Record<string, string> = {
  "db-read": scriptGuest({ query: true }),
  "db-write": scriptGuest({ query: true, execute: true }),
  "db-write-only": scriptGuest({ execute: true }),
  "db-write-net": scriptGuest({ query: true, execute: true, fetch: true, invoke: true }),
  "db-trigger": triggerGuest(false),
  "db-trigger-query": triggerGuest(true),
};
