// Content-addressed module storage in R2: an object's key is derived from the SHA-256 of its bytes,
// so a key is written once, never changes, and identical uploads share one object.

const ORIGINAL_PREFIX = "modules/";
const INSTRUMENTED_PREFIX = "instrumented/";

/** R2 key of a module exactly as it was uploaded. */
export function originalModuleKey(sha256: string): string {
  return `${ORIGINAL_PREFIX}${sha256}.wasm`;
}

/** R2 key of an instrumented module, addressed by the digest of the instrumented bytes
 *  (they depend on the memory cap, so they cannot share the original's key). */
export function instrumentedModuleKey(instrumentedSha256: string): string {
  return `${INSTRUMENTED_PREFIX}${instrumentedSha256}.wasm`;
}

/** Stores `bytes` under `key` unless an object is already there. R2 verifies the digest on write,
 *  so a corrupted upload can never sit behind a content address. */
export async function putContentAddressed(
  bucket: R2Bucket,
  key: string,
  bytes: Uint8Array,
  sha256: string,
  customMetadata: Record<string, string> = {},
): Promise<void> {
  const existing = await bucket.head(key);
  if (existing !== null) return;
  await bucket.put(key, bytes, {
    sha256,
    httpMetadata: { contentType: "application/wasm" },
    customMetadata,
  });
}
