// Version-2 guests (docs/abi.md "Version 2"): they read the request through the heliosdb_request_* calls and set
// the response with heliosdb_response_status/header and heliosdb_output. Listed in GUEST_WAT (guest-modules.ts).

const IMPORTS = `
  (import "heliosdb" "heliosdb_request_method" (func $method (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_path" (func $path (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_query" (func $query (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_headers" (func $headers (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_header" (func $header (param i32 i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_body" (func $body (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_response_status" (func $status (param i32) (result i32)))
  (import "heliosdb" "heliosdb_response_header" (func $set_header (param i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_output" (func $output (param i32 i32) (result i32)))
  (memory (export "memory") 4)`;

/** Calls a request-field function into the buffer at 4096 (cap 200,000) and emits what it wrote plus a newline. */
const emitField = (fn: string) => `
    (drop (call ${fn} (i32.const 4096) (i32.const 200000) (i32.const 8)))
    (drop (call $output (i32.const 4096) (i32.load (i32.const 8))))
    (drop (call $output (i32.const 80) (i32.const 1)))`;

export const HTTP_GUEST_WAT = {
  /**
   * Answers 201, content-type text/plain and x-guest: yes, with one line each of method, path, query, the value of
   * x-probe (or "-"), then the header lines and the body.
   */
  "http-echo": `(module ${IMPORTS}
    (data (i32.const 16) "content-type")
    (data (i32.const 32) "text/plain")
    (data (i32.const 48) "x-guest")
    (data (i32.const 64) "yes")
    (data (i32.const 80) "\\n")
    (data (i32.const 96) "X-Probe")
    (data (i32.const 112) "-")
    (func (export "handle_request")
      (drop (call $status (i32.const 201)))
      (drop (call $set_header (i32.const 16) (i32.const 12) (i32.const 32) (i32.const 10)))
      (drop (call $set_header (i32.const 48) (i32.const 7) (i32.const 64) (i32.const 3)))
      ${emitField("$method")}
      ${emitField("$path")}
      ${emitField("$query")}
      (if (i32.eqz (call $header (i32.const 96) (i32.const 7) (i32.const 4096) (i32.const 1000) (i32.const 8)))
        (then (drop (call $output (i32.const 4096) (i32.load (i32.const 8)))))
        (else (drop (call $output (i32.const 112) (i32.const 1)))))
      (drop (call $output (i32.const 80) (i32.const 1)))
      ${emitField("$headers")}
      ${emitField("$body")}))`,
  /** Sets a header whose value carries CR LF (response splitting): the invocation must fail. */
  "http-bad-header": `(module ${IMPORTS}
    (data (i32.const 16) "x-split")
    (data (i32.const 32) "a\\0d\\0aset-cookie: stolen=1")
    (func (export "handle_request")
      (drop (call $set_header (i32.const 16) (i32.const 7) (i32.const 32) (i32.const 25)))
      (drop (call $output (i32.const 32) (i32.const 1)))))`,
};
