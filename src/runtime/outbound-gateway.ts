// The outbound gateway: the one place a guest's HTTP request leaves the runtime. It runs in the parent (the sandbox
// isolate has no network), admits only hosts on the function's allow-list, follows no redirects (a redirect could
// lead off the list), and bounds the wait by the chain's deadline and the response by a size cap.

import { readStreamCapped } from "./read-capped.ts";
import { type HttpFetchOutcome, type HttpFetchRequest, HostStatus, isHostAllowed } from "../sandbox/index.ts";

/** Largest response body handed to a guest; a longer one is refused (tooLarge) without reading the rest. */
export const MAX_FETCH_RESPONSE_BYTES = 1024 * 1024;
/** Longest one request may take, within the chain's deadline. */
export const FETCH_TIMEOUT_MS = 10_000;

export type Fetcher = (request: Request) => Promise<Response>;

export async function gatewayFetch(
  request: HttpFetchRequest,
  allowedHosts: readonly string[],
  deadline: number,
  fetcher: Fetcher = (r) => fetch(r),
  now = Date.now(),
): Promise<HttpFetchOutcome> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { status: HostStatus.invalidArgument, reason: "invalid URL" };
  }
  if (!isHostAllowed(url, allowedHosts)) return { status: HostStatus.notPermitted, reason: `${url.host} is not on the allow-list` };
  const remaining = deadline - now;
  if (remaining <= 0) return { status: HostStatus.deadlineExceeded, reason: "the chain's deadline has passed" };

  let response: Response;
  try {
    response = await fetcher(
      new Request(url.href, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: "manual",
        signal: AbortSignal.timeout(Math.min(remaining, FETCH_TIMEOUT_MS)),
      }),
    );
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    if (name === "TimeoutError" || name === "AbortError") return { status: HostStatus.deadlineExceeded, reason: "timed out" };
    return { status: HostStatus.upstreamFailed, reason: error instanceof Error ? error.message : String(error) };
  }

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
