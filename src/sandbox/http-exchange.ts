// The HTTP side of one invocation: the request the guest may read (method, path, query, headers; the body is the
// payload) and the response head it may set (status, headers), with the validation every header the guest sets goes
// through. Used by the version-2 host calls (host-http.ts) and by WASI's CGI header block (wasi-stdio.ts).

import { InvalidResponseHeaderError } from "./errors.ts";

/** The request as the guest sees it. The caller's Authorization header never gets here (the API drops it). */
export interface HttpRequestInfo {
  /** Upper case, as sent ("GET", "PUT", ...). */
  method: string;
  /** The path below the function, starting with "/", percent-encoding kept as sent ("/" at the function's root). */
  path: string;
  /** The query string without its "?", as sent ("" when there is none). */
  query: string;
  /** Lower-case names, in the order the platform lists them (Headers iteration: sorted, repeated ones joined). */
  headers: [string, string][];
}

/** What the guest set: absent from an outcome when it set nothing, so version-1 answers stay exactly as they were. */
export interface HttpResponseHead {
  status: number;
  /** Each `[name, value]`, name in lower case, in the order set (typed loosely: RPC's types drop tuple lengths). */
  headers: string[][];
}

/** What a request made without HTTP details (an edge_invoke, an old caller) looks like to the guest. */
export const DEFAULT_HTTP_REQUEST: Readonly<HttpRequestInfo> = Object.freeze({ method: "POST", path: "/", query: "", headers: [] });

/** At most this many response headers per invocation (docs/limits.md). */
export const MAX_RESPONSE_HEADERS = 100;
/** One header name, in bytes. */
export const MAX_RESPONSE_HEADER_NAME_BYTES = 256;
/** One header value, in bytes. */
export const MAX_RESPONSE_HEADER_VALUE_BYTES = 8192;
/** All response header names and values together, in bytes. */
export const MAX_RESPONSE_HEADER_BYTES = 32 * 1024;
/** The statuses a guest may answer with: what a Worker's `Response` accepts, minus 1xx (not a final answer). */
export const MIN_RESPONSE_STATUS = 200;
export const MAX_RESPONSE_STATUS = 599;

/**
 * Names the guest may not set: hop-by-hop headers (RFC 9110 §7.6.1; they describe one connection, which the runtime
 * owns), the framing the runtime computes itself (content-length), and the runtime's own `x-helios-*` namespace.
 */
export const RESERVED_RESPONSE_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
]);
export const RESERVED_RESPONSE_HEADER_PREFIX = "x-helios-";

/** RFC 9110 token: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A value: visible ASCII, space and tab, not starting or ending with whitespace. No CR, LF, NUL or non-ASCII. */
const VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?$/;

/** The response head one invocation builds up. Every refusal fails the invocation (InvalidResponseHeaderError). */
export class ResponseHead {
  status: number | null = null;
  readonly headers: [string, string][] = [];
  private bytes = 0;

  /** True when the guest set anything: only then does the outcome carry a head. */
  get touched(): boolean {
    return this.status !== null || this.headers.length > 0;
  }

  setStatus(status: number, source: string): void {
    if (!Number.isInteger(status) || status < MIN_RESPONSE_STATUS || status > MAX_RESPONSE_STATUS) {
      throw new InvalidResponseHeaderError("status", `status ${status} is not between ${MIN_RESPONSE_STATUS} and ${MAX_RESPONSE_STATUS}`, source);
    }
    this.status = status;
  }

  /** Appends one header (repeated names are kept, e.g. set-cookie), after checking it against every rule. */
  addHeader(rawName: string, value: string, source: string): void {
    const name = rawName.toLowerCase();
    const shown = rawName.length > 64 ? `${rawName.slice(0, 64)}…` : rawName;
    const refuse = (reason: string): never => {
      throw new InvalidResponseHeaderError(shown, reason, source);
    };
    if (this.headers.length >= MAX_RESPONSE_HEADERS) refuse(`more than ${MAX_RESPONSE_HEADERS} response headers`);
    if (name.length === 0) refuse("empty header name");
    if (name.length > MAX_RESPONSE_HEADER_NAME_BYTES) refuse(`header name over ${MAX_RESPONSE_HEADER_NAME_BYTES} bytes`);
    if (!TOKEN.test(name)) refuse("header name is not an HTTP token (no spaces, colons, CR or LF)");
    if (value.length > MAX_RESPONSE_HEADER_VALUE_BYTES) refuse(`header value over ${MAX_RESPONSE_HEADER_VALUE_BYTES} bytes`);
    if (!VALUE.test(value)) refuse("header value has CR, LF, NUL, another control character, non-ASCII, or surrounding whitespace");
    if (RESERVED_RESPONSE_HEADERS.has(name)) refuse("reserved header: the runtime sets it");
    if (name.startsWith(RESERVED_RESPONSE_HEADER_PREFIX)) refuse(`the ${RESERVED_RESPONSE_HEADER_PREFIX}* namespace is reserved for the runtime`);
    // Names and values are ASCII here, so string length is byte length.
    if (this.bytes + name.length + value.length > MAX_RESPONSE_HEADER_BYTES) refuse(`response headers over ${MAX_RESPONSE_HEADER_BYTES} bytes in all`);
    this.bytes += name.length + value.length;
    this.headers.push([name, value]);
  }

  /** The head for the outcome, or undefined when the guest set nothing. */
  result(): HttpResponseHead | undefined {
    return this.touched ? { status: this.status ?? 200, headers: this.headers } : undefined;
  }
}

/** `name: value\n` lines, the format http_fetch's response headers already use. */
export function headerLines(headers: readonly [string, string][]): string {
  let text = "";
  for (const [name, value] of headers) text += `${name}: ${value}\n`;
  return text;
}
