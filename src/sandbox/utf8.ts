// UTF-8 as the memory bridge needs it: lengths of JavaScript strings (a lone surrogate is refused, never encoded
// as U+FFFD), the WHATWG strict decoder's well-formedness, and ASCII fast paths for short strings.
import { HostErrorCode, UnencodableStringError } from "./errors.ts";

/**
 * Length of `value` in UTF-8, or -(i + 1) when the UTF-16 unit at i is a lone surrogate: the one scan behind
 * utf8ByteLength (which throws) and utf8LengthOrStatus (which returns a status), both on the host-call path.
 */
function utf8LengthOrSurrogate(value: string): number {
  const units = value.length;
  let bytes = units;
  for (let i = 0; i < units; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) continue;
    if (unit < 0x800) {
      bytes += 1;
    } else if (unit < 0xd800 || unit > 0xdfff) {
      bytes += 2;
    } else {
      const next = i + 1 < units ? value.charCodeAt(i + 1) : 0;
      if (unit > 0xdbff || next < 0xdc00 || next > 0xdfff) return -(i + 1);
      bytes += 2; // a surrogate pair is two units and four bytes
      i++;
    }
  }
  return bytes;
}

/** Length of `value` in UTF-8; throws UnencodableStringError on a lone surrogate rather than encode U+FFFD. */
export function utf8ByteLength(value: string): number {
  const length = utf8LengthOrSurrogate(value);
  if (length < 0) throw new UnencodableStringError(-length - 1);
  return length;
}

/** utf8ByteLength without the exception: the length, or HostErrorCode.invalidUtf8 for a lone surrogate. */
export function utf8LengthOrStatus(value: string): number {
  const length = utf8LengthOrSurrogate(value);
  return length < 0 ? HostErrorCode.invalidUtf8 : length;
}

// Against TextDecoder.decode and TextEncoder.encodeInto (measured in Node; each call has a fixed cost): building a
// string in JavaScript wins up to about a dozen characters (past that V8 makes rope strings, flattened again on
// use), writing ASCII byte by byte wins for much longer strings.
export const ASCII_DECODE_MAX_BYTES = 12;
export const ASCII_ENCODE_MAX_BYTES = 64;

/** The ASCII string at bytes[start, start + length), or null when a byte is not ASCII. */
export function asciiAt(bytes: Uint8Array, start: number, length: number): string | null {
  const end = start + length;
  for (let i = start; i < end; i++) if (bytes[i] > 0x7f) return null;
  let text = "";
  let i = start;
  for (; i + 3 < end; i += 4) text += String.fromCharCode(bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]);
  for (; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

/**
 * True when bytes[start, end) is well-formed UTF-8 as the WHATWG strict decoder reads it: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
 */
export function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      if (i + 1 >= end || (bytes[i + 1] & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= end) return false;
      const c1 = bytes[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (bytes[i + 2] & 0xc0) !== 0x80) return false;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= end) return false;
      const c1 = bytes[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (bytes[i + 2] & 0xc0) !== 0x80 || (bytes[i + 3] & 0xc0) !== 0x80) return false;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

/** Writes `value` at `start` when it is all ASCII and returns its length; otherwise writes nothing and returns -1. */
export function writeAscii(bytes: Uint8Array, start: number, value: string): number {
  const length = value.length;
  for (let i = 0; i < length; i++) if (value.charCodeAt(i) > 0x7f) return -1;
  for (let i = 0; i < length; i++) bytes[start + i] = value.charCodeAt(i);
  return length;
}
