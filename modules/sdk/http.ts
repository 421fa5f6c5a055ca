// Outbound HTTP (capability "network"): only to hosts on the function's allow-list, through the runtime's gateway.
// Redirects are returned, not followed.

import { parseJson, JsonParseResult } from "./json";
import { HostStatus, statusName } from "./status";

@external("heliosdb", "heliosdb_http_fetch")
declare function heliosdb_http_fetch(
  methodPtr: usize, methodLen: usize, urlPtr: usize, urlLen: usize, headersPtr: usize, headersLen: usize,
  bodyPtr: usize, bodyLen: usize, resultPtr: usize,
): i32;
@external("heliosdb", "heliosdb_dealloc")
declare function heliosdb_dealloc(ptr: usize, size: i32): i32;

export class HttpResponse {
  constructor(
    /** The HTTP status (100-599), or a negative host status when the request was refused or failed. */
    public status: i32,
    public body: Uint8Array,
    /** "name: value" lines, lower-case names. */
    public headers: string,
  ) {}

  /** The request went out and an answer came back (any HTTP status). */
  get ok(): bool {
    return this.status >= 0;
  }

  /** The host status's documented name when refused ("notPermitted", ...), else "ok". */
  get error(): string {
    return statusName(this.status);
  }

  text(): string {
    return String.UTF8.decodeUnsafe(this.body.dataStart, <usize>this.body.length, false);
  }

  json(): JsonParseResult {
    return parseJson(this.text());
  }

  /** The value of header `name` (lower case), or null. */
  header(name: string): string | null {
    const lines = this.headers.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      if (colon > 0 && lines[i].substring(0, colon) == name) return lines[i].substring(colon + 1).trim();
    }
    return null;
  }
}

const resultRecord = memory.data(16);

/** Copies a host-made block out and frees it, so nothing leaks. */
function takeBlock(ptr: usize, len: u32): Uint8Array {
  const bytes = new Uint8Array(<i32>len);
  if (len > 0) {
    memory.copy(bytes.dataStart, ptr, len);
    heliosdb_dealloc(ptr, <i32>len);
  }
  return bytes;
}

/** `headers` are "Name: value" lines separated by "\n". */
export function httpFetch(url: string, method: string = "GET", headers: string = "", body: Uint8Array | null = null): HttpResponse {
  const encodedMethod = String.UTF8.encode(method, false);
  const encodedUrl = String.UTF8.encode(url, false);
  const encodedHeaders = String.UTF8.encode(headers, false);
  const bodyPtr = body !== null ? body.dataStart : 0;
  const bodyLen = body !== null ? <usize>body.length : 0;
  const status = heliosdb_http_fetch(
    changetype<usize>(encodedMethod), <usize>encodedMethod.byteLength,
    changetype<usize>(encodedUrl), <usize>encodedUrl.byteLength,
    changetype<usize>(encodedHeaders), <usize>encodedHeaders.byteLength,
    bodyPtr, bodyLen, resultRecord,
  );
  if (status < 0) return new HttpResponse(status, new Uint8Array(0), "");
  const responseBody = takeBlock(<usize>load<u32>(resultRecord), load<u32>(resultRecord, 4));
  const headerBytes = takeBlock(<usize>load<u32>(resultRecord, 8), load<u32>(resultRecord, 12));
  return new HttpResponse(status, responseBody, String.UTF8.decodeUnsafe(headerBytes.dataStart, <usize>headerBytes.length, false));
}


