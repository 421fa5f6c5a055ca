// Page cursors of the row API: the last row's key values as JSON (blobs as {"$base64"}), base64url-encoded. Opaque
// to clients; decoding checks only the shape (an array of key values), the service checks it fits the table's key.

import { paramFromJson, typedValueToJson, type SqlParam } from "./sql-values.ts";

export function encodeCursor(key: unknown[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key.map(typedValueToJson)));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The key values a cursor holds, or null when it is not one this API made. */
export function decodeCursor(cursor: string): SqlParam[] | null {
  if (!/^[A-Za-z0-9_-]{1,8192}$/.test(cursor)) return null;
  try {
    const padded = cursor.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (cursor.length % 4)) % 4);
    const binary = atob(padded);
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.length === 0) return null;
    const values = parsed.map(paramFromJson);
    return values.some((v) => v === undefined) ? null : (values as SqlParam[]);
  } catch {
    return null;
  }
}
