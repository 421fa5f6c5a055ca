// Host-call floods for bench-hostcalls.mjs: for every host function, guests that call it in an endless loop with
// one kind of argument (a success at the largest size, and each cheap refusal: a length of -1, a pointer outside
// memory, invalid UTF-8, a buffer too small, a quota used up, ...) until the fuel budget runs out. Fuel bounds wall
// time when every flood's ns per fuel stays within a small factor of a plain loop's at the same budget.
//
// Node 20 has no JSPI, so heliosdb_edge_invoke and heliosdb_http_fetch are linked as plain functions (a shim for
// WebAssembly.Suspending/promising, set up only by this benchmark) and only their refusal paths run: each of those
// returns before the parent would be asked. What a successful edge call or fetch costs is the parent's work,
// bounded by the per-invocation quotas and the call tree's budget (docs/limits.md).

const MIB = 1024 * 1024;

/** Writes `text` as a WAT data string (bytes escaped). */
function dataString(bytes) {
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
}

const ascii = (n) => new TextEncoder().encode("a".repeat(n));
const twoByte = (n) => new TextEncoder().encode("é".repeat(n / 2));
const invalidUtf8 = (n) => new Uint8Array(n).fill(0xff);

const SIGNATURES = {
  heliosdb_log: "(param i32 i32 i32) (result i32)",
  heliosdb_output: "(param i32 i32) (result i32)",
  heliosdb_config_get: "(param i32 i32 i32 i32 i32) (result i32)",
  heliosdb_function_name: "(param i32 i32 i32) (result i32)",
  heliosdb_region_name: "(param i32 i32 i32) (result i32)",
  heliosdb_clock_now_ms: "(result i64)",
  heliosdb_random_bytes: "(param i32 i32) (result i32)",
  heliosdb_alloc: "(param i32) (result i32)",
  heliosdb_dealloc: "(param i32 i32) (result i32)",
  heliosdb_edge_invoke: "(param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)",
  heliosdb_http_fetch: "(param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)",
  heliosdb_request_header: "(param i32 i32 i32 i32 i32) (result i32)",
  heliosdb_request_body: "(param i32 i32 i32) (result i32)",
  fd_write: "(param i32 i32 i32 i32) (result i32)",
  random_get: "(param i32 i32) (result i32)",
};

/** Import modules other than "heliosdb". */
const IMPORT_MODULE = { fd_write: "wasi_snapshot_preview1", random_get: "wasi_snapshot_preview1" };

// Data is placed at DATA (64 KiB in), scratch output at OUT; payloads of up to 8 MiB need 130 pages.
const DATA = 65536;
const OUT = 16;
const FAR = 0xfff0_0000;

/**
 * Cases: `fn` is called as `(call $f ${args})` in the loop. `data` is placed at DATA. `profile`, `config`,
 * `pages` and `maxResponseBytes` configure the run.
 */
export const FLOOD_CASES = [
  { fn: "heliosdb_log", label: "4 KiB ASCII (100 kept, then quota)", data: ascii(4096), args: `(i32.const 1) (i32.const ${DATA}) (i32.const 4096)` },
  { fn: "heliosdb_log", label: "4 KiB two-byte UTF-8", data: twoByte(4096), args: `(i32.const 1) (i32.const ${DATA}) (i32.const 4096)` },
  { fn: "heliosdb_log", label: "refused: 4 KiB invalid UTF-8", data: invalidUtf8(4096), args: `(i32.const 1) (i32.const ${DATA}) (i32.const 4096)` },
  { fn: "heliosdb_log", label: "refused: len -1", args: `(i32.const 1) (i32.const ${DATA}) (i32.const -1)` },
  { fn: "heliosdb_log", label: "refused: ptr outside memory", args: `(i32.const 1) (i32.const ${FAR}) (i32.const 16)` },
  { fn: "heliosdb_log", label: "refused: bad level", data: ascii(16), args: `(i32.const 9) (i32.const ${DATA}) (i32.const 16)` },
  { fn: "heliosdb_output", label: "64 KiB (until 8 MiB, then tooLarge)", args: `(i32.const 0) (i32.const 65536)`, maxResponseBytes: 8 * MIB },
  { fn: "heliosdb_output", label: "refused: len -1", args: `(i32.const 0) (i32.const -1)` },
  { fn: "heliosdb_config_get", label: "4,096-char three-byte value", data: ascii(1), config: { a: "€".repeat(4096) }, args: `(i32.const ${DATA}) (i32.const 1) (i32.const ${2 * DATA}) (i32.const 16384) (i32.const ${OUT})`, pages: 3 },
  { fn: "heliosdb_config_get", label: "refused: bufferTooSmall", data: ascii(1), config: { a: "€".repeat(4096) }, args: `(i32.const ${DATA}) (i32.const 1) (i32.const ${2 * DATA}) (i32.const 0) (i32.const ${OUT})` },
  { fn: "heliosdb_config_get", label: "notFound: 64-byte key", data: ascii(64), args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${2 * DATA}) (i32.const 64) (i32.const ${OUT})` },
  { fn: "heliosdb_config_get", label: "refused: key len -1", args: `(i32.const ${DATA}) (i32.const -1) (i32.const ${2 * DATA}) (i32.const 64) (i32.const ${OUT})` },
  { fn: "heliosdb_config_get", label: "refused: invalid UTF-8 key", data: invalidUtf8(64), args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${2 * DATA}) (i32.const 64) (i32.const ${OUT})` },
  { fn: "heliosdb_function_name", label: "63-char name", args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${OUT})` },
  { fn: "heliosdb_function_name", label: "refused: bufferTooSmall", args: `(i32.const ${DATA}) (i32.const 0) (i32.const ${OUT})` },
  { fn: "heliosdb_function_name", label: "refused: outLenPtr outside memory", args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${FAR})` },
  { fn: "heliosdb_region_name", label: "region", args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${OUT})` },
  { fn: "heliosdb_clock_now_ms", label: "clock", args: "" },
  { fn: "heliosdb_random_bytes", label: "64 KiB", args: `(i32.const ${DATA}) (i32.const 65536)` },
  { fn: "heliosdb_random_bytes", label: "refused: len -1", args: `(i32.const ${DATA}) (i32.const -1)` },
  { fn: "heliosdb_random_bytes", label: "refused: ptr outside memory", args: `(i32.const ${FAR}) (i32.const 65536)` },
  { fn: "heliosdb_alloc", label: "16 bytes (4,096 blocks, then quota)", args: "(i32.const 16)", pages: 16 },
  { fn: "heliosdb_alloc", label: "4 MiB (16 MiB, then quota)", args: `(i32.const ${4 * MIB})`, pages: 512 },
  { fn: "heliosdb_alloc", label: "refused: size -1", args: "(i32.const -1)" },
  { fn: "heliosdb_dealloc", label: "refused: unknown block", args: "(i32.const 64) (i32.const 16)" },
  { fn: "heliosdb_dealloc", label: "no-op: (0, 0)", args: "(i32.const 0) (i32.const 0)" },
  { fn: "heliosdb_edge_invoke", label: "refused: name len -1", profile: ["invoke"], args: `(i32.const ${DATA}) (i32.const -1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${OUT}) (i32.const 64) (i32.const 0)` },
  { fn: "heliosdb_edge_invoke", label: "refused: bad name, 8 MiB payload", profile: ["invoke"], data: ascii(63).map(() => 0x41), args: `(i32.const ${DATA}) (i32.const 63) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${8 * MIB}) (i32.const ${OUT}) (i32.const 64) (i32.const 0)`, pages: 130 },
  { fn: "heliosdb_edge_invoke", label: "refused: no parent, 8 MiB payload", profile: ["invoke"], data: ascii(8), args: `(i32.const ${DATA}) (i32.const 8) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${8 * MIB}) (i32.const ${OUT}) (i32.const 64) (i32.const 0)`, pages: 130 },
  { fn: "heliosdb_http_fetch", label: "refused: url len -1", profile: ["network"], args: `(i32.const 0) (i32.const 0) (i32.const ${DATA}) (i32.const -1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${OUT})` },
  { fn: "heliosdb_http_fetch", label: "refused: host not allowed, 1 MiB body", profile: ["network"], data: new TextEncoder().encode("POSThttp://denied.test/"), args: `(i32.const ${DATA}) (i32.const 4) (i32.const ${DATA + 4}) (i32.const 19) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const ${MIB}) (i32.const ${OUT})`, pages: 20 },
  { fn: "heliosdb_request_header", label: "refused: name len -1", profile: ["minimal"], args: `(i32.const ${DATA}) (i32.const -1) (i32.const ${OUT}) (i32.const 64) (i32.const 0)` },
  { fn: "heliosdb_request_header", label: "notFound: 64-byte name", profile: ["minimal"], data: ascii(64), args: `(i32.const ${DATA}) (i32.const 64) (i32.const ${OUT}) (i32.const 64) (i32.const 0)` },
  { fn: "heliosdb_request_body", label: "refused: out of bounds", profile: ["minimal"], args: `(i32.const ${FAR}) (i32.const 64) (i32.const 0)` },
  { fn: "fd_write", label: "refused: bad fd", profile: ["wasi"], args: "(i32.const 9) (i32.const 0) (i32.const 0) (i32.const 0)" },
  { fn: "fd_write", label: "refused: nwritten outside memory", profile: ["wasi"], args: `(i32.const 1) (i32.const 0) (i32.const 0) (i32.const ${FAR})` },
  { fn: "fd_write", label: "refused: 100,000 iovecs", profile: ["wasi"], args: "(i32.const 1) (i32.const 0) (i32.const 100000) (i32.const 16)" },
  { fn: "random_get", label: "refused: len -1", profile: ["wasi"], args: "(i32.const 0) (i32.const -1)" },
];

/** The plain computation every flood is compared with: an i32 counter in a loop, charged like any guest code. */
export const PLAIN_LOOP = { fn: null, label: "plain fuel loop", args: "" };

/** A guest whose handler runs the case's call forever (or, for the plain loop, an add) until fuel runs out. */
export function floodWat(testCase) {
  const pages = testCase.pages ?? 2;
  const imports = testCase.fn ? `(import "${IMPORT_MODULE[testCase.fn] ?? "heliosdb"}" "${testCase.fn}" (func $f ${SIGNATURES[testCase.fn]}))` : "";
  const data = testCase.data ? `(data (i32.const ${DATA}) "${dataString(testCase.data)}")` : "";
  const body = testCase.fn ? `(drop (call $f ${testCase.args}))` : `(local.set $i (i32.add (local.get $i) (i32.const 1)))`;
  return `(module ${imports}
    (memory (export "memory") ${pages})
    ${data}
    (global $bump (mut i32) (i32.const ${4 * MIB + 3 * DATA}))
    (func (export "helios_alloc") (param $size i32) (result i32)
      (local $p i32) (local $end i32)
      (local.set $p (global.get $bump))
      (local.set $end (i32.add (local.get $p) (local.get $size)))
      (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
        (then (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1))) (i32.const 0))
          (then (return (i32.const 0))))))
      (global.set $bump (local.get $end))
      (local.get $p))
    (func (export "handle") (param i32 i32) (result i64)
      (local $i i32)
      (loop $again ${body} (br $again))
      (i64.const 0)))`;
}

/** Bench-only JSPI stand-ins for Node 20: refusals return a number, so nothing ever suspends. */
export function installJspiShim() {
  const wasm = globalThis.WebAssembly;
  if (wasm.Suspending === undefined) {
    wasm.Suspending = class {
      constructor(fn) {
        return fn;
      }
    };
  }
  if (wasm.promising === undefined) wasm.promising = (fn) => async (...args) => fn(...args);
}
