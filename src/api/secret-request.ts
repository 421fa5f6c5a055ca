// Parsing the secrets API's requests. Nothing here may echo what it read: an error about a secret's body names the
// field and the rule, never the bytes (JSON.parse's own messages quote the input, so they are not passed on).

import { MAX_SECRET_VALUE_CHARS, SECRET_NAME } from "../services/secret-limits.ts";
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from "./errors.ts";
import { readBodyCapped } from "./read-body.ts";

/** A secret's JSON body: its value (up to 4096 characters, at most 4 bytes each in UTF-8) and some room for JSON. */
export const MAX_SECRET_BODY_BYTES = 32 * 1024;

export function assertSecretName(name: string): string {
  if (!SECRET_NAME.test(name)) throw InvalidRequestError.of("secret", "must be 1-64 characters of A-Z, a-z, 0-9, '_', '.' and '-'");
  return name;
}

/** `{ "value": "<string>" }` as application/json. */
export async function readSecretValue(request: Request): Promise<string> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") throw new UnsupportedMediaTypeError(mediaType, ["application/json"]);
  const bytes = await readBodyCapped(request, MAX_SECRET_BODY_BYTES, () => new PayloadTooLargeError(MAX_SECRET_BODY_BYTES));
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw InvalidRequestError.of("body", 'must be a JSON object {"value": "<string>"} in UTF-8');
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw InvalidRequestError.of("body", 'must be a JSON object {"value": "<string>"}');
  const extra = Object.keys(body).filter((key) => key !== "value");
  if (extra.length > 0) throw InvalidRequestError.of("body", `unknown field(s): ${extra.join(", ")}`);
  const value = (body as { value?: unknown }).value;
  if (typeof value !== "string") throw InvalidRequestError.of("value", "is required and must be a string");
  if (value.length > MAX_SECRET_VALUE_CHARS) throw InvalidRequestError.of("value", `must be at most ${MAX_SECRET_VALUE_CHARS} characters`);
  return value;
}
