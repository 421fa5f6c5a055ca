// A bounds-checked cursor over WebAssembly binary bytes.
import { MalformedModuleError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Every read checks bounds and advances; a failure throws MalformedModuleError carrying the
 * absolute byte offset (`base` + position) so errors inside nested sections point at the
 * right place in the original file.
 */
export class Reader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    /** Exclusive end of the readable window (a section or function body). */
    public end = bytes.length,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string, at = this.pos): never {
    throw new MalformedModuleError(message, at);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end of input");
    return this.bytes[this.pos++];
  }

  /** Unsigned LEB128 of at most 32 bits, rejecting overlong (> 5 bytes) and overflowing encodings. */
  u32(): number {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    const end = this.end;
    if (pos < end) {
      const b = bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end) this.fail("unexpected end of input in LEB128", pos);
      const b = bytes[pos++];
      if (shift === 28) {
        // Fifth byte: only the low 4 bits may carry value, and no continuation.
        if (b & 0x80) this.fail("LEB128 is longer than 5 bytes", start);
        if (b & 0x70) this.fail("LEB128 overflows 32 bits", start);
        result += b * 2 ** 28;
        break;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    this.pos = pos;
    return result >>> 0;
  }

  /** Signed LEB128 of at most 32 bits. */
  s32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const b = bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b << 25) >> 25; // sign-extend 7 bits
      }
    }
    const start = pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= this.end) this.fail("unexpected end of input in LEB128", pos);
      const b = bytes[pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail("signed LEB128 is too long", start);
        // Bits 3..6 of the fifth byte must all repeat the sign bit (bit 3).
        const high = b & 0x78;
        if (high !== 0 && high !== 0x78) this.fail("signed LEB128 overflows", start);
        result |= b << 28;
        break;
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result |= -1 << shift;
        break;
      }
    }
    this.pos = pos;
    return result | 0;
  }

  /** Signed LEB128 of at most 33 bits (block types), as a JS number. */
  s33(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 4) {
        if (b & 0x80) this.fail("signed LEB128 is too long", start);
        // The fifth byte holds bits 28..32; bits 5 and 6 must repeat the sign bit (bit 4).
        const high = b & 0x70;
        if (high !== 0 && high !== 0x70) this.fail("signed LEB128 overflows", start);
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
        break;
      }
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    // Sign-extend from `shift` bits.
    if (result >= 2 ** (shift - 1)) result -= 2 ** shift;
    return result;
  }

  /** Signed LEB128 of at most 64 bits. */
  s64(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      const b = this.u8();
      if (i === 9) {
        if (b & 0x80) this.fail("signed LEB128 is too long", start);
        // Only bit 0 carries value; bits 1..6 must equal it (sign extension).
        if (b !== 0 && b !== 0x7f) this.fail("signed LEB128 overflows 64 bits", start);
        result |= BigInt(b & 0x7f) << shift;
        shift += 7n;
        break;
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) break;
    }
    return BigInt.asIntN(64, shift < 64n && result & (1n << (shift - 1n)) ? result - (1n << shift) : result);
  }

  /** Checks and skips a signed 64-bit LEB128 without building a BigInt (hot path). */
  skipS64(): void {
    const start = this.pos;
    for (let i = 0; i < 9; i++) {
      if ((this.u8() & 0x80) === 0) return;
    }
    const last = this.u8();
    if (last & 0x80) this.fail("signed LEB128 is too long", start);
    if (last !== 0 && last !== 0x7f) this.fail("signed LEB128 overflows 64 bits", start);
  }

  take(length: number): Uint8Array {
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the end`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(length: number): void {
    if (length > this.end - this.pos) this.fail(`length ${length} runs past the end`);
    this.pos += length;
  }

  name(): string {
    const length = this.u32();
    const at = this.pos;
    const raw = this.take(length);
    try {
      return utf8.decode(raw);
    } catch {
      this.fail("name is not valid UTF-8", at);
    }
  }

  /** A vector length, checked against the bytes left so a lying count fails fast instead of looping. */
  count(minBytesPerItem = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minBytesPerItem > this.end - this.pos) this.fail(`count ${n} is larger than the remaining input`, at);
    return n;
  }
}
