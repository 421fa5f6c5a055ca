// Reads a request body into memory only if it fits under a cap: the declared Content-Length is checked
// before reading anything, and a running count aborts the stream as soon as it passes the cap, so an
// oversized (or lying, or chunked) body is never held whole.

import { readStreamCapped } from "../runtime/index.ts";

export async function readBodyCapped(request: Request, cap: number, tooLarge: () => Error): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > cap) throw tooLarge();
    // HTTP framing holds the body to its declared length, so reading it whole is bounded by the cap.
    return new Uint8Array(await request.arrayBuffer());
  }
  const body = await readStreamCapped(request.body, cap);
  if (body === null) throw tooLarge();
  return body;
}
