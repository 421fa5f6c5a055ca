// Version 2 of the ABI (docs/abi.md, "Version 2"): the function is an HTTP handler. The module exports
// `handle_request(): void`; it reads the request with `request.*` and answers with `response.*`. All of these are
// granted by the `minimal` profile.
//
//   import { request, response } from "../sdk";
//   export function handle_request(): void {
//     response.header("content-type", "text/plain");
//     response.send("you asked for " + request.path());
//   }

import { HostStatus } from "./status";

@external("heliosdb", "heliosdb_request_method")
declare function heliosdb_request_method(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_request_path")
declare function heliosdb_request_path(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_request_query")
declare function heliosdb_request_query(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_request_headers")
declare function heliosdb_request_headers(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_request_header")
declare function heliosdb_request_header(namePtr: usize, nameLen: usize, outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_request_body")
declare function heliosdb_request_body(outPtr: usize, outCap: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_response_status")
declare function heliosdb_response_status(status: i32): i32;
@external("heliosdb", "heliosdb_response_header")
declare function heliosdb_response_header(namePtr: usize, nameLen: usize, valuePtr: usize, valueLen: usize): i32;
@external("heliosdb", "heliosdb_output")
declare function heliosdb_output(ptr: usize, len: usize): i32;

const lengthSlot = memory.data(4);
// AssemblyScript closures cannot capture, so a header name travels to the callback through this global.
let pendingName: ArrayBuffer = new ArrayBuffer(0);

/** Calls `fill` with a `first`-byte buffer, retrying once with the size the host asked for; null when refused. */
function readBytes(first: i32, fill: (ptr: usize, cap: usize, lenPtr: usize) => i32): Uint8Array | null {
  let buffer = new Uint8Array(first);
  let status = fill(buffer.dataStart, <usize>buffer.length, lengthSlot);
  if (status == HostStatus.BufferTooSmall) {
    buffer = new Uint8Array(<i32>load<u32>(lengthSlot));
    status = fill(buffer.dataStart, <usize>buffer.length, lengthSlot);
  }
  if (status < 0) return null;
  return buffer.subarray(0, <i32>load<u32>(lengthSlot));
}

function text(bytes: Uint8Array | null): string {
  return bytes === null ? "" : String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length, false);
}

export namespace request {
  /** `GET`, `POST`, ... */
  export function method(): string {
    return text(readBytes(16, (p: usize, c: usize, l: usize): i32 => heliosdb_request_method(p, c, l)));
  }
  /** The path below the function's name, from `/`, percent-encoding as sent. */
  export function path(): string {
    return text(readBytes(256, (p: usize, c: usize, l: usize): i32 => heliosdb_request_path(p, c, l)));
  }
  /** The query string without `?`; "" when none. */
  export function query(): string {
    return text(readBytes(256, (p: usize, c: usize, l: usize): i32 => heliosdb_request_query(p, c, l)));
  }
  /** Every header as `name: value\n` lines, names in lower case (never the caller's Authorization). */
  export function headers(): string {
    return text(readBytes(1024, (p: usize, c: usize, l: usize): i32 => heliosdb_request_headers(p, c, l)));
  }
  /** One header's value (name matched case-insensitively), or null when absent. */
  export function header(name: string): string | null {
    pendingName = String.UTF8.encode(name, false);
    const bytes = readBytes(256, (p: usize, c: usize, l: usize): i32 =>
      heliosdb_request_header(changetype<usize>(pendingName), <usize>pendingName.byteLength, p, c, l),
    );
    return bytes === null ? null : text(bytes);
  }
  /** The body's bytes. */
  export function body(): Uint8Array {
    const bytes = readBytes(4096, (p: usize, c: usize, l: usize): i32 => heliosdb_request_body(p, c, l));
    return bytes === null ? new Uint8Array(0) : bytes;
  }
  /** The body as UTF-8 text (invalid sequences become U+FFFD). */
  export function bodyText(): string {
    return text(body());
  }
}

export namespace response {
  /** Sets the status (default 200); returns the host status (invalidArgument outside 200-599 is caught at the end). */
  export function status(code: i32): i32 {
    return heliosdb_response_status(code);
  }
  /** Appends a header. Names and values are checked by the host (docs/abi.md, "Response headers"). */
  export function header(name: string, value: string): i32 {
    const n = String.UTF8.encode(name, false);
    const v = String.UTF8.encode(value, false);
    return heliosdb_response_header(changetype<usize>(n), <usize>n.byteLength, changetype<usize>(v), <usize>v.byteLength);
  }
  /** Appends UTF-8 text to the body; tooLarge past maxResponseBytes. */
  export function send(body: string): i32 {
    const encoded = String.UTF8.encode(body, false);
    return heliosdb_output(changetype<usize>(encoded), <usize>encoded.byteLength);
  }
  /** Appends bytes to the body. */
  export function sendBytes(body: Uint8Array): i32 {
    return heliosdb_output(body.dataStart, <usize>body.length);
  }
}
