// Bearer-token check. Both sides are hashed to fixed-length digests first, so the comparison takes
// the same time whatever the presented token's length or content.

import { UnauthorizedError } from "./errors.ts";

const BEARER = /^Bearer ([\x21-\x7e]+)$/;

/** Outcome of looking at the Authorization header: absent is not the same as wrong. */
export type Credential = "absent" | "valid" | "invalid";

export async function checkCredential(authorization: string | undefined, expectedToken: string | undefined): Promise<Credential> {
  if (authorization === undefined || authorization === "") return "absent";
  const match = BEARER.exec(authorization);
  // An unset or empty server token fails closed: nothing can authenticate against it.
  if (match === null || !expectedToken) return "invalid";
  return (await constantTimeEqual(match[1], expectedToken)) ? "valid" : "invalid";
}

/** Throws unless the request carries the right token. */
export async function requireToken(authorization: string | undefined, expectedToken: string | undefined): Promise<void> {
  if ((await checkCredential(authorization, expectedToken)) !== "valid") throw new UnauthorizedError();
}

async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}
