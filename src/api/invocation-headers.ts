// The runtime's own headers on an invocation's answer (the usage headers the API documents, the request id, the
// content policy) and the two ways an answer gets them. They are most of what building the answer costs: workerd
// converts, validates, lower-cases and indexes every header a Response is made with (api/headers.c++,
// Headers::append), about 8,000 instructions each for these fifteen, where the body is one copy.
//
// An answer whose guest set no status or header (most of them) is a copy of a template Response that carries every
// runtime header, and then each value that differs from the template's is set: copying a Response copies its header
// table as it is, with no name parsed or checked again (`new Response(body, response)`: Response::constructor takes
// the other response's status and copies its Headers with Headers(jsg::Lock&, const Headers&), in
// src/workerd/api/http.c++ and headers.c++ of the pinned workerd), and setting a value that exists replaces it in
// place. Copying and setting all twelve values is about 100,000 instructions for the whole answer against 147,000
// for one initializer object (callgrind, a loop of either inside workerd); a template per region, module and version
// leaves about five to set (the request id, duration, fuel and byte counts). Any other answer is made from one
// initializer object, in one crossing into the runtime, as before.

import type { InvokeResult } from "../runtime/index.ts";
import { REQUEST_ID_HEADER } from "../runtime/index.ts";

/**
 * What a browser may do with a document a function answers: everything but share the runtime's origin.
 *
 * The guest's answer is untrusted content served from the runtime's own origin, the origin of the dashboard and of
 * the token it keeps in session storage. A CSP `sandbox` policy (without allow-same-origin) gives any document a
 * browser renders from it an opaque origin: its scripts run, but cannot read that storage, the runtime's cookies or
 * same-origin API answers. The guest's own policy is appended to it, not put in its place, and every policy is
 * enforced (CSP 3, "multiple policies"), so a guest cannot lift this one.
 */
export const GUEST_CONTENT_POLICY = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

/** What an answer is when the guest sets no content type. */
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** The runtime headers whose values vary, in the order runtimeHeaderValues gives them. */
const VALUE_HEADERS = [
  "x-helios-region",
  "x-helios-sha256",
  "x-helios-version",
  "x-helios-fuel-used",
  "x-helios-memory-pages",
  "x-helios-duration-ms",
  "x-helios-leaks",
  "x-helios-sandbox-runs",
  "x-helios-host-calls",
  "x-helios-bytes-in",
  "x-helios-bytes-out",
  REQUEST_ID_HEADER,
] as const;

/** Set when the result names the deployment that served it (every invocation a deployment runs). */
const DEPLOYMENT_HEADER = "x-helios-deployment";

/** The values of VALUE_HEADERS for one result, by position. */
function runtimeHeaderValues(result: InvokeResult, bytesIn: number): string[] {
  let hostCalls = 0;
  for (const name in result.hostCalls) hostCalls += result.hostCalls[name]!;
  return [
    result.region,
    result.sha256,
    String(result.version),
    String(result.fuelUsed),
    String(result.memoryPages),
    result.durationMs.toFixed(3),
    String(result.leakedBlocks),
    String(result.sandboxRuns),
    String(hostCalls),
    String(bytesIn),
    String(result.output.byteLength),
    result.requestId,
  ];
}

/** A Response carrying every runtime header, and the values it carries them with. */
interface Template {
  response: Response;
  values: string[];
  deployment: string | undefined;
}

/**
 * Templates by region, module and version: an answer starts from the one its values are most like (the same region,
 * digest and version, and usually the same memory, leaks, runs and host calls), so only the values that differ are
 * set. Which template an answer copies never changes the answer: every value that differs from the template's is set.
 */
const templates = new Map<string, Template>();
/** Templates kept per isolate; the oldest goes first. */
export const MAX_ANSWER_TEMPLATES = 64;

function templateFor(values: string[], deployment: string | undefined): Template {
  const key = `${values[0]}\u0000${values[1]}\u0000${values[2]}`;
  let template = templates.get(key);
  if (template !== undefined) return template;
  const headers = headerObject(values, deployment, true);
  template = { response: new Response(null, { status: 200, headers }), values, deployment };
  if (templates.size >= MAX_ANSWER_TEMPLATES) templates.delete(templates.keys().next().value!);
  templates.set(key, template);
  return template;
}

/** The answer, status 200, to a result whose guest set no status or header. */
export function plainAnswer(result: InvokeResult, body: Uint8Array | null, bytesIn: number): Response {
  const values = runtimeHeaderValues(result, bytesIn);
  const deployment = result.deployment === undefined ? undefined : String(result.deployment);
  const template = templateFor(values, deployment);
  const response = new Response(body, template.response);
  const headers = response.headers;
  for (let i = 0; i < VALUE_HEADERS.length; i++) if (values[i] !== template.values[i]) headers.set(VALUE_HEADERS[i]!, values[i]!);
  if (deployment !== template.deployment) {
    if (deployment === undefined) headers.delete(DEPLOYMENT_HEADER);
    else headers.set(DEPLOYMENT_HEADER, deployment);
  }
  return response;
}

/**
 * The runtime's headers as one plain object, for an answer the guest set a status or headers on: the Response
 * constructor takes it in one crossing into the runtime (filling a Headers object call by call costs more, and a
 * list of pairs more still: a sequence of sequences is the slowest conversion). `content-type` only when the guest
 * set none.
 */
export function runtimeHeaders(result: InvokeResult, bytesIn: number, guestSetsContentType: boolean): Record<string, string> {
  const deployment = result.deployment === undefined ? undefined : String(result.deployment);
  return headerObject(runtimeHeaderValues(result, bytesIn), deployment, !guestSetsContentType);
}

/** Every runtime header with `values` (VALUE_HEADERS' order), the deployment's if any, the default content type if asked. */
function headerObject(values: string[], deployment: string | undefined, withContentType: boolean): Record<string, string> {
  const headers: Record<string, string> = { "content-security-policy": GUEST_CONTENT_POLICY };
  for (let i = 0; i < VALUE_HEADERS.length; i++) headers[VALUE_HEADERS[i]!] = values[i]!;
  if (deployment !== undefined) headers[DEPLOYMENT_HEADER] = deployment;
  if (withContentType) headers["content-type"] = DEFAULT_CONTENT_TYPE;
  return headers;
}
