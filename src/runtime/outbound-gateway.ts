// The outbound gateway: the one place a guest's HTTP request leaves the runtime. It runs in the parent (the sandbox
// isolate has no network), admits only hosts on the function's allow-list that also pass the destination rules
// (outbound-policy.ts: no private, loopback, link-local, ... address unless the operator exempted it, never the
// runtime itself), follows redirects itself so that every hop is checked by the same rules before it is contacted,
// and bounds the wait by the chain's deadline and the response by a size cap. Every request carries
// OUTBOUND_MARKER_HEADER, which the API refuses, so no alias of the runtime's own host can start a fresh chain.

import { readStreamCapped } from "./read-capped.ts";
import { destinationRefusal, OUTBOUND_MARKER_HEADER, type OutboundPolicy, outboundPolicy } from "./outbound-policy.ts";
import { type HttpFetchOutcome, type HttpFetchRequest, HostStatus, isHostAllowed } from "../sandbox/index.ts";

/** Largest response body handed to a guest; a longer one is refused (tooLarge) without reading the rest. */
export const MAX_FETCH_RESPONSE_BYTES = 1024 * 1024;
/** Longest one request may take, within the chain's deadline. */
export const FETCH_TIMEOUT_MS = 10_000;
/** Redirects the gateway follows for one request; one more is upstreamFailed. */
export const MAX_FETCH_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Credentials that must not follow a redirect to another origin (as the Fetch standard drops Authorization). */
const CROSS_ORIGIN_DROPPED = new Set(["authorization", "cookie", "proxy-authorization"]);

export type Fetcher = (request: Request) => Promise<Response>;

export interface GatewayOptions {
  /** Destination rules; by default no exceptions and no known own hosts (the marker header still applies). */
  policy?: OutboundPolicy;
  fetcher?: Fetcher;
  /** Clock, for tests: milliseconds since the epoch. */
  now?: () => number;
}

type Refusal = { status: number; reason: string };

/** Why the gateway will not contact `url`, or null. */
function refusalOf(url: URL, allowedHosts: readonly string[], policy: OutboundPolicy): Refusal | null {
  if (url.username !== "" || url.password !== "") return { status: HostStatus.invalidArgument, reason: "credentials in the URL" };
  if (!isHostAllowed(url, allowedHosts)) return { status: HostStatus.notPermitted, reason: `${url.host} is not on the allow-list` };
  const refused = destinationRefusal(url.host, policy);
  return refused === null ? null : { status: HostStatus.notPermitted, reason: refused };
}

export async function gatewayFetch(
  request: HttpFetchRequest,
  allowedHosts: readonly string[],
  deadline: number,
  options: GatewayOptions = {},
): Promise<HttpFetchOutcome> {
  const policy = options.policy ?? outboundPolicy({});
  const fetcher = options.fetcher ?? ((r: Request) => fetch(r));
  const now = options.now ?? Date.now;
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { status: HostStatus.invalidArgument, reason: "invalid URL" };
  }
  let method = request.method;
  let body = request.body;
  let headers = request.headers;

  for (let hop = 0; ; hop++) {
    const refused = refusalOf(url, allowedHosts, policy);
    if (refused !== null) return hop === 0 ? refused : { ...refused, reason: `redirect refused: ${refused.reason}` };
    const remaining = deadline - now();
    if (remaining <= 0) return { status: HostStatus.deadlineExceeded, reason: "the chain's deadline has passed" };

    const outgoing = new Headers(headers);
    outgoing.set(OUTBOUND_MARKER_HEADER, "1");
    let response: Response;
    try {
      response = await fetcher(
        new Request(url.href, {
          method,
          headers: outgoing,
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(Math.min(remaining, FETCH_TIMEOUT_MS)),
        }),
      );
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      if (name === "TimeoutError" || name === "AbortError") return { status: HostStatus.deadlineExceeded, reason: "timed out" };
      return { status: HostStatus.upstreamFailed, reason: error instanceof Error ? error.message : String(error) };
    }

    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
    if (location === null) return deliver(response);
    await response.body?.cancel().catch(() => undefined);
    if (hop >= MAX_FETCH_REDIRECTS) return { status: HostStatus.upstreamFailed, reason: `more than ${MAX_FETCH_REDIRECTS} redirects` };
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      return { status: HostStatus.upstreamFailed, reason: "a redirect with an invalid Location" };
    }
    // As browsers do: 303 turns into GET, and so do 301/302 after a POST; 307/308 repeat the request as it was.
    if ((response.status === 303 && method !== "HEAD") || ((response.status === 301 || response.status === 302) && method === "POST")) {
      method = "GET";
      body = null;
      headers = headers.filter(([name]) => name !== "content-type");
    }
    if (next.origin !== url.origin) headers = headers.filter(([name]) => !CROSS_ORIGIN_DROPPED.has(name.toLowerCase()));
    url = next;
  }
}

async function deliver(response: Response): Promise<HttpFetchOutcome> {
  const body = await readCapped(response, MAX_FETCH_RESPONSE_BYTES).catch(() => undefined);
  if (body === undefined) return { status: HostStatus.upstreamFailed, reason: "the response body could not be read" };
  if (body === null) return { status: HostStatus.tooLarge, reason: `the response body is over ${MAX_FETCH_RESPONSE_BYTES} bytes` };
  return { status: HostStatus.ok, httpStatus: response.status, headers: [...response.headers], body };
}

/** The whole body, or null when it is (or declares itself) over `cap`: the rest is never read. */
async function readCapped(response: Response, cap: number): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  return readStreamCapped(response.body, cap);
}
