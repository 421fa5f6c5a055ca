// Reading a body stream whole only while it stays under a cap: the running count aborts the stream
// as soon as it passes, so an oversized (or lying, or chunked) body is never held whole.

/** Past the cap: `cancel` the rest (a download we no longer want) or `leave` it unread for its owner to deal with. */
export type Overflow = "cancel" | "leave";

/** The whole stream, or null as soon as it passes `cap` (the rest is never read). */
export async function readStreamCapped(stream: ReadableStream<Uint8Array> | null, cap: number, overflow: Overflow = "cancel"): Promise<Uint8Array | null> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      if (overflow === "cancel") await reader.cancel().catch(() => undefined);
      else reader.releaseLock();
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
