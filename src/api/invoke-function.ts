// What both invocation routes share: reading the caller's request (body within the ceiling, the HTTP head the guest
// may see, minus the caller's Authorization), running it in a region (the service does the cold-path repair), and turning the
// result into the HTTP answer: the status and headers the guest set, else 200 and application/octet-stream.

import type { Env } from "../env.ts";
import type { HttpHead, InvokeOptions } from "../regions/index.ts";
import { type InvokeResult, LIMIT_CEILINGS, REQUEST_ID_HEADER, requestIdFrom } from "../runtime/index.ts";
import { errorResponse } from "./error-response.ts";
import type { HttpRequestInfo } from "../sandbox/index.ts";
import { invokeFunction } from "../services/index.ts";
import { PayloadTooLargeError } from "./errors.ts";
import type { FunctionTarget } from "./function-target.ts";
import { readBodyCapped } from "./read-body.ts";
import { callerRegion } from "./caller-region.ts";
import { chooseRegion, regionConfig } from "./regions.ts";
import { plainAnswer, runtimeHeaders } from "./invocation-headers.ts";

export { GUEST_CONTENT_POLICY } from "./invocation-headers.ts";

/** The header a function never sees: it carries the caller's credential for this runtime, not for the function. */
const WITHHELD_REQUEST_HEADERS: ReadonlySet<string> = new Set(["authorization"]);

/** Statuses whose response has no body (the Fetch standard's null body statuses a Worker can send). */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

/** The body, bounded by the ceiling every function's maxPayloadBytes lies under (the region checks the function's own). */
export async function readPayload(request: Request): Promise<ArrayBuffer> {
  const ceiling = LIMIT_CEILINGS.maxPayloadBytes;
  return toArrayBuffer(await readBodyCapped(request, ceiling, () => new PayloadTooLargeError(ceiling)));
}

/** The request head a guest may read; `path` and `query` as they appear in the URL (percent-encoding kept). */
export function httpRequestInfo(request: Request, path: string, query: string): HttpRequestInfo {
  const headers: [string, string][] = [];
  for (const [name, value] of request.headers) if (!WITHHELD_REQUEST_HEADERS.has(name)) headers.push([name, value]);
  return { method: request.method, path, query, headers };
}

/** Where an invocation runs: its region, and whether this Worker runs it itself (the request runs there). */
export interface InvocationPlace {
  region: string;
  here: boolean;
}

/**
 * The region the caller asked for (query or header), else the nearest; `here` unless the caller named a region
 * other than the one this request would run in anyway. Only the region-pinned rest goes to a region object. The
 * nearest region is the caller's address's, when the isolate has seen it lately (caller-region.ts).
 */
export function invocationPlace(env: Env, requested: string | undefined, request: Request): InvocationPlace {
  const config = regionConfig(env);
  const nearest = callerRegion(config, request);
  if (requested === undefined || requested === "") return { region: nearest, here: true };
  const region = chooseRegion(config, requested, undefined);
  return { region, here: region === nearest };
}

/**
 * Runs the target in its place; the service repairs a region that missed a deployment (src/services). `http` may be
 * a function making the head (httpRequestInfo), so that it is made only for a guest that can read it.
 */
export function invokeInRegion(
  env: Env,
  place: InvocationPlace,
  target: FunctionTarget,
  payload: ArrayBuffer,
  authorized: boolean,
  http: HttpHead,
  requestId: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<InvokeResult> {
  const options: InvokeOptions = { authorized, http, requestId, point: target.point };
  if (target.alias !== undefined) options.alias = target.alias;
  if (target.version !== undefined) options.version = target.version;
  return invokeFunction(env, place.region, target.name, payload, options, place.here ? { waitUntil } : undefined);
}

/**
 * The answer to the caller: the guest's status and headers (validated in the sandbox), then the runtime's own
 * (invocation-headers.ts).
 */
export function invocationResponse(result: InvokeResult, method: string, bytesIn: number): Response {
  const head = result.response;
  if (head === undefined) {
    const response = plainAnswer(result, method === "HEAD" ? null : result.output, bytesIn);
    CARRY_REQUEST_ID.add(response);
    return response;
  }
  const guest = head.headers;
  const headers = runtimeHeaders(result, bytesIn, guest.some(([name]) => name === "content-type"));
  const status = head.status;
  // A HEAD answer and a 204/205/304 carry no body (a Response with one would throw); the guest's bytes are dropped.
  const body = method === "HEAD" || NULL_BODY_STATUSES.has(status) ? null : result.output;
  const response = new Response(body, { status, headers });
  CARRY_REQUEST_ID.add(response);
  // Appended: a repeated name (set-cookie) keeps every value. None collides with the runtime's: the guest's names are
  // lowercase and never in the x-helios-* namespace (http-exchange.ts refuses those).
  for (const [name, value] of guest) response.headers.append(name!, value!);
  return response;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) return buffer;
  return bytes.slice().buffer as ArrayBuffer;
}

/** Answers invocationResponse made: they carry the request id already (the invocation's, which is the route's). */
const CARRY_REQUEST_ID = new WeakSet<Response>();

/**
 * Runs an invocation route under its request id (the caller's valid x-helios-request-id, else a new one): the
 * answer carries it whether the invocation succeeded or failed, so a failure can be found in the logs too.
 */
export async function withRequestId(request: Request, run: (requestId: string) => Promise<Response>): Promise<Response> {
  const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
  let response: Response;
  try {
    response = await run(requestId);
  } catch (error) {
    response = errorResponse(error);
  }
  // Set on every other answer (errors, 202); an invocation's answer has it, and touching its headers again costs.
  if (!CARRY_REQUEST_ID.has(response)) response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}
