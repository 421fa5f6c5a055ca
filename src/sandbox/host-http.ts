// Version 2 of the guest ABI (docs/abi.md): host calls of the `minimal` profile that read the HTTP request (method,
// path, query, headers, body) and set the response's status and headers. The body of the response is what the guest
// emits with heliosdb_output. A bad status or header fails the whole invocation (invalid_response_header), so a
// broken response is never sent; a bad pointer or length is refused with a status like every other host call.

import { InvalidResponseHeaderError } from "./errors.ts";
import { HOST_MODULE } from "./guest-abi.ts";
import {
  billable,
  chargeHostCall,
  chargeHostCallRest,
  failInvocation,
  HOST_CALL_BASE_FUEL,
  HOST_CALL_BYTES_PER_FUEL,
  type HostContext,
  refusalCode,
  responseHeadOf,
  STANDARD_PRICE,
  writeResult,
} from "./host-call.ts";
import { defineHostState, type HostFunctionDefinition, type HostModule, hostState } from "./host-module.ts";
import { HostStatus } from "./host-status.ts";
import { headerLines, MAX_RESPONSE_HEADER_NAME_BYTES, MAX_RESPONSE_HEADER_VALUE_BYTES } from "./http-exchange.ts";

const I32 = "i32" as const;

/** A request header name looked up with heliosdb_request_header is at most this long. */
export const MAX_REQUEST_HEADER_NAME_BYTES = 256;

const encoder = new TextEncoder();

/** The request's fields as UTF-8, encoded on first use and reused by later calls of the invocation. */
interface EncodedRequest {
  method: Uint8Array;
  path: Uint8Array;
  query: Uint8Array;
  headers: Uint8Array;
  /** Lower-case name -> value (a Map: a name like "__proto__" must not find an inherited property). */
  byName: Map<string, string>;
}

export const REQUEST_STATE = defineHostState<EncodedRequest>("http-request", (context) => {
  const { method, path, query, headers } = context.http;
  const byName = new Map<string, string>();
  for (const [name, value] of headers) byName.set(name, byName.has(name) ? `${byName.get(name)}, ${value}` : value);
  return {
    method: encoder.encode(method),
    path: encoder.encode(path),
    query: encoder.encode(query),
    headers: encoder.encode(headerLines(headers)),
    byName,
  };
});

/** Writes `data` to the guest's (outPtr, outCap) buffer, charged for the bytes only when they are written. */
function answer(context: HostContext, outPtr: number, outCap: number, outLenPtr: number, data: Uint8Array): number {
  if (data.byteLength <= outCap >>> 0) chargeHostCallRest(context, STANDARD_PRICE, data.byteLength);
  return writeResult(context.memory!, outPtr, outCap, outLenPtr, data);
}

function requestField(name: string, pick: (request: EncodedRequest, context: HostContext) => Uint8Array): HostFunctionDefinition {
  return {
    name,
    grantedBy: "minimal",
    type: { params: [I32, I32, I32], results: [I32] },
    async: false,
    price: STANDARD_PRICE,
    parentCalls: [],
    create: (context, price) => (outPtr, outCap, outLenPtr) => {
      try {
        chargeHostCall(context, price);
        return answer(context, outPtr, outCap, outLenPtr, pick(hostState(context, REQUEST_STATE), context));
      } catch (error) {
        return refusalCode(error);
      }
    },
  };
}

/** heliosdb_request_method(outPtr, outCap, outLenPtr) -> status: "GET", "POST", ... */
export const REQUEST_METHOD_FUNCTION = requestField("heliosdb_request_method", (r) => r.method);
/** heliosdb_request_path(outPtr, outCap, outLenPtr) -> status: the path below the function, from "/". */
export const REQUEST_PATH_FUNCTION = requestField("heliosdb_request_path", (r) => r.path);
/** heliosdb_request_query(outPtr, outCap, outLenPtr) -> status: the query string without "?". */
export const REQUEST_QUERY_FUNCTION = requestField("heliosdb_request_query", (r) => r.query);
/** heliosdb_request_headers(outPtr, outCap, outLenPtr) -> status: every header as `name: value\n` lines. */
export const REQUEST_HEADERS_FUNCTION = requestField("heliosdb_request_headers", (r) => r.headers);
/** heliosdb_request_body(outPtr, outCap, outLenPtr) -> status: the whole request body. */
export const REQUEST_BODY_FUNCTION = requestField("heliosdb_request_body", (_r, context) => context.body);

/**
 * heliosdb_request_header(namePtr, nameLen, outPtr, outCap, outLenPtr) -> status: one header's value (repeated
 * headers joined with ", "), looked up case-insensitively; notFound when the request has none.
 */
export const REQUEST_HEADER_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_request_header",
  grantedBy: "minimal",
  type: { params: [I32, I32, I32, I32, I32], results: [I32] },
  async: false,
  // Decoding and lower-casing the name costs what config_get's key does (bench-hostcalls): the same price.
  price: { base: 2 * HOST_CALL_BASE_FUEL, bytesPerFuel: HOST_CALL_BYTES_PER_FUEL },
  parentCalls: [],
  create: (context, price) => (namePtr, nameLen, outPtr, outCap, outLenPtr) => {
    try {
      chargeHostCall(context, price, billable(nameLen, MAX_REQUEST_HEADER_NAME_BYTES));
      // A refusal is a status, not an exception: a guest can repeat it in a loop (docs/limits.md, "Host call prices").
      const raw = context.memory!.readStringOrStatus(namePtr, nameLen, MAX_REQUEST_HEADER_NAME_BYTES);
      if (typeof raw === "number") return raw;
      const name = raw.toLowerCase();
      const value = hostState(context, REQUEST_STATE).byName.get(name);
      if (value === undefined) return HostStatus.notFound;
      return answer(context, outPtr, outCap, outLenPtr, encoder.encode(value));
    } catch (error) {
      return refusalCode(error);
    }
  },
};

/** heliosdb_response_status(status) -> 0: sets the response status (200–599, else the invocation fails). */
export const RESPONSE_STATUS_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_response_status",
  grantedBy: "minimal",
  type: { params: [I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (status) => {
    chargeHostCall(context, price);
    try {
      responseHeadOf(context).setStatus(status, "heliosdb_response_status");
    } catch (error) {
      failInvocation(context, error as Error);
    }
    return HostStatus.ok;
  },
};

/**
 * heliosdb_response_header(namePtr, nameLen, valuePtr, valueLen) -> status: appends a response header. A header
 * the runtime will not send (docs/abi.md "Response headers") fails the invocation with invalid_response_header;
 * a range outside memory or text that is not UTF-8 is refused with its status, changing nothing.
 */
export const RESPONSE_HEADER_FUNCTION: HostFunctionDefinition = {
  name: "heliosdb_response_header",
  grantedBy: "minimal",
  type: { params: [I32, I32, I32, I32], results: [I32] },
  async: false,
  price: STANDARD_PRICE,
  parentCalls: [],
  create: (context, price) => (namePtr, nameLen, valuePtr, valueLen) => {
    let name: string;
    let value: string;
    try {
      const nameBytes = nameLen >>> 0;
      const valueBytes = valueLen >>> 0;
      chargeHostCall(context, price, Math.min(nameBytes, MAX_RESPONSE_HEADER_NAME_BYTES + 1) + Math.min(valueBytes, MAX_RESPONSE_HEADER_VALUE_BYTES + 1));
      if (nameBytes > MAX_RESPONSE_HEADER_NAME_BYTES || valueBytes > MAX_RESPONSE_HEADER_VALUE_BYTES) {
        const part = nameBytes > MAX_RESPONSE_HEADER_NAME_BYTES ? "name" : "value";
        const cap = part === "name" ? MAX_RESPONSE_HEADER_NAME_BYTES : MAX_RESPONSE_HEADER_VALUE_BYTES;
        failInvocation(context, new InvalidResponseHeaderError("(too long)", `header ${part} over ${cap} bytes`, "heliosdb_response_header"));
      }
      // Refusals are statuses, not exceptions (a guest can repeat them in a loop).
      const nameText = context.memory!.readStringOrStatus(namePtr, nameBytes);
      if (typeof nameText === "number") return nameText;
      const valueText = context.memory!.readStringOrStatus(valuePtr, valueBytes);
      if (typeof valueText === "number") return valueText;
      name = nameText;
      value = valueText;
    } catch (error) {
      if (error === context.failure) throw error;
      return refusalCode(error);
    }
    try {
      responseHeadOf(context).addHeader(name, value, "heliosdb_response_header");
    } catch (error) {
      failInvocation(context, error as Error);
    }
    return HostStatus.ok;
  },
};

export const HTTP_MODULE: HostModule = {
  name: "http",
  importModule: HOST_MODULE,
  functions: [
    REQUEST_METHOD_FUNCTION,
    REQUEST_PATH_FUNCTION,
    REQUEST_QUERY_FUNCTION,
    REQUEST_HEADERS_FUNCTION,
    REQUEST_HEADER_FUNCTION,
    REQUEST_BODY_FUNCTION,
    RESPONSE_STATUS_FUNCTION,
    RESPONSE_HEADER_FUNCTION,
  ],
  state: [REQUEST_STATE],
  readsRequestHead: true,
};
