// heliosdb_http_fetch (profile `network`): an HTTP request to a host on the function's allow-list. The isolate has
// no network of its own (globalOutbound: null); the request goes through the parent's outbound gateway, which
// checks the allow-list again. The response comes back in host-made blocks the guest frees with heliosdb_dealloc.

import { HOST_MODULE } from "./guest-abi.ts";
import { billable, chargeHostCall, checkDeadline, chargeHostCallRest, guarded, guardedAsync, HOST_CALL_BYTES_PER_FUEL, type HostContext } from "./host-call.ts";
import { type CallCounter, defineHostState, type HostCallPrice, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import type { HttpFetchOutcome } from "./host-bridge.ts";
import { HostStatus } from "./host-status.ts";
import { takeHandoff } from "./bridge-handoff.ts";

const I32 = "i32" as const;

/** A fetch goes through the parent's gateway (RPC, allow-list, a connection): far more than a sync host call. */
export const HTTP_FETCH_BASE_FUEL = 10_000;
export const MAX_FETCH_METHOD_BYTES = 16;
export const MAX_FETCH_URL_BYTES = 2048;
export const MAX_FETCH_HEADER_BYTES = 8192;
export const MAX_FETCH_BODY_BYTES = 1024 * 1024;
export const MAX_HTTP_FETCHES_PER_INVOCATION = 16;
/** Bytes of the result record at resultPtr: u32 bodyPtr, u32 bodyLen, u32 headersPtr, u32 headersLen. */
export const FETCH_RESULT_BYTES = 16;

/** Fetches made so far by the invocation. */
export const HTTP_FETCH_STATE = defineHostState<CallCounter>("http-fetch calls", () => ({ count: 0 }));

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the guest may not set: they would let it steer the connection around the allow-list or the framing. */
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "upgrade", "proxy-authorization"]);

/** Lower-case `host[:port]` as URL.host gives it: the unit of the allow-list. */
export function isHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  return (url.protocol === "https:" || url.protocol === "http:") && allowedHosts.includes(url.host.toLowerCase());
}

/** Parses "Name: value" lines (LF or CRLF); null when a line is not a valid header. */
export function parseHeaderLines(text: string): [string, string][] | null {
  const headers: [string, string][] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (!TOKEN.test(name) || RESERVED_HEADERS.has(name) || /[\0\r\n]/.test(value)) return null;
    headers.push([name, value]);
  }
  return headers;
}

/**
 * heliosdb_http_fetch(methodPtr, methodLen, urlPtr, urlLen, headersPtr, headersLen, bodyPtr, bodyLen, resultPtr)
 * -> HTTP status (100-599) or a negative status. methodLen 0 means GET; headers are "Name: value" lines. On success
 * the record at resultPtr holds the response body and header lines as host-made blocks (0, 0 when empty).
 */
export const HTTP_FETCH_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_http_fetch",
  grantedBy: "network",
  type: { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [I32] },
  async: true,
  price: { base: HTTP_FETCH_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL },
  parentCalls: ["httpFetch"],
  create: (context, price) => (methodPtr, methodLen, urlPtr, urlLen, headersPtr, headersLen, bodyPtr, bodyLen, resultPtr) =>
    guarded(() => {
      chargeHostCall(
        context,
        price,
        billable(methodLen, MAX_FETCH_METHOD_BYTES) +
          billable(urlLen, MAX_FETCH_URL_BYTES) +
          billable(headersLen, MAX_FETCH_HEADER_BYTES) +
          billable(bodyLen, MAX_FETCH_BODY_BYTES),
      );
      const memory = context.memory!;
      // Refusals are statuses, not exceptions, and come before the body is copied: only a fetch that goes ahead
      // (at most MAX_HTTP_FETCHES_PER_INVOCATION of them) copies its body.
      const methodText = memory.readStringOrStatus(methodPtr, methodLen, MAX_FETCH_METHOD_BYTES);
      if (typeof methodText === "number") return methodText;
      const urlText = memory.readStringOrStatus(urlPtr, urlLen, MAX_FETCH_URL_BYTES);
      if (typeof urlText === "number") return urlText;
      const headerText = memory.readStringOrStatus(headersPtr, headersLen, MAX_FETCH_HEADER_BYTES);
      if (typeof headerText === "number") return headerText;
      const bodyStatus = memory.readStatus(bodyPtr, bodyLen, MAX_FETCH_BODY_BYTES);
      if (bodyStatus !== 0) return bodyStatus;
      if (memory.rangeStatus(resultPtr, FETCH_RESULT_BYTES) !== 0) return HostStatus.outOfBounds;
      const bodyLength = bodyLen >>> 0;

      const method = methodText === "" ? "GET" : methodText;
      const headers = parseHeaderLines(headerText);
      if (!METHODS.has(method) || headers === null) return HostStatus.invalidArgument;
      if ((method === "GET" || method === "HEAD") && bodyLength > 0) return HostStatus.invalidArgument;
      let url: URL;
      try {
        url = new URL(urlText);
      } catch {
        return HostStatus.invalidArgument;
      }
      if (url.username !== "" || url.password !== "") return HostStatus.invalidArgument;
      if (!isHostAllowed(url, context.settings.allowedHosts)) return HostStatus.notPermitted;
      const fetches = hostState(context, HTTP_FETCH_STATE);
      if (fetches.count >= MAX_HTTP_FETCHES_PER_INVOCATION) return HostStatus.quotaExceeded;
      const bridge = context.bridge;
      if (bridge === null) return HostStatus.notPermitted;
      fetches.count++;
      checkDeadline(context);
      const body = memory.readBytes(bodyPtr, bodyLen, MAX_FETCH_BODY_BYTES);

      return bridge
        .httpFetch({ method, url: url.href, headers, body: body.byteLength > 0 ? body : null })
        .then((outcome) =>
          guardedAsync(async () => {
            takeHandoff(context, outcome);
            checkDeadline(context);
            return deliver(context, price, outcome, resultPtr);
          }),
        );
    }),
};

/** Hands the response to the guest: all of it (both blocks and the record) or, on any refusal, nothing. */
function deliver(context: HostContext, price: HostCallPrice, outcome: HttpFetchOutcome, resultPtr: number): number {
  if (outcome.status !== HostStatus.ok) return outcome.status;
  const body = outcome.body ?? new Uint8Array(0);
  const headerBytes = new TextEncoder().encode((outcome.headers ?? []).map(([name, value]) => `${name}: ${value}\n`).join(""));
  chargeHostCallRest(context, price, body.byteLength + headerBytes.byteLength);
  const memory = context.memory!;
  const tracker = context.tracker!;
  memory.checkRange(resultPtr, FETCH_RESULT_BYTES);
  const bodyPtr = tracker.alloc(body.byteLength);
  let headersPtr: number;
  try {
    headersPtr = tracker.alloc(headerBytes.byteLength);
  } catch (error) {
    tracker.free(bodyPtr, body.byteLength);
    throw error;
  }
  memory.writeBytes(bodyPtr, body);
  memory.writeBytes(headersPtr, headerBytes);
  const record = resultPtr >>> 0;
  memory.writeU32(record, bodyPtr);
  memory.writeU32(record + 4, body.byteLength);
  memory.writeU32(record + 8, headersPtr);
  memory.writeU32(record + 12, headerBytes.byteLength);
  return outcome.httpStatus ?? 0;
}

export const HTTP_FETCH_MODULE: HostModule = {
  name: "http-fetch",
  importModule: HOST_MODULE,
  functions: [HTTP_FETCH_FUNCTION],
  state: [HTTP_FETCH_STATE],
  readsRequestHead: false,
};
