// Output a guest emits with heliosdb_output before its handler returns, within the invocation's response cap.

export class OutputCollector {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  constructor(readonly maxBytes: number) {}

  get byteLength(): number {
    return this.size;
  }

  /** Bytes still allowed, by the emitted output and by whatever the handler returns on top. */
  get room(): number {
    return this.maxBytes - this.size;
  }

  /** Keeps a copy; false (and nothing kept) when it would pass the cap. */
  add(bytes: Uint8Array): boolean {
    if (bytes.byteLength > this.room) return false;
    if (bytes.byteLength > 0) this.chunks.push(bytes);
    this.size += bytes.byteLength;
    return true;
  }

  /**
   * The emitted output followed by `tail` (the bytes at the handler's returned location). `tail` is handed over: when
   * nothing was emitted and it spans a whole ArrayBuffer of its own (a copy out of guest memory), that buffer is the
   * result, not copied again.
   */
  concat(tail: Uint8Array): ArrayBuffer {
    if (this.chunks.length === 0) {
      const { buffer } = tail;
      const whole = buffer instanceof ArrayBuffer && tail.byteOffset === 0 && tail.byteLength === buffer.byteLength;
      return whole ? buffer : (tail.slice().buffer as ArrayBuffer);
    }
    const out = new Uint8Array(this.size + tail.byteLength);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    out.set(tail, offset);
    return out.buffer;
  }
}
