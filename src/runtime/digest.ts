// SHA-256 as lowercase hex, with WebCrypto (available in Workers and Node alike).

export async function sha256Hex(data: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let out = "";
  for (const b of digest) out += b.toString(16).padStart(2, "0");
  return out;
}
