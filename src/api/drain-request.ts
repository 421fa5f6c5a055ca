// Answering before the request body is read, without resetting the client. When we refuse a request early (a
// declared Content-Length over the cap, a chunked body past it, a 401 before a deploy's upload), the client may
// still be sending. workerd closes a connection whose request body the Worker left unread after a grace of 64 KiB
// or 1 s (capnproto kj/compat/http.c++, HttpServerSettings::canceledUploadGrace*), and a close with bytes still
// arriving is a TCP reset, which can destroy our answer in the client's buffers before it reads it.
//
// So such an answer is sent at once, complete (status, headers and the whole error body, with its length), but its
// stream is held open while the rest of the request body is read and thrown away, up to DRAIN_MAX_BYTES or
// DRAIN_MAX_MS. Then the answer ends; a drained connection is kept for the next request, one that was not is
// closed by workerd as before. This relies on workerd keeping the request body readable until the response has
// been sent ("the request body stream needs to remain valid while proxying the response", workerd
// src/workerd/api/global-scope.c++, ServiceWorkerGlobalScope::request: neutered only after the proxy task ends).

import type { MiddlewareHandler } from "hono";
import type { HonoEnv } from "./hono-env.ts";

/** Most of an unread request body we read and discard to keep the connection (docs/limits.md, "HTTP edge"). */
export const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
/** Longest we wait for the rest of an unread request body before ending the answer anyway. */
export const DRAIN_MAX_MS = 5_000;

const partlyRead = new WeakSet<Request>();

/** Called by a reader that stopped before the end of the body (at a cap), leaving the rest unread. */
export function markPartlyRead(request: Request): void {
  partlyRead.add(request);
}

function hasUnreadBody(request: Request): boolean {
  return request.body !== null && (!request.bodyUsed || partlyRead.has(request));
}

/** A declared body too large to drain is not waited for: workerd closes that connection, as without us. */
function worthDraining(request: Request): boolean {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  return !(Number.isFinite(declared) && declared > DRAIN_MAX_BYTES);
}

/** Reads and discards the rest of the body: true if it reached the end within the bounds. */
async function discardRest(body: ReadableStream<Uint8Array>): Promise<boolean> {
  const reader = body.getReader();
  const deadline = Date.now() + DRAIN_MAX_MS;
  let total = 0;
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), remaining)));
      const next = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
      if (next === "timeout") return false;
      if (next.done) return true;
      total += next.value.byteLength;
      if (total > DRAIN_MAX_BYTES) return false;
    }
  } catch {
    return false; // the client went away: nothing left to protect
  } finally {
    reader.releaseLock();
  }
}

/** The same answer, sent at once, whose end waits for the unread rest of the request body (bounded). */
export async function drainingResponse(request: Request, response: Response): Promise<Response> {
  if (!hasUnreadBody(request) || request.body === null || !worthDraining(request)) return response;
  const bytes = new Uint8Array(await response.arrayBuffer());
  const { readable, writable } = new FixedLengthStream(bytes.byteLength);
  const writer = writable.getWriter();
  const body = request.body;
  void (async () => {
    await writer.write(bytes);
    await discardRest(body);
    await writer.close();
  })().catch(() => writer.abort().catch(() => undefined));
  return new Response(readable, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Middleware: every answer that leaves request body unread drains it as above. */
export const drainUnreadBody: MiddlewareHandler<HonoEnv> = async (c, next) => {
  await next();
  if (hasUnreadBody(c.req.raw)) c.res = await drainingResponse(c.req.raw, c.res);
};
