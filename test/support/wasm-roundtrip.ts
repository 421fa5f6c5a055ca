// What decode -> encode must preserve, for the fuzzers. The encoder keeps the byte-exact form of what tools really
// emit padded (section sizes, each section's leading count, function body sizes and local counts: widths the decoder
// records) and writes every other integer as minimal LEB128. A module that pads some other LEB (legal: the binary
// format allows up to ceil(N/7) bytes) therefore comes back shorter, with the same content. So the property is:
//   - an input already in that form comes back byte for byte;
//   - any other input comes back as the same module: same canonical encoding, a fixpoint of decode -> encode, and
//     exactly as valid for V8 as the input.

import { decodeModule, encodeModule, type WasmModule } from "../../src/wasm/index.ts";

const WIDTH_FIELDS = new Set(["sizeWidth", "leadWidth", "localWidths"]);

function withoutWidths(value: unknown): unknown {
  if (value instanceof Uint8Array || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(withoutWidths);
  return Object.fromEntries(Object.entries(value).filter(([key]) => !WIDTH_FIELDS.has(key)).map(([key, v]) => [key, withoutWidths(v)]));
}

/** The module with every LEB in minimal form. */
export function canonicalBytes(module: WasmModule): Uint8Array {
  return encodeModule(withoutWidths(module) as WasmModule);
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Why encodeModule(decodeModule(bytes)) is not an acceptable re-encoding of `bytes`, or null. `bytes` must decode. */
export function roundTripProblem(bytes: Uint8Array): string | null {
  const decoded = decodeModule(bytes);
  const encoded = encodeModule(decoded);
  if (same(encoded, bytes)) return null;
  const canonical = canonicalBytes(decoded);
  if (same(canonical, bytes)) return "a module in the encoder's own form did not come back byte for byte";
  let again: WasmModule;
  try {
    again = decodeModule(encoded);
  } catch (error) {
    return `the re-encoded module does not decode: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!same(canonicalBytes(again), canonical)) return "re-encoding changed the module's content, not only its LEB padding";
  if (!same(encodeModule(again), encoded)) return "decode -> encode is not a fixpoint on its own output";
  if (encoded.length > bytes.length) return "re-encoding made the module longer (only padding may go)";
  if (WebAssembly.validate(encoded) !== WebAssembly.validate(bytes)) return "re-encoding changed whether V8 accepts the module";
  return null;
}
