// Reads a request body into memory only if it fits under a cap: the declared Content-Length is checked
// before reading anything, and a running count aborts the stream as soon as it passes the cap, so an
// oversized (or lying, or chunked) body is never held whole.

import { readStreamCapped } from "../runtime/index.ts";
import { markPartlyRead } from "./drain-request.ts";
import { InvalidContentLengthError } from "./errors.ts";

/** Longest Content-Length we read as a number exactly (Number.MAX_SAFE_INTEGER has 16 digits). */
const MAX_LENGTH_DIGITS = 15;

/**
 * The declared body length: one decimal number, or a list of identical ones ("5, 5": RFC 9110 §8.6 lets a
 * recipient take it as 5; two different headers arrive joined like that). Anything else is a malformed or
 * conflicting framing, refused as invalid_content_length (400) rather than guessed at. workerd's HTTP server
 * refuses such requests itself before any JavaScript runs (docs/limits.md, "HTTP edge"); this is for every host
 * where the request does reach us.
 */
export function declaredLength(value: string): number {
  const parts = value.split(",").map((part) => part.trim());
  if (!parts.every((part) => part.length <= MAX_LENGTH_DIGITS && /^\d+$/.test(part)) || new Set(parts.map(Number)).size !== 1) {
    throw new InvalidContentLengthError(value);
  }
  return Number(parts[0]);
}

export async function readBodyCapped(request: Request, cap: number, tooLarge: () => Error): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (declaredLength(declared) > cap) throw tooLarge();
    // HTTP framing holds the body to its declared length, so reading it whole is bounded by the cap.
    return new Uint8Array(await request.arrayBuffer());
  }
  // Past the cap the rest is left unread, not cancelled: the answer drains it (drain-request.ts) so the client
  // is not reset while it still sends.
  const body = await readStreamCapped(request.body, cap, "leave");
  if (body === null) {
    markPartlyRead(request);
    throw tooLarge();
  }
  return body;
}
