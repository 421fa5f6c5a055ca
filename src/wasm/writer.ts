// A growable byte buffer with the LEB128 encoders the binary format needs.

export class Writer {
  private buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(b: number): this {
    if (this.length === this.buf.length) this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Copies `src[start, end)` without making an intermediate subarray object per call site. */
  range(src: Uint8Array, start: number, end: number): this {
    const n = end - start;
    if (n <= 0) return this;
    this.reserve(n);
    // Small copies beat the cost of making a subarray view for TypedArray.set.
    if (n < 64) {
      const buf = this.buf;
      let o = this.length;
      for (let i = start; i < end; i++) buf[o++] = src[i];
    } else {
      this.buf.set(src.subarray(start, end), this.length);
    }
    this.length += n;
    return this;
  }

  u32(value: number): this {
    if (value >>> 0 < 0x80) return this.u8(value);
    this.reserve(5);
    let v = value >>> 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0);
    return this;
  }

  /**
   * Unsigned LEB128 padded to `width` bytes (as linkers and wabt emit for sizes patched later), or
   * minimal when `width` is smaller than the value needs; keeps decode → encode byte-identical.
   */
  u32w(value: number, width: number | undefined): this {
    if (width === undefined || width <= 1) return this.u32(value);
    this.reserve(Math.max(width, 5));
    let v = value >>> 0;
    let n = 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      n++;
      if (v !== 0 || n < width) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0 || n < width);
    return this;
  }

  /** Signed LEB128 of a value that fits in a JS safe integer (s32 and s33). */
  s32(value: number): this {
    this.reserve(10);
    let v = value;
    if (v === (v | 0)) {
      // An int32 (every charge's cost): shifts, where v / 128 would make a heap number per byte
      // while the process is cold.
      for (;;) {
        const b = v & 0x7f;
        v >>= 7;
        const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
        this.buf[this.length++] = done ? b : b | 0x80;
        if (done) return this;
      }
    }
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.buf[this.length++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  s64(value: bigint): this {
    this.reserve(10);
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.buf[this.length++] = done ? b : b | 0x80;
      if (done) return this;
    }
  }

  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** Writes `body` prefixed by its byte length (sections, function bodies), padded to `width` if given. */
  sized(body: Writer | Uint8Array, width?: number): this {
    const data = body instanceof Writer ? body.finish() : body;
    return this.u32w(data.length, width).bytes(data);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
