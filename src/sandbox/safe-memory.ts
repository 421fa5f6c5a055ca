// Bounds-checked, all-or-nothing access to a guest's linear memory from host code (docs/abi.md, "Memory and safety").

import {
  BufferTooSmallError,
  HostErrorCode,
  InvalidUtf8Error,
  LengthCapExceededError,
  OutOfBoundsError,
  ValueOutOfRangeError,
} from "./errors.ts";
import { ASCII_DECODE_MAX_BYTES, ASCII_ENCODE_MAX_BYTES, asciiAt, isUtf8, utf8ByteLength, writeAscii } from "./utf8.ts";

export interface SafeMemoryLimits {
  /** Largest range one readBytes call copies out of guest memory. */
  maxReadBytes: number;
  /** Largest byte array one writeBytes call copies into guest memory. */
  maxWriteBytes: number;
  /** Largest UTF-8 string, in bytes, one readString or writeString call moves. */
  maxStringBytes: number;
}

export const DEFAULT_SAFE_MEMORY_LIMITS: Readonly<SafeMemoryLimits> = Object.freeze({
  maxReadBytes: 1024 * 1024,
  maxWriteBytes: 1024 * 1024,
  maxStringBytes: 64 * 1024,
});

// Limit sets already merged, checked and frozen by safeMemoryLimits: taken as they are.
const checkedLimits = new WeakSet<object>([DEFAULT_SAFE_MEMORY_LIMITS]);

/**
 * `limits` over the defaults, checked (RangeError unless each is an integer in [0, 2^32)) and frozen. A caller making
 * many SafeMemory objects with the same limits checks them once here and passes the result to each.
 */
export function safeMemoryLimits(limits: Partial<SafeMemoryLimits> = {}): Readonly<SafeMemoryLimits> {
  if (checkedLimits.has(limits)) return limits as Readonly<SafeMemoryLimits>;
  const merged = { ...DEFAULT_SAFE_MEMORY_LIMITS, ...limits };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`SafeMemory limit ${name} must be an integer in [0, 2^32), got ${value}`);
    }
  }
  const frozen = Object.freeze(merged);
  checkedLimits.add(frozen);
  return frozen;
}

/**
 * Reads a guest i32 (or a host-computed length) as unsigned 32-bit, the way the guest meant it: -1 is 0xFFFFFFFF.
 * A number outside [-2^31, 2^32), which only host code can produce, is not wrapped into range: it becomes
 * +Infinity, which every bound and cap refuses. Sums of two results stay below 2^33, exact in float64, so
 * `ptr + len` can never wrap the way 32-bit arithmetic would.
 */
export function toU32(value: number): number {
  return value >= -0x8000_0000 && value <= 0xffff_ffff ? value >>> 0 : Number.POSITIVE_INFINITY;
}

// Stateless between calls (never used with { stream: true }), so one instance serves every SafeMemory.
// ignoreBOM keeps a leading U+FEFF in the string instead of silently dropping the guest's first three bytes.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
// String.prototype.isWellFormed (ES2024; Node 20, workerd) is not in the ES2023 lib this project compiles against.
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
// Staging area for strings written into tight guest buffers; single-threaded and never held across calls.
const scratch = new Uint8Array(4096);

/** Throws UnencodableStringError when `value` has a lone surrogate. */
function assertEncodable(value: string): void {
  if (isWellFormed === undefined || !isWellFormed.call(value)) utf8ByteLength(value);
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/**
 * Host-side access to one guest memory. Rules (each one tested in safe-memory.test.ts):
 * - ptr and len are unsigned 32-bit (see toU32); a range is valid when ptr + len <= the memory's current byteLength,
 *   so a zero-length range is valid for every ptr <= byteLength, including ptr == byteLength.
 * - Lengths are checked against their cap before bounds, and before anything is read, copied or written.
 * - Typed accesses are little-endian and may be unaligned, exactly like WebAssembly loads and stores.
 * - Every call checks everything first and then either completes or throws a SandboxError, having changed nothing.
 */
export class SafeMemory {
  readonly memory: WebAssembly.Memory;
  readonly limits: Readonly<SafeMemoryLimits>;

  // Views of `buffer`, refreshed by sync() before every access. Invariant: they are used only after
  // `buffer === memory.buffer` held in the same call. Growing a non-shared memory (memory.grow in the guest or
  // Memory.grow in the host) detaches the old ArrayBuffer and installs a new object, and a detached buffer is never
  // === the current one, so a view from before a grow is never used. Argument conversion (toU32) runs before
  // sync(), so no user code can run between the check and the access.
  private buffer: ArrayBuffer;
  private bytes: Uint8Array;
  private view: DataView;

  constructor(memory: WebAssembly.Memory, limits: Partial<SafeMemoryLimits> = {}) {
    const buffer = memory.buffer;
    if (!(buffer instanceof ArrayBuffer)) throw new TypeError("SafeMemory needs a non-shared WebAssembly.Memory");
    this.limits = safeMemoryLimits(limits);
    this.memory = memory;
    this.buffer = buffer;
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
  }

  /** The memory's size in bytes right now. */
  get byteLength(): number {
    this.sync();
    return this.buffer.byteLength;
  }

  /** Throws OutOfBoundsError unless [ptr, ptr + len) is inside memory; returns ptr as unsigned. */
  checkRange(ptr: number, len: number): number {
    const start = toU32(ptr);
    const length = toU32(len);
    this.sync();
    if (start + length > this.buffer.byteLength) throw new OutOfBoundsError(start, length, this.buffer.byteLength);
    return start;
  }

  // Status variants: what host functions check their arguments with, so that a refusal, which a guest can repeat
  // in a loop, costs no more than a success (no exception object, no stack trace: each would cost microseconds).
  // Each returns 0 exactly when the throwing method would succeed, else the hostCode of the error it would throw.

  /** checkRange without the exception: 0, or outOfBounds. */
  rangeStatus(ptr: number, len: number): number {
    const start = toU32(ptr);
    const length = toU32(len);
    this.sync();
    return start + length > this.buffer.byteLength ? HostErrorCode.outOfBounds : 0;
  }

  /** The refusal readBytes(ptr, len, maxBytes) would throw, as its code (tooLarge, outOfBounds), or 0. */
  readStatus(ptr: number, len: number, maxBytes?: number): number {
    if (toU32(len) > lowerCap(this.limits.maxReadBytes, maxBytes)) return HostErrorCode.tooLarge;
    return this.rangeStatus(ptr, len);
  }

  /**
   * readString without exceptions: the string, or the code of the refusal readString would throw (tooLarge,
   * outOfBounds, invalidUtf8). Invalid UTF-8 is found by a validator in JavaScript, before the strict decoder
   * runs, so the decoder never throws here.
   */
  readStringOrStatus(ptr: number, len: number, maxBytes?: number): string | number {
    const start = toU32(ptr);
    const length = toU32(len);
    if (length > lowerCap(this.limits.maxStringBytes, maxBytes)) return HostErrorCode.tooLarge;
    this.sync();
    if (start + length > this.buffer.byteLength) return HostErrorCode.outOfBounds;
    if (length <= ASCII_DECODE_MAX_BYTES) {
      const ascii = asciiAt(this.bytes, start, length);
      if (ascii !== null) return ascii;
    }
    if (!isUtf8(this.bytes, start, start + length)) return HostErrorCode.invalidUtf8;
    return utf8Decoder.decode(new Uint8Array(this.buffer, start, length));
  }

  /** A copy of guest bytes [ptr, ptr + len). `maxBytes` can only lower the maxReadBytes cap. */
  readBytes(ptr: number, len: number, maxBytes?: number): Uint8Array {
    const start = toU32(ptr);
    const length = toU32(len);
    const cap = lowerCap(this.limits.maxReadBytes, maxBytes);
    if (length > cap) throw new LengthCapExceededError("read", length, cap);
    this.sync();
    const end = start + length;
    if (end > this.buffer.byteLength) throw new OutOfBoundsError(start, length, this.buffer.byteLength);
    return this.bytes.slice(start, end);
  }

  /** Copies `data` to guest memory at ptr. `maxBytes` can only lower the maxWriteBytes cap. */
  writeBytes(ptr: number, data: Uint8Array, maxBytes?: number): void {
    const start = toU32(ptr);
    const length = data.length;
    const cap = lowerCap(this.limits.maxWriteBytes, maxBytes);
    if (length > cap) throw new LengthCapExceededError("write", length, cap);
    this.sync();
    if (start + length > this.buffer.byteLength) throw new OutOfBoundsError(start, length, this.buffer.byteLength);
    this.bytes.set(data, start);
  }

  /** Decodes guest bytes [ptr, ptr + len) as strict UTF-8. `maxBytes` can only lower the maxStringBytes cap. */
  readString(ptr: number, len: number, maxBytes?: number): string {
    const start = toU32(ptr);
    const length = toU32(len);
    const cap = lowerCap(this.limits.maxStringBytes, maxBytes);
    if (length > cap) throw new LengthCapExceededError("string", length, cap);
    this.sync();
    if (start + length > this.buffer.byteLength) throw new OutOfBoundsError(start, length, this.buffer.byteLength);
    // Short ASCII (config keys, names, most log lines) is decoded here: every byte below 0x80 is valid UTF-8 and
    // decodes to the code unit of the same value, which costs less than a call into the decoder.
    if (length <= ASCII_DECODE_MAX_BYTES) {
      const ascii = asciiAt(this.bytes, start, length);
      if (ascii !== null) return ascii;
    }
    try {
      return utf8Decoder.decode(new Uint8Array(this.buffer, start, length));
    } catch {
      throw new InvalidUtf8Error(start, length);
    }
  }

  /**
   * Encodes `value` as UTF-8 into the guest buffer [ptr, ptr + capacity) and returns the bytes written. Checks, in
   * order: the string's UTF-8 length against the cap (a lone surrogate is refused), the buffer against memory, the
   * length against the capacity. Bytes of the buffer past the string are left as they were.
   */
  writeString(ptr: number, capacity: number, value: string, maxBytes?: number): number {
    const start = toU32(ptr);
    const room = toU32(capacity);
    const cap = lowerCap(this.limits.maxStringBytes, maxBytes);
    // A UTF-16 unit takes one to three UTF-8 bytes (a surrogate pair, two units, takes four), so the exact length
    // is needed only when three bytes per unit would not fit; otherwise the native well-formedness check suffices.
    if (value.length > cap) throw new LengthCapExceededError("string", value.length, cap);
    const bound = value.length * 3;
    let needed = -1;
    if (bound > cap) {
      needed = utf8ByteLength(value);
      if (needed > cap) throw new LengthCapExceededError("string", needed, cap);
    } else {
      assertEncodable(value);
    }
    this.sync();
    if (start + room > this.buffer.byteLength) throw new OutOfBoundsError(start, room, this.buffer.byteLength);
    if (bound <= room) {
      if (value.length <= ASCII_ENCODE_MAX_BYTES) {
        const written = writeAscii(this.bytes, start, value);
        if (written >= 0) return written;
      }
      return utf8Encoder.encodeInto(value, new Uint8Array(this.buffer, start, room)).written;
    }
    if (needed < 0 && room <= scratch.length) {
      // A tight buffer: encode aside and copy only if all of it fit, which is cheaper than measuring first.
      const { read, written } = utf8Encoder.encodeInto(value, scratch.subarray(0, room));
      if (read !== value.length) throw new BufferTooSmallError(utf8ByteLength(value), room);
      this.bytes.set(scratch.subarray(0, written), start);
      return written;
    }
    if (needed < 0) needed = utf8ByteLength(value);
    if (needed > room) throw new BufferTooSmallError(needed, room);
    utf8Encoder.encodeInto(value, new Uint8Array(this.buffer, start, needed));
    return needed;
  }

  /**
   * Hands `fill` a view of [ptr, ptr + len), checked first, to fill in place (crypto.getRandomValues, say), which
   * spares a staging copy. `fill` runs synchronously, calls nothing in the guest and must not keep the view.
   */
  fillInPlace(ptr: number, len: number, fill: (view: Uint8Array) => unknown): void {
    const start = toU32(ptr);
    const length = toU32(len);
    this.sync();
    if (start + length > this.buffer.byteLength) throw new OutOfBoundsError(start, length, this.buffer.byteLength);
    fill(new Uint8Array(this.buffer, start, length));
  }

  /**
   * Writes `value`, whose UTF-8 length the caller measured as `byteLength` (utf8LengthOrStatus), at ptr; checks the
   * range [ptr, ptr + byteLength) first and returns nothing else to refuse. Knowing the length up front spares
   * writeString's measuring and staging.
   */
  writeMeasuredString(ptr: number, value: string, byteLength: number): void {
    const start = toU32(ptr);
    this.sync();
    if (start + byteLength > this.buffer.byteLength) throw new OutOfBoundsError(start, byteLength, this.buffer.byteLength);
    if (byteLength === value.length && byteLength <= ASCII_ENCODE_MAX_BYTES && writeAscii(this.bytes, start, value) >= 0) return;
    utf8Encoder.encodeInto(value, new Uint8Array(this.buffer, start, byteLength));
  }

  // `this.view` is read only after at() has synced it: in `this.view.get(this.at(ptr))` JavaScript would fetch the
  // view before evaluating the argument and use a detached one after a grow.

  readU8(ptr: number): number {
    const start = this.at(ptr, 1);
    return this.view.getUint8(start);
  }

  readU32(ptr: number): number {
    const start = this.at(ptr, 4);
    return this.view.getUint32(start, true);
  }

  readI32(ptr: number): number {
    const start = this.at(ptr, 4);
    return this.view.getInt32(start, true);
  }

  readU64(ptr: number): bigint {
    const start = this.at(ptr, 8);
    return this.view.getBigUint64(start, true);
  }

  readI64(ptr: number): bigint {
    const start = this.at(ptr, 8);
    return this.view.getBigInt64(start, true);
  }

  readF64(ptr: number): number {
    const start = this.at(ptr, 8);
    return this.view.getFloat64(start, true);
  }

  // Typed writes refuse values that do not fit instead of wrapping them as DataView would.

  writeU8(ptr: number, value: number): void {
    if ((value & 0xff) !== value) throw new ValueOutOfRangeError("u8", value);
    const start = this.at(ptr, 1);
    this.view.setUint8(start, value);
  }

  writeU32(ptr: number, value: number): void {
    if (value >>> 0 !== value) throw new ValueOutOfRangeError("u32", value);
    const start = this.at(ptr, 4);
    this.view.setUint32(start, value, true);
  }

  writeI32(ptr: number, value: number): void {
    if ((value | 0) !== value) throw new ValueOutOfRangeError("i32", value);
    const start = this.at(ptr, 4);
    this.view.setInt32(start, value, true);
  }

  writeU64(ptr: number, value: bigint): void {
    if (typeof value !== "bigint" || value < 0n || value > U64_MAX) throw new ValueOutOfRangeError("u64", value);
    const start = this.at(ptr, 8);
    this.view.setBigUint64(start, value, true);
  }

  writeI64(ptr: number, value: bigint): void {
    if (typeof value !== "bigint" || value < I64_MIN || value > I64_MAX) throw new ValueOutOfRangeError("i64", value);
    const start = this.at(ptr, 8);
    this.view.setBigInt64(start, value, true);
  }

  writeF64(ptr: number, value: number): void {
    if (typeof value !== "number") throw new ValueOutOfRangeError("f64", value);
    const start = this.at(ptr, 8);
    this.view.setFloat64(start, value, true);
  }

  /** Bounds check for a typed access of `width` bytes; alignment is deliberately not required. */
  private at(ptr: number, width: number): number {
    const start = toU32(ptr);
    this.sync();
    if (start + width > this.buffer.byteLength) throw new OutOfBoundsError(start, width, this.buffer.byteLength);
    return start;
  }

  private sync(): void {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.bytes = new Uint8Array(buffer);
      this.view = new DataView(buffer);
    }
  }
}

function lowerCap(limit: number, maxBytes: number | undefined): number {
  return maxBytes !== undefined && maxBytes < limit ? maxBytes : limit;
}
