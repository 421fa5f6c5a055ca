// Values between JSON and SQLite. SQLite stores NULL, integers, reals, text and blobs; JSON has no blobs, so a blob
// is sent as {"$base64": "..."} and answered as lower-case hex text (the form db_query gives guests). Booleans are stored as 1/0 (SQLite has no boolean). Objects and arrays
// are refused rather than guessed at: store JSON text explicitly (JSON.stringify on the client, json() in SQL).

export type SqlParam = null | number | string | ArrayBuffer;

export const BLOB_MEMBER = "$base64";

/** The bound value for a JSON value, or undefined when it has no SQLite equivalent. */
export function paramFromJson(value: unknown): SqlParam | undefined {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const encoded = (value as Record<string, unknown>)[BLOB_MEMBER];
    if (keys.length === 1 && typeof encoded === "string") return decodeBase64(encoded);
  }
  return undefined;
}

/** A SQLite result value as JSON: blobs become lower-case hex text, everything else is already JSON. */
export function valueToJson(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return hex(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (typeof value === "bigint") return Number(value);
  return value;
}

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += b.toString(16).padStart(2, "0");
  return text;
}

/** A value as JSON that keeps its SQLite type (a blob as {"$base64"}), for page cursors. */
export function typedValueToJson(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return { [BLOB_MEMBER]: encodeBase64(new Uint8Array(value)) };
  return valueToJson(value);
}

function decodeBase64(text: string): ArrayBuffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
